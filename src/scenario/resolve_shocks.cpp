// A scenario's shocks as changes of fundamentals: sector and region labels resolved against the
// tables' names, quarter ranges expanded to one change per slot, cumulative changes spread
// geometrically, shock files read with the long-table reader. Checks that need the economy or T
// live here; read_scenario.cpp has already checked everything that does not.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <numeric>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "dynhat/error.hpp"
#include "dynhat/scenario.hpp"
#include "economy/long_table.hpp"

namespace dynhat {

namespace {

/// Levenshtein distance ignoring case: how far a mistyped label is from a real one.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t k = 1; k <= b.size(); ++k) {
      const std::size_t substitute = diagonal + (lower(a[i - 1]) == lower(b[k - 1]) ? 0 : 1);
      diagonal = row[k];
      row[k] = std::min({row[k] + 1, row[k - 1] + 1, substitute});
    }
  }
  return row[b.size()];
}

/// "\"China\"" or "56": a label or index as written in the scenario.
std::string show(const LabelOrIndex& item) {
  if (const auto* label = std::get_if<std::string>(&item)) return fmt::format("\"{}\"", *label);
  return fmt::format("{}", std::get<std::size_t>(item));
}

/// The labels of one dimension of the tables (sectors or regions).
class Labels {
 public:
  Labels(const std::vector<std::string>& names, std::string_view kind)
      : names_(names), kind_(kind) {
    for (std::size_t i = 0; i < names.size(); ++i) index_.emplace(names[i], i);
  }

  std::size_t size() const { return names_.size(); }

  /// The index of `label` (exact match), or size() when it is not one of the names.
  std::size_t find(const std::string& label) const {
    const auto found = index_.find(label);
    return found == index_.end() ? size() : found->second;
  }

  /// "is not a region of the tables (87 regions; closest "China")".
  std::string not_found(const std::string& label) const {
    std::string closest;
    std::size_t best = std::string::npos;
    for (const std::string& name : names_) {
      const std::size_t d = edit_distance(label, name);
      if (d < best) {
        best = d;
        closest = name;
      }
    }
    return fmt::format("is not a {} of the tables ({} {}s{})", kind_, size(), kind_,
                       closest.empty() ? "" : fmt::format("; closest \"{}\"", closest));
  }

  /// A label or 0-based index written at `key` of the scenario `file`.
  std::size_t resolve(const LabelOrIndex& item, const std::string& file,
                      const std::string& key) const {
    if (const auto* label = std::get_if<std::string>(&item)) {
      const std::size_t i = find(*label);
      if (i == size()) {
        throw InvalidInput(fmt::format("{}: {} = {} {}", file, key, show(item), not_found(*label)));
      }
      return i;
    }
    const std::size_t i = std::get<std::size_t>(item);
    if (i >= size()) {
      throw InvalidInput(
          fmt::format("{}: {} = {} is out of range, must be a {} index < {} (the "
                      "tables have {} {}s)",
                      file, key, i, kind_, size(), size(), kind_));
    }
    return i;
  }

  /// Every entry of `list` resolved, each at most once; an empty list is every index when
  /// `empty_means_all`.
  std::vector<std::size_t> resolve_list(const std::vector<LabelOrIndex>& list,
                                        const std::string& file, const std::string& key,
                                        bool empty_means_all) const {
    std::vector<std::size_t> out;
    if (list.empty() && empty_means_all) {
      out.resize(size());
      std::iota(out.begin(), out.end(), std::size_t{0});
      return out;
    }
    std::unordered_map<std::size_t, std::size_t> position;  // index -> first position in list
    for (std::size_t k = 0; k < list.size(); ++k) {
      const std::string item_key = fmt::format("{}[{}]", key, k);
      const std::size_t i = resolve(list[k], file, item_key);
      const auto [it, inserted] = position.emplace(i, k);
      if (!inserted) {
        throw InvalidInput(
            fmt::format("{}: {} = {} is listed twice ({} \"{}\" is also {}[{}]), "
                        "each {} must be listed at most once",
                        file, item_key, show(list[k]), kind_, names_[i], key, it->second, kind_));
      }
      out.push_back(i);
    }
    return out;
  }

 private:
  const std::vector<std::string>& names_;
  std::string kind_;
  std::unordered_map<std::string, std::size_t> index_;
};

