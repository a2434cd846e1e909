// Seeded synthetic household economies: the embedded default of `dynhat demo`, the benchmark
// inputs and test fixtures. Not data: shapes and magnitudes resemble the CDP US labor markets
// (quarterly flows, mostly staying, job-to-job moves mostly within a region, 20% of cross-region
// flows zero).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dynhat/economy.hpp"
#include "dynhat/matrix.hpp"

namespace dynhat {

struct SyntheticMobility {
  std::size_t regions = 0;
  std::size_t markets_per_region = 0;  ///< J + 1: q = 0 non-employment, q = 1 + j sector j
  Matrix mu0;                          ///< [M][M], M = regions * markets_per_region, rows sum to 1
  std::vector<double> L0;              ///< [M] persons
};

/// Market m = n * markets_per_region + q (MODEL.md section 1). Deterministic in `seed`.
SyntheticMobility synthetic_mobility(std::size_t regions, std::size_t markets_per_region,
                                     std::uint64_t seed);

/// Real-wage changes Cdot [slots][M]: markets of `shocked_sectors` (0-based sectors j, slot
/// 1 + j, in every region) gain total_factor^(1/quarters) per slot over slots 1..quarters;
/// every other entry is 1.
Matrix phased_real_wage(std::size_t regions, std::size_t markets_per_region, std::size_t slots,
                        const std::vector<std::size_t>& shocked_sectors, double total_factor,
                        std::size_t quarters);

/// A seeded synthetic trade economy with the structure of the CDP tables: `regions` N, the first
/// `mobile_regions` R sharing one input-output block, every other region its own; gravity trade
/// flows with home bias and ~20% zero cross-region flows; theta in [2, 10], gamma in [0.2, 0.8],
/// xi in [0.35, 0.75]. The reference state is derived by E30-E36.
Economy synthetic_economy(std::size_t sectors, std::size_t regions, std::size_t mobile_regions,
                          std::uint64_t seed);

}  // namespace dynhat
