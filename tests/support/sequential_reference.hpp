// The sequential reference of the dynamic model: MODEL.md 5.2 (Proposition-1 baseline) and 5.3
// (Proposition-2 counterfactual, E27-E29) implemented literally with the replication's semantics,
// kept in the test suite as the oracle of the fast path solver (src/dynamic/). Dense migration
// matrices per slot, the mu' recursion (E27) as coded, temporary equilibria chained from slot to
// slot with the trade state carried, and the 1/2-relaxed Picard outer loop on Y.
//
// Written to be obviously right, not fast: O(T M^2) memory and T - 2 temporary equilibria per
// outer iteration, each solved to a tight tolerance by solve_static (the fast static solver, itself
// validated against the replication algorithm). Small economies only.
//
// Slots are 0-based: slot t here is MODEL.md's slot t+1. Markets m = n (J+1) + q for mobile
// regions n < R, q = 0 non-employment, q = 1 + j sector j; M = R (J+1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dynhat/dynamic.hpp"
#include "dynhat/fixed_point.hpp"
#include "dynhat/matrix.hpp"
#include "dynhat/static_equilibrium.hpp"

namespace dynhat::testing {

struct SequentialOptions {
  /// Outer stop: err = max over slots t >= 1 and markets m of |Y_new - Y| < tol, measured before
  /// the 1/2 averaging (MODEL.md 5.2 step 5 and 5.3 (v); the replication uses 1e-3).
  double tol = 1e-12;
  /// The 1/2-relaxed Picard iteration contracts by about (1 + beta)/2 per iteration: hundreds of
  /// iterations at beta = 0.9, thousands near 0.99 (see small_dynamic_model).
  int max_iterations = 5000;
  /// Temporary equilibria; every one must converge (NotConverged is thrown otherwise).
  StaticOptions te = tight_te_options();

