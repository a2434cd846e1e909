// A scenario's shocks as changes of fundamentals: sector and region labels resolved against the
// tables' names, quarter ranges expanded to one change per slot, cumulative changes spread
// geometrically, shock files read with the long-table reader. Checks that need the economy or T
// live here; read_scenario.cpp has already checked everything that does not.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <unordered_map>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "dynhat/scenario.hpp"
#include "economy/label_index.hpp"
#include "economy/shock_records.hpp"

namespace dynhat {

namespace {

/// "\"China\"" or "56": a label or index as written in the scenario.
std::string show(const LabelOrIndex& item) {
  if (const auto* label = std::get_if<std::string>(&item)) return fmt::format("\"{}\"", *label);
  return fmt::format("{}", std::get<std::size_t>(item));
}

/// A label or 0-based index written at `key` of the scenario `file`.
std::size_t resolve(const LabelIndex& labels, const LabelOrIndex& item, const std::string& file,
                    const std::string& key) {
  if (const auto* label = std::get_if<std::string>(&item)) {
    const std::size_t i = labels.find(*label);
    if (i == labels.size()) {
      throw InvalidInput(
          fmt::format("{}: {} = {} {}", file, key, show(item), labels.not_found(*label)));
    }
    return i;
  }
  const std::size_t i = std::get<std::size_t>(item);
  if (i >= labels.size()) {
    throw InvalidInput(
        fmt::format("{}: {} = {} is out of range, must be a {} index < {} (the tables have {} {}s)",
                    file, key, i, labels.kind(), labels.size(), labels.size(), labels.kind()));
  }
  return i;
}

/// Every entry of `list` resolved, each at most once; an empty list is every index when
/// `empty_means_all`.
std::vector<std::size_t> resolve_list(const LabelIndex& labels,
                                      const std::vector<LabelOrIndex>& list,
                                      const std::string& file, const std::string& key,
                                      bool empty_means_all) {
  std::vector<std::size_t> out;
  if (list.empty() && empty_means_all) {
    out.resize(labels.size());
    std::iota(out.begin(), out.end(), std::size_t{0});
    return out;
  }
  std::unordered_map<std::size_t, std::size_t> position;  // index -> first position in list
  for (std::size_t k = 0; k < list.size(); ++k) {
    const std::string item_key = fmt::format("{}[{}]", key, k);
    const std::size_t i = resolve(labels, list[k], file, item_key);
    const auto [it, inserted] = position.emplace(i, k);
    if (!inserted) {
      throw InvalidInput(fmt::format(
          "{}: {} = {} is listed twice ({} \"{}\" is also {}[{}]), each {} must be listed at most "
          "once",
          file, item_key, show(list[k]), labels.kind(), labels.name(i), key, it->second,
          labels.kind()));
    }
    out.push_back(i);
  }
  return out;
}

/// The replication kit's shock path as a .mat variable: productivity As(j, n, t), J x N x T'
/// (MATLAB's sector j, region n); trade costs kappa_hat(j*N + n, i, t), (J*N) x N x T' (rows
/// destinations stacked by sector, columns sources, as xbilat). (:, :, t) is the change from the
/// kit's period t to t+1, dynhat's quarter t (into slot t); T' <= T, and a J x N (or (J*N) x N)
/// variable is one quarter. Entries equal to 1 are no change; the others must be > 0 and fall on
/// a quarter < T.
std::vector<ShockRecord> read_mat_shock_path(const MatVariablePath& path, const Economy& economy,
                                             bool productivity, std::size_t periods) {
  const std::string name = fmt::format("{}:{}", path.file.string(), path.variable);
  const MatArray a = read_mat_array(path.file, path.variable, 3);
  const std::size_t J = economy.sectors, N = economy.regions;
  const std::size_t rows = productivity ? J : J * N;
  const std::size_t quarters = a.dims.size() == 3 ? a.dims[2] : 1;
  if (a.dims[0] != rows || a.dims[1] != N || quarters > periods) {
    throw DimensionMismatch(fmt::format(
        "{}: is {}x{}x{}, must be {} x {} x T' with T' <= T = {} ({}; (:, :, t) the change into "
        "slot t)",
        name, a.dims[0], a.dims[1], quarters, productivity ? "J" : "(J*N)", "N", periods,
        productivity
            ? "the kit's As(j, n, t): sector, region, quarter"
            : "the kit's kappa_hat(j*N+n, i, t): sector and destination, source, quarter"));
  }
  std::vector<ShockRecord> records;
  for (std::size_t t = 1; t <= quarters; ++t) {
    for (std::size_t col = 0; col < N; ++col) {
      for (std::size_t row = 0; row < rows; ++row) {
        const double factor = a.data[row + rows * (col + N * (t - 1))];
        if (factor == 1.0) continue;
        const std::string at =
            fmt::format("{}: element ({}, {}, {}) = {}", name, row + 1, col + 1, t, factor);
        if (!(factor > 0.0)) throw InvalidInput(at + ", must be > 0");
        if (t >= periods) {
          throw InvalidInput(fmt::format(
              "{}, a change at quarter {}, must be 1: quarters are < T = {}", at, t, periods));
        }
        ShockRecord r;
        r.quarter = t;
        r.sector = productivity ? row : row / N;
        r.region = productivity ? col : row % N;
        r.source = productivity ? 0 : col;
        r.factor = factor;
        records.push_back(r);
      }
    }
  }
  return records;
}

/// Appends the per-quarter factors of a shock file (`spec.file`: long format with a quarter
/// column, or the kit's shock path as file.mat:NAME) to `changes`.
void read_shock_file(const Scenario& scenario, const Economy& economy, const ShockSpec& spec,
                     const std::string& prefix, FundamentalChanges& changes) {
  const bool productivity = spec.table == "productivity";
  const std::vector<ShockRecord> records = [&] {
    try {
      if (const std::optional<MatVariablePath> mat = mat_variable_path(spec.file)) {
        return read_mat_shock_path(*mat, economy, productivity, scenario.periods);
      }
      return read_shock_records(spec.file, economy, {!productivity, scenario.periods});
    } catch (const InvalidInput& e) {
      throw InvalidInput(fmt::format("{}: {}file: {}", scenario.path.string(), prefix, e.what()));
    }
  }();
  for (const ShockRecord& r : records) {
    if (productivity) {
      changes.productivity.push_back({r.quarter, r.sector, r.region, r.factor});
    } else {
      changes.trade_costs.push_back({r.quarter, r.sector, r.region, r.source, r.factor});
    }
  }
}

/// The changes of the scenario's shocks with ShockSpec::baseline == `baseline`.
FundamentalChanges changes_of(const Scenario& scenario, const Economy& economy, bool baseline) {
  const std::string file = scenario.path.string();
  const LabelIndex sectors(economy.sector_names, "sector");
  const LabelIndex regions(economy.region_names, "region");
  FundamentalChanges changes;
  for (const ShockSpec& spec : scenario.shocks) {
    if (spec.baseline != baseline) continue;
    const std::string prefix = spec.key() + ".";
    if (!spec.file.empty()) {
      read_shock_file(scenario, economy, spec, prefix, changes);
      continue;
    }
    const bool productivity = spec.table == "productivity";
    const std::vector<std::size_t> js =
        resolve_list(sectors, spec.sectors, file, prefix + "sectors", true);
    const std::vector<std::size_t> ns =
        resolve_list(regions, productivity ? spec.regions : spec.destinations, file,
                     prefix + (productivity ? "regions" : "destinations"), true);
    const std::vector<std::size_t> is =
        productivity ? std::vector<std::size_t>{0}
                     : resolve_list(regions, spec.sources, file, prefix + "sources", true);

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

}  // namespace

FundamentalChanges resolve_shocks(const Scenario& scenario, const Economy& economy) {
  FundamentalChanges changes = changes_of(scenario, economy, false);
  changes.news_slot = scenario.news_slot;
  return changes;
}

FundamentalChanges resolve_baseline_shocks(const Scenario& scenario, const Economy& economy) {
  return changes_of(scenario, economy, true);
}

std::vector<std::size_t> resolve_sectors(const Scenario& scenario, const Economy& economy,
                                         const std::vector<LabelOrIndex>& sectors,
                                         const std::string& key) {
  return resolve_labels(economy.sector_names, "sector", sectors, scenario.path.string(), key);
}

std::vector<std::size_t> resolve_labels(const std::vector<std::string>& names,
                                        const std::string& kind,
                                        const std::vector<LabelOrIndex>& items,
                                        const std::string& file, const std::string& key) {
  return resolve_list(LabelIndex(names, kind), items, file, key, false);
}

}  // namespace dynhat
