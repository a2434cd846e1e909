// Employment and welfare effects of a counterfactual relative to its baseline (MODEL.md section 8).
// Throughout, "effect" = counterfactual - baseline. Employment shares are shares of total
// employment (markets q >= 1 of all mobile regions); the non-employment share is a share of the
// whole population (q = 0 included).
#pragma once

#include <cstddef>
#include <vector>

#include "dynhat/dynamic.hpp"

namespace dynhat {

struct EffectsOptions {
  /// Sectors (0-based) counted as manufacturing (CDP: 0-11). May be empty.
  std::vector<std::size_t> manufacturing;
};

struct Effects {
  /// The slot at which shares are compared: T-2, the last slot with a temporary equilibrium of its
  /// own (MODEL.md's slot T-1).
  std::size_t horizon = 0;

  std::vector<double> sector_share_baseline;        ///< [J] at the horizon
  std::vector<double> sector_share_counterfactual;  ///< [J]
  /// [J] percent of the manufacturing-share effect due to each manufacturing sector, summing to
  /// 100; NaN for other sectors or when the effect is 0 (up to rounding).
  std::vector<double> sector_contribution;

  std::vector<double> region_share_baseline;        ///< [R] the region's employment / total
  std::vector<double> region_share_counterfactual;  ///< [R]
  /// [R] the region's manufacturing employment / total employment, at the horizon.
  std::vector<double> region_manufacturing_baseline;
  std::vector<double> region_manufacturing_counterfactual;
  /// [R] percent of the manufacturing-share effect due to each region, summing to 100 (NaN when
  /// the effect is 0 up to rounding).
  std::vector<double> region_contribution;

  std::vector<double> manufacturing_share_baseline;        ///< [T] share of employment, by slot
  std::vector<double> manufacturing_share_counterfactual;  ///< [T]
  std::vector<double> nonemployment_share_baseline;        ///< [T] share of the population
  std::vector<double> nonemployment_share_counterfactual;  ///< [T]

  /// [M] welfare effect of each market's slot-1 population in percent consumption equivalent,
  /// 100 log delta^m (E37 at MODEL.md's t = 2 = the news slot):
  ///   log delta = (1 - beta) sum_{s=1}^{T-1} beta^{s-1} [log(C'_s/C_s) - nu
  ///   log(mu'^{mm}_s/mu^{mm}_s)]
  /// with the slot T-1 term repeating slot T-2's values and weighted 1/(1 - beta) (the infinite
  /// tail of a path that has settled). C'_s/C_s is the ratio of the paths' real wages (1 in
  /// non-employment).
  std::vector<double> welfare;
  std::vector<double> region_welfare;  ///< [R] L0-weighted mean of `welfare` over the region
  double aggregate_welfare = 0.0;      ///< sum_m (L0_m / sum L0) welfare_m, percent
};

/// The effects of `counterfactual` relative to `baseline` (both solved for `model`).
Effects compute_effects(const DynamicModel& model, const PathSolution& baseline,
                        const PathSolution& counterfactual, const EffectsOptions& options = {});

}  // namespace dynhat