  /// tol 1e-13 on the relative market-clearing residual: as tight as the fast static solver
  /// reliably converges on small economies (a few eps per market through the expenditure solve).
  /// damping 0.3 and Anderson memory 5 instead of solve_static's defaults (0.1, 20, tuned for
  /// CDP's 1914 unknowns): on J N = 18 unknowns they reach the same paths (to 1e-13) ~5x faster
  /// (measured: 2.6 s instead of 14 s for a baseline of 70 outer iterations).
  static StaticOptions tight_te_options() {
    StaticOptions o;
    o.tol = 1e-13;
    o.damping = 0.3;
    o.anderson_memory = 5;
    return o;
  }
};

/// The path of Proposition 1 (MODEL.md 5.2), slots t = 0..T-1: constant fundamentals, or those
/// changing by model.baseline_changes (each temporary equilibrium of the chain then takes the
/// changes dated its slot, MODEL.md 5.1's Prop-1 step with Ahat, kappahat). Every path
/// (mu, L, te, Cdot) is recomputed once from the returned (averaged) Y, so they agree with it.
struct SequentialBaseline {
  /// [T][M] value changes Y_t = udot_t^{1/nu} = exp((V_t - V_{t-1})/nu) (E12); rows 0 and T-1
  /// are 1 (slot 0 is never updated, the horizon is truncated with Y_{T-1} = 1).
  Matrix Y;
  /// T dense [M][M] migration matrices, mu[t] = mu_t: decisions at slot t, rows sum to 1 (E11):
  /// mu_0 = rownorm(mu0 col(Y_1^beta)), mu_t = rownorm(mu_{t-1} col(Y_{t+1}^beta)), Y_T = 1.
  std::vector<Matrix> mu;
  Matrix L;  ///< [T][M] labor, row t = slot t; row 0 = model.L0; L_{t+1} = mu_t^T L_t (E13)
  /// [T][M] real-wage change Cdot_t = wdot/Pdot of the temporary equilibrium at slot t (E12);
  /// 1 in rows 0 and T-1 and for non-employment (q = 0).
  Matrix Cdot;
  /// [T][M] real wage relative to slot 0: product of Cdot_1..Cdot_t; row 0 = 1.
  Matrix real_wage;
  /// T - 1 temporary equilibria, te[t] at slot t = 0..T-2 (omega, wage, trade shares, VAL, VAR,
  /// prices are time changes from slot t-1). te[0] is the base year itself: omega = wage = prices
  /// = real wage = 1, the base-year trade shares, VAL and VAR; its expenditure is left empty.
  std::vector<StaticSolution> te;
  /// Outer iteration: residual_history[k] = err of iteration k+1, residual the last err,
  /// converged when err < tol before max_iterations; seconds = the whole solve.
  IterationReport report;
};

/// A counterfactual relative to a SequentialBaseline (Proposition 2 as the replication implements
/// it, MODEL.md section 4 and 5.3): agents learn the changed path at slot 1, slot-0 decisions are
/// the baseline's. Every path is recomputed once from the returned (averaged) Yh.
struct SequentialCounterfactual {
  /// [T][M] MODEL.md section 4's Y (the replication's V, E28): Yh_t = (u'dot_t / udot_t)^{1/nu};
  /// Yh_1 = exp((V'_1 - V_1)/nu) is the level jump at the news; rows 0 and T-1 are 1.
  Matrix Yh;
  /// T dense [M][M] counterfactual migration matrices mu'_t (E27): mu'_0 = mu_0 (baseline),
  /// mu'_1 = rownorm(mu_1 col(Yh_1^beta) col(Yh_2^beta)), mu'_{t+1} = rownorm((mu_{t+1} / mu_t)
  /// mu'_t col(Yh_{t+2}^beta)) with NaN -> 0 and Yh_T = 1. mu'_{T-1} (that recursion once more)
  /// is not used by the labor path; it is kept so that both paths list T matrices.
  std::vector<Matrix> mu;
  /// [T][M] labor L'_t: L'_0 = L_0, L'_1 = L_1 (baseline), L'_{t+1} = mu'_t^T L'_t (E29).
  Matrix L;
  /// [T][M] hat-hat real wage (wdot'/wdot)/Pdot-hat-hat of the counterfactual temporary
  /// equilibrium at slot t (E24-E26); 1 in rows 0 and T-1 and for non-employment.
  Matrix Chh;
  /// [T][M] counterfactual real wage relative to the base year (slot 0): the baseline's
  /// real_wage times the product of Chh_1..Chh_t.
  Matrix real_wage;
  /// T - 1 counterfactual temporary equilibria, te[t] at slot t = 0..T-2 in time changes
  /// (omega = omega'dot, wage = w'dot, trade shares pi'_t, ...); te[0] is the base year as in
  /// SequentialBaseline::te. real_wage is Chh, price_index the hat-hat price index.
  std::vector<StaticSolution> te;
  IterationReport report;  ///< as SequentialBaseline::report, err on Yh
};

/// MODEL.md 5.2 with a tight tolerance: Y = 1; repeat (1) mu path, (2) labor path, (3) the chain
/// of temporary equilibria from the base year with Ldot_t = L_t / L_{t-1}, (4) Y_new (E12),
/// (5) err and Y <- (Y_new + Y)/2 until err < tol. Non-convergence of the outer loop is reported
/// in report.converged; a temporary equilibrium that fails to converge throws NotConverged.
SequentialBaseline sequential_baseline(const DynamicModel& model,
                                       const SequentialOptions& options = {});

/// MODEL.md 5.3 with a tight tolerance: Yh = 1; repeat (i) mu' by E27, (ii) L' by E29, (iii) the
/// chain of counterfactual temporary equilibria from the base year (rho = pi_t / pi_{t-1},
/// omega0 = omega_init = baseline omega_t, wdot0 = baseline wdot_t, Ahat and kappahat the
/// changes dated slot t), (iv) Yh_new by E28, (v) err and Yh <- (Yh_new + Yh)/2. `baseline` must
/// come from sequential_baseline on the same model.
SequentialCounterfactual sequential_counterfactual(const DynamicModel& model,
                                                   const SequentialBaseline& baseline,
                                                   const FundamentalChanges& changes,
                                                   const SequentialOptions& options = {});

/// The small dynamic test economy: synthetic_economy with J = 3, N = 6, R = 3, its base-year
/// equilibrium at tol 1e-13, synthetic_mobility (3 regions, 4 slots) for mu0 and L0, nu = 2.
///
/// beta sets the cost. The 1/2-relaxed Picard loop contracts by about (1 + beta)/2 per iteration:
/// the counterfactual exactly so, because E28's slot 1 holds Yh_1^beta on both sides; the
/// baseline speeds up once the backward sweep has crossed the T slots. Measured at T = 30 and
/// tol 1e-12, outer iterations (seconds) of the baseline / a productivity-gain counterfactual on
/// 2 cores shared with other jobs: beta = 0.5: 70 (3.3 s) / 80 (3.7 s); beta = 0.7: 106 (5.3 s)
/// / 140 (6.0 s); beta = 0.9: 207 (10 s) / 442 (18 s). Hence the default 0.7; CDP's quarterly
/// 0.99 would take thousands.
DynamicModel small_dynamic_model(std::uint64_t seed, std::size_t periods = 30, double beta = 0.7);

/// The fast path solver's options for comparisons on small economies: outer 1e-12 in log Y,
/// temporary equilibria 1e-13 (as tight as they reliably converge).
inline DynamicOptions tight_dynamic_options() {
  DynamicOptions o;
  o.tol = 1e-12;
  o.te.tol = 1e-13;
  return o;
}

}  // namespace dynhat::testing
