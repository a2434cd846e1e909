// Employment and welfare effects (MODEL.md section 8, E37).
//
// Welfare weights and discounting, chosen and why: E37 is the consumption-equivalent change of the
// value of a worker in market m at slot 1 (the default news slot; for a later news slot the slots
// before it add nothing, their consumption and stay shares being the baseline's, so the effects of
// different news slots compare at one date), so it discounts from slot 1 (beta^{s-1} at slot s,
// no extra beta: the Python port's beta^{s-t+1} would count slot t's own flow as a
// future one) and weighs markets by their slot-0 population L0 (shares, so the aggregate is a
// per-person average and does not scale with the population's units).
#include "dynhat/effects.hpp"

#include <cmath>
#include <limits>

#include "dynhat/error.hpp"

namespace dynhat {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Employment by sector and region, manufacturing and non-employment at one labor row.
struct LaborSplit {
  std::vector<double> sector;                // [J]
  std::vector<double> region;                // [R]
  std::vector<double> region_manufacturing;  // [R]
  double employed = 0.0, manufacturing = 0.0, nonemployed = 0.0;
};

LaborSplit split(const double* L, std::size_t J, std::size_t R, const std::vector<bool>& manuf) {
  LaborSplit s;
  s.sector.assign(J, 0.0);
  s.region.assign(R, 0.0);
  s.region_manufacturing.assign(R, 0.0);
  for (std::size_t n = 0; n < R; ++n) {
    s.nonemployed += L[n * (J + 1)];
    for (std::size_t j = 0; j < J; ++j) {
      const double l = L[n * (J + 1) + 1 + j];
      s.sector[j] += l;
      s.region[n] += l;
      s.employed += l;
      if (manuf[j]) {
        s.manufacturing += l;
        s.region_manufacturing[n] += l;
      }
    }
  }
  return s;
}

std::vector<double> divided(std::vector<double> x, double by) {
  for (double& v : x) v /= by;
  return x;
}

/// 100 * (cf - baseline)_k / sum over `members` of (cf - baseline); NaN outside `members` or
/// when the sum is 0 up to rounding.
std::vector<double> contributions(const std::vector<double>& baseline,
                                  const std::vector<double>& counterfactual,
                                  const std::vector<bool>& members) {
  double total = 0.0, size = 0.0;
  for (std::size_t k = 0; k < baseline.size(); ++k) {
    if (!members[k]) continue;
    total += counterfactual[k] - baseline[k];
    size += std::abs(counterfactual[k] - baseline[k]);
  }
  std::vector<double> out(baseline.size(), kNaN);
  // A net effect that is rounding noise (e.g. every sector counted as manufacturing, whose
  // shares sum to 1 in both paths) has no meaningful decomposition.
  if (!(std::abs(total) > 1e-9 * size)) return out;
  for (std::size_t k = 0; k < baseline.size(); ++k)
    if (members[k]) out[k] = 100.0 * (counterfactual[k] - baseline[k]) / total;
  return out;
}

}  // namespace

Effects compute_effects(const DynamicModel& model, const PathSolution& baseline,
                        const PathSolution& counterfactual, const EffectsOptions& options) {
  const std::size_t J = model.economy.sectors, R = model.economy.mobile_regions;
  const std::size_t T = model.periods, M = model.markets();
  for (const PathSolution* p : {&baseline, &counterfactual}) {
    if (p->L.rows != T || p->L.cols != M || p->real_wage.rows != T || p->stay.rows != T) {
      throw DimensionMismatch("compute_effects: a path does not match the model's T and M");
    }
  }
  std::vector<bool> manuf(J, false);
  for (std::size_t j : options.manufacturing) {
    if (j >= J)
      throw InvalidInput("compute_effects: manufacturing sector " + std::to_string(j) +
                         " is not < J = " + std::to_string(J));
    manuf[j] = true;
  }

  Effects out;
  out.horizon = T - 2;
  for (std::size_t t = 0; t < T; ++t) {
    const LaborSplit b = split(baseline.L.row(t), J, R, manuf);
    const LaborSplit c = split(counterfactual.L.row(t), J, R, manuf);
    out.manufacturing_share_baseline.push_back(b.manufacturing / b.employed);
    out.manufacturing_share_counterfactual.push_back(c.manufacturing / c.employed);
    out.nonemployment_share_baseline.push_back(b.nonemployed / (b.nonemployed + b.employed));
    out.nonemployment_share_counterfactual.push_back(c.nonemployed / (c.nonemployed + c.employed));
  }
  const LaborSplit b = split(baseline.L.row(out.horizon), J, R, manuf);
  const LaborSplit c = split(counterfactual.L.row(out.horizon), J, R, manuf);
  out.sector_share_baseline = divided(b.sector, b.employed);
  out.sector_share_counterfactual = divided(c.sector, c.employed);
  out.sector_contribution =
      contributions(out.sector_share_baseline, out.sector_share_counterfactual, manuf);
  out.region_share_baseline = divided(b.region, b.employed);
  out.region_share_counterfactual = divided(c.region, c.employed);
  out.region_manufacturing_baseline = divided(b.region_manufacturing, b.employed);
  out.region_manufacturing_counterfactual = divided(c.region_manufacturing, c.employed);
  out.region_contribution =
      contributions(out.region_manufacturing_baseline, out.region_manufacturing_counterfactual,
                    std::vector<bool>(R, true));

  // E37 from slot 1 on; slot T-1 repeats slot T-2 and carries the infinite tail.
  const double beta = model.beta, nu = model.nu;
  out.welfare.assign(M, 0.0);
  out.region_welfare.assign(R, 0.0);
  double population = 0.0;
  for (double l : model.L0) population += l;
  for (std::size_t m = 0; m < M; ++m) {
    double sum = 0.0, discount = 1.0;
    for (std::size_t s = 1; s < T; ++s) {
      const std::size_t at = std::min(s, T - 2);
      const double flow = std::log(counterfactual.real_wage(at, m) / baseline.real_wage(at, m)) -
                          nu * std::log(counterfactual.stay(at, m) / baseline.stay(at, m));
      sum += (s + 1 == T ? discount / (1.0 - beta) : discount) * flow;
      discount *= beta;
    }
    out.welfare[m] = 100.0 * (1.0 - beta) * sum;
    out.aggregate_welfare += model.L0[m] / population * out.welfare[m];
  }
  for (std::size_t n = 0; n < R; ++n) {
    double weight = 0.0;
    for (std::size_t q = 0; q <= J; ++q) {
      const std::size_t m = n * (J + 1) + q;
      out.region_welfare[n] += model.L0[m] * out.welfare[m];
      weight += model.L0[m];
    }
    out.region_welfare[n] = weight > 0.0 ? out.region_welfare[n] / weight : 0.0;
  }
  return out;
}

}  // namespace dynhat
