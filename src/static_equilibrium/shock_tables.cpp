// The static shocks of `dynhat equilibrium shock`: long-format factor tables (shock_records.hpp)
// as dense [J][N] or [J][N][N] arrays; entries not listed are 1 (no change).
#include "dynhat/static_equilibrium.hpp"
#include "economy/shock_records.hpp"

namespace dynhat {

std::vector<double> read_sector_region_shock(const std::filesystem::path& path,
                                             const Economy& economy) {
  std::vector<double> factors(economy.sectors * economy.regions, 1.0);
  for (const ShockRecord& r : read_shock_records(path, economy, {false, 0})) {
    factors[r.sector * economy.regions + r.region] = r.factor;
  }
  return factors;
}

std::vector<double> read_bilateral_shock(const std::filesystem::path& path,
                                         const Economy& economy) {
  const std::size_t N = economy.regions;
  std::vector<double> factors(economy.sectors * N * N, 1.0);
  for (const ShockRecord& r : read_shock_records(path, economy, {true, 0})) {
    factors[(r.sector * N + r.region) * N + r.source] = r.factor;
  }
  return factors;
}

}  // namespace dynhat
