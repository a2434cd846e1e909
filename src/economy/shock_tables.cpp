// Long-format shock tables: factors by (sector, region) or (sector, destination, source), checked
// against the economy's labels; entries not listed are 1 (no change).
#include <fmt/format.h>

#include <string>
#include <unordered_map>

#include "dynhat/error.hpp"
#include "dynhat/static_equilibrium.hpp"
#include "economy/long_table.hpp"

namespace dynhat {

namespace {

/// Position of every label of `names`, for lookups by label.
std::unordered_map<std::string, std::size_t> index_of(const std::vector<std::string>& names) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < names.size(); ++i) index.emplace(names[i], i);
  return index;
}

/// Reads a table whose label columns are (sector, region...) and fills factors at the flat index
/// sector * N^(k-1) + ... of the k label columns; every column after the first is a region.
std::vector<double> read_shock(const std::filesystem::path& path, const Economy& e,
                               const std::vector<std::string>& columns) {
  const LongTable table = read_long_table(path, columns);
  const auto sectors = index_of(e.sector_names);
  const auto regions = index_of(e.region_names);
  const std::size_t labels = columns.size() - 1;
  std::size_t size = e.sectors;
  for (std::size_t c = 1; c < labels; ++c) size *= e.regions;
  std::vector<double> factors(size, 1.0);
  std::vector<bool> seen(size, false);
  for (std::size_t r = 0; r < table.records(); ++r) {
    std::size_t flat = 0;
    for (std::size_t c = 0; c < labels; ++c) {
      const auto& index = c == 0 ? sectors : regions;
      const auto found = index.find(table.label(c, r));
      if (found == index.end()) {
        throw InvalidInput(fmt::format("{}: {} '{}' is not a {} of the economy", table.where(r),
                                       columns[c], table.label(c, r),
                                       c == 0 ? "sector" : "region"));
      }
      flat = flat * (c == 0 ? 1 : e.regions) + found->second;
    }
    if (seen[flat]) throw InvalidInput(fmt::format("{}: entry listed twice", table.where(r)));
    seen[flat] = true;
    if (!(table.values[r] > 0.0)) {
      throw InvalidInput(fmt::format("{}: factor {} must be > 0", table.where(r), table.values[r]));
    }
    factors[flat] = table.values[r];
  }
  return factors;
}

}  // namespace

std::vector<double> read_sector_region_shock(const std::filesystem::path& path,
                                             const Economy& economy) {
  return read_shock(path, economy, {"sector", "region", "value"});
}

std::vector<double> read_bilateral_shock(const std::filesystem::path& path,
                                         const Economy& economy) {
  return read_shock(path, economy, {"sector", "destination", "source", "value"});
}

}  // namespace dynhat