/// Appends the per-quarter factors of a shock file (`spec.file`, long format with a quarter
/// column) to `changes`.
void read_shock_file(const Scenario& scenario, const ShockSpec& spec, const std::string& prefix,
                     const Labels& sectors, const Labels& regions, FundamentalChanges& changes) {
  const std::string file = scenario.path.string();
  const bool productivity = spec.table == "productivity";
  const std::vector<std::string> columns =
      productivity
          ? std::vector<std::string>{"sector", "region", "quarter", "value"}
          : std::vector<std::string>{"sector", "destination", "source", "quarter", "value"};
  const LongTable table = [&] {
    try {
      return read_long_table(spec.file, columns);
    } catch (const InvalidInput& e) {
      throw InvalidInput(fmt::format("{}: {}file: {}", file, prefix, e.what()));
    }
  }();
  const std::size_t quarter_column = columns.size() - 2;
  const std::size_t N = regions.size();
  std::unordered_set<std::size_t> seen;  // flat (quarter, sector, region...) of every record
  for (std::size_t r = 0; r < table.records(); ++r) {
    const auto fail = [&](const std::string& rule) {
      throw InvalidInput(fmt::format("{}: {}file: {}: {}", file, prefix, table.where(r), rule));
    };
    std::size_t index[3] = {0, 0, 0};  // sector, then one or two regions
    for (std::size_t c = 0; c < quarter_column; ++c) {
      const Labels& labels = c == 0 ? sectors : regions;
      const std::string& label = table.label(c, r);
      index[c] = labels.find(label);
      if (index[c] == labels.size()) {
        fail(fmt::format("{} '{}' {}", columns[c], label, labels.not_found(label)));
      }
    }
    const std::string& quarter_label = table.label(quarter_column, r);
    std::size_t quarter = 0;
    const char* end = quarter_label.data() + quarter_label.size();
    const auto [next, ec] = std::from_chars(quarter_label.data(), end, quarter);
    if (ec != std::errc() || next != end || quarter < 1 || quarter >= scenario.periods) {
      fail(fmt::format("quarter '{}' must be an integer slot in [1, {}) (T = model.periods)",
                       quarter_label, scenario.periods));
    }
    const double factor = table.values[r];
    if (!(factor > 0.0)) fail(fmt::format("value {} must be > 0 (a per-quarter factor)", factor));
    const std::size_t flat = ((quarter * sectors.size() + index[0]) * N + index[1]) * N + index[2];
    if (!seen.insert(flat).second) fail("entry listed twice");
    if (productivity) {
      changes.productivity.push_back({quarter, index[0], index[1], factor});
    } else {
      changes.trade_costs.push_back({quarter, index[0], index[1], index[2], factor});
    }
  }
}

}  // namespace

FundamentalChanges resolve_shocks(const Scenario& scenario, const Economy& economy) {
  const std::string file = scenario.path.string();
  const Labels sectors(economy.sector_names, "sector");
  const Labels regions(economy.region_names, "region");
  FundamentalChanges changes;
  for (const ShockSpec& spec : scenario.shocks) {
    const std::string prefix = fmt::format("{}[{}].", spec.table, spec.entry);
    if (!spec.file.empty()) {
      read_shock_file(scenario, spec, prefix, sectors, regions, changes);
      continue;
    }
    const bool productivity = spec.table == "productivity";
    const std::vector<std::size_t> js =
        sectors.resolve_list(spec.sectors, file, prefix + "sectors", true);
    const std::vector<std::size_t> ns =
        regions.resolve_list(productivity ? spec.regions : spec.destinations, file,
                             prefix + (productivity ? "regions" : "destinations"), true);
    const std::vector<std::size_t> is =
        productivity ? std::vector<std::size_t>{0}
                     : regions.resolve_list(spec.sources, file, prefix + "sources", true);

    if (spec.first_quarter < 1 || spec.last_quarter < spec.first_quarter ||
        spec.last_quarter >= scenario.periods) {
      throw InvalidInput(fmt::format(
          "{}: {}quarters = [{}, {}] must satisfy 1 <= first <= last < T = {} (model.periods; "
          "slots run 0..T-1)",
          file, prefix, spec.first_quarter, spec.last_quarter, scenario.periods));
    }
    const std::size_t quarters = spec.last_quarter - spec.first_quarter + 1;

    // Per-quarter factor of each listed sector: cumulative c over the quarters is c^(1/quarters).
    const bool cumulative = !spec.cumulative.empty();
    const std::vector<double>& given = cumulative ? spec.cumulative : spec.factor;
    const std::string key = prefix + (cumulative ? "cumulative" : "factor");
    if (given.size() != 1 && given.size() != js.size()) {
      throw InvalidInput(fmt::format(
          "{}: {} lists {} values for {} sectors, must list one per sector or be one number", file,
          key, given.size(), js.size()));
    }
    std::vector<double> per_quarter(js.size());
    for (std::size_t k = 0; k < js.size(); ++k) {
      const double value = given[given.size() == 1 ? 0 : k];
      if (!(value > 0.0) || !std::isfinite(value)) {
        throw InvalidInput(
            fmt::format("{}: {}[{}] = {} must be > 0 and finite", file, key, k, value));
      }
      per_quarter[k] = cumulative ? std::pow(value, 1.0 / static_cast<double>(quarters)) : value;
    }

    for (std::size_t q = spec.first_quarter; q <= spec.last_quarter; ++q) {
      for (std::size_t k = 0; k < js.size(); ++k) {
        for (std::size_t n : ns) {
          if (productivity) {
            changes.productivity.push_back({q, js[k], n, per_quarter[k]});
            continue;
          }
          for (std::size_t i : is) changes.trade_costs.push_back({q, js[k], n, i, per_quarter[k]});
        }
      }
    }
  }
  return changes;
}

std::vector<std::size_t> resolve_sectors(const Scenario& scenario, const Economy& economy,
                                         const std::vector<LabelOrIndex>& sectors,
                                         const std::string& key) {
  return Labels(economy.sector_names, "sector")
      .resolve_list(sectors, scenario.path.string(), key, false);
}

}  // namespace dynhat
