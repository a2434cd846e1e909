#include "economy/shock_records.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <string>
#include <unordered_set>

#include "dynhat/error.hpp"
#include "economy/label_index.hpp"
#include "economy/long_table.hpp"

namespace dynhat {

namespace {

std::vector<std::string> columns_of(const ShockTableShape& shape) {
  std::vector<std::string> columns = {"sector"};
  if (shape.bilateral) {
    columns.insert(columns.end(), {"destination", "source"});
  } else {
    columns.emplace_back("region");
  }
  if (shape.periods > 0) columns.emplace_back("quarter");
  columns.emplace_back("value");
  return columns;
}

}  // namespace

std::vector<ShockRecord> read_shock_records(const std::filesystem::path& path, const Economy& e,
                                            const ShockTableShape& shape) {
  const std::vector<std::string> columns = columns_of(shape);
  const LongTable table = read_long_table(path, columns);
  const LabelIndex sectors(e.sector_names, "sector");
  const LabelIndex regions(e.region_names, "region");
  const std::size_t region_columns = shape.bilateral ? 2 : 1;
  const std::size_t N = e.regions;
  std::unordered_set<std::size_t> seen;  // flat (quarter, sector, region...) of every record
  std::vector<ShockRecord> records;
  records.reserve(table.records());
  for (std::size_t r = 0; r < table.records(); ++r) {
    const auto fail = [&](const std::string& rule) {
      throw InvalidInput(fmt::format("{}: {}", table.where(r), rule));
    };
    std::size_t index[3] = {0, 0, 0};  // sector, then one or two regions
    for (std::size_t c = 0; c <= region_columns; ++c) {
      const LabelIndex& labels = c == 0 ? sectors : regions;
      const std::string& label = table.label(c, r);
      index[c] = labels.find(label);
      if (index[c] == labels.size()) {
        fail(fmt::format("{} '{}' {}", columns[c], label, labels.not_found(label)));
      }
    }
    std::size_t quarter = 0;
    if (shape.periods > 0) {
      const std::string& text = table.label(region_columns + 1, r);
      const char* end = text.data() + text.size();
      const auto [next, ec] = std::from_chars(text.data(), end, quarter);
      if (ec != std::errc() || next != end || quarter < 1 || quarter >= shape.periods) {
        fail(fmt::format("quarter '{}' must be an integer slot in [1, {}) (T = model.periods)",
                         text, shape.periods));
      }
    }
    const double factor = table.values[r];
    if (!(factor > 0.0) || !std::isfinite(factor)) {
      fail(fmt::format("value {} must be > 0 and finite (a factor)", factor));
    }
    const std::size_t flat = ((quarter * e.sectors + index[0]) * N + index[1]) * N + index[2];
    if (!seen.insert(flat).second) fail("entry listed twice");
    records.push_back({index[0], index[1], index[2], quarter, factor});
  }
  return records;
}

}  // namespace dynhat
