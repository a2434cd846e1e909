// The chord matrix of the factor-price iteration (src/static_equilibrium/chord_matrix.hpp)
// against central finite differences of a naive excess demand, and the chord-preconditioned
// solve against the damped one.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "dynhat/dynamic.hpp"
#include "dynhat/synthetic.hpp"
#include "static_equilibrium/chord_matrix.hpp"
#include "static_equilibrium/static_batch.hpp"
#include "static_equilibrium/te_terms.hpp"
#include "support/cpu_context.hpp"

namespace dynhat {
namespace {

/// F(u) = log omegatilde(u) - u of `ref` with no shock (MODEL.md 5.1 step 2), every inner system
/// solved by plain iteration to rounding: prices by Jacobi sweeps, expenditure by X <- Omega X +
/// alpha I (a contraction: Omega's columns sum to 1 - gamma < 1).
std::vector<double> excess_demand(const Economy& e, const ReferenceState& ref,
                                  const std::vector<double>& u) {
  const Context& cpu = testing::cpu_context();
  const std::size_t J = e.sectors, N = e.regions, JN = J * N;
  const te::EffectiveShares shares = te::effective_shares(e, ref, {});
  std::vector<double> log_phat(JN, 0.0), next, log_xhat;
  for (int it = 0; it < 100000; ++it) {
    te::log_unit_costs(cpu, e, u, log_phat, log_xhat);
    te::log_price_indices(cpu, e, shares, log_xhat, next);
    double change = 0.0;
    for (std::size_t k = 0; k < JN; ++k) change = std::max(change, std::abs(next[k] - log_phat[k]));
    log_phat.swap(next);
    if (change == 0.0) break;
  }
  te::log_unit_costs(cpu, e, u, log_phat, log_xhat);
  std::vector<double> pi;
  te::trade_shares(cpu, e, shares, log_xhat, log_phat, pi);
  std::vector<double> omega(JN), labor_factor(JN, 1.0);  // labor as at the reference
  for (std::size_t k = 0; k < JN; ++k) omega[k] = std::exp(u[k]);
  const std::vector<double> income = te::income(e, ref, te::value_added_scale(omega, labor_factor));
  std::vector<double> X(JN, 0.0), Y;
  for (int it = 0; it < 100000; ++it) {
    Y = te::sales(cpu, e, pi, X);
    std::vector<double> X_next(JN);
    for (std::size_t s = 0; s < J; ++s)
      for (std::size_t i = 0; i < N; ++i) {
        double intermediate = 0.0;
        for (std::size_t j = 0; j < J; ++j) intermediate += e.G[(i * J + s) * J + j] * Y[j * N + i];
        X_next[s * N + i] = intermediate + e.alpha[s] * income[i];
      }
    double change = 0.0;
    for (std::size_t k = 0; k < JN; ++k)
      change = std::max(change, std::abs(X_next[k] - X[k]) / std::max(1.0, std::abs(X[k])));
    X.swap(X_next);
    if (change < 1e-16) break;
  }
  Y = te::sales(cpu, e, pi, X);
  const std::vector<double> implied = te::implied_omega(e, ref, Y, labor_factor);
  std::vector<double> F(JN);
  for (std::size_t k = 0; k < JN; ++k) F[k] = std::log(implied[k]) - u[k];
  return F;
}

struct Fixture {
  Economy e = synthetic_economy(3, 6, 3, 5);
  ReferenceState ref = base_year_equilibrium(testing::cpu_context(), e, [] {
    StaticOptions o;
    o.tol = 1e-13;
    return o;
  }());
};

// K inverts the Jacobian J of F at the equilibrium with the numeraire fixed: K J d = -d + c 1
// for every direction d (c = the value-added weighted mean of d), and J 1 = 0 (homogeneity).
TEST(ChordMatrix, InvertsTheJacobianOfTheExcessDemand) {
  const Fixture f;
  const Economy& e = f.e;
  const std::size_t J = e.sectors, N = e.regions, R = e.mobile_regions, JN = J * N;
  const te::ChordMatrix K(testing::cpu_context(), e, f.ref.trade_shares, f.ref.VAL, f.ref.VAR);
  // Central differences: truncation h^2 |F'''| ~ 1e-10, rounding |F| eps / h with F evaluated
  // to ~1e-15: ~1e-10. K is stored and applied in float: entries O(1-10) rounded to 6e-8
  // relative, over 12 unknowns, ~1e-8 (measured: passes at 1e-8, fails at 1e-9); 1e-7 still
  // catches any error in the linearisation, which would be O(1).
  const double h = 1e-5, tol = 1e-7;
  for (std::size_t c = 0; c < R * J + N - R; ++c) {
    std::vector<double> d(JN, 0.0);  // one mobile market (j, n), or every sector of a country
    if (c < R * J) {
      d[(c / R) * N + c % R] = 1.0;
    } else {
      for (std::size_t j = 0; j < J; ++j) d[j * N + R + c - R * J] = 1.0;
    }
    std::vector<double> up(JN), down(JN), jd(JN), step(JN, 0.0);
    for (std::size_t k = 0; k < JN; ++k) {
      up[k] = h * d[k];
      down[k] = -h * d[k];
    }
    const std::vector<double> f_up = excess_demand(e, f.ref, up),
                              f_down = excess_demand(e, f.ref, down);
    for (std::size_t k = 0; k < JN; ++k) jd[k] = (f_up[k] - f_down[k]) / (2 * h);
    K.step(1, jd.data(), step.data());  // step = 0 + K J d
    const double shift = step[0] + d[0];
    for (std::size_t k = 0; k < JN; ++k)
      EXPECT_NEAR(step[k] + d[k], shift, tol) << "direction " << c << ", entry " << k;
  }
  std::vector<double> ones(JN, 1e-3);
  const std::vector<double> at_ones = excess_demand(e, f.ref, ones);
  // F(u + c) = F(u) exactly in exact arithmetic; here F(0) ~ 1e-13 (the tolerance of ref).
  for (double x : at_ones) EXPECT_NEAR(x, 0.0, 1e-11);
}

// The chord-preconditioned iteration reaches the damped iteration's equilibrium, in far fewer
// passes near the reference (the chord contracts by ~|I - K J| per pass).
TEST(ChordMatrix, PreconditionedSolveEqualsDampedSolve) {
  const Fixture f;
  const Economy& e = f.e;
  const std::size_t J = e.sectors, N = e.regions;
  const Context& cpu = testing::cpu_context();
  const te::ChordMatrix K(cpu, e, f.ref.trade_shares, f.ref.VAL, f.ref.VAR);
  StaticShock shock;
  shock.labor.assign(J * N, 1.0);
  shock.productivity.assign(J * N, 1.0);
  for (std::size_t n = 0; n < e.mobile_regions; ++n) shock.labor[N + n] = 1.0 + 0.02 * (n + 1.0);
  shock.productivity[2 * N + N - 1] = 1.1;  // the last region (a country) in sector 2
  StaticOptions options;
  options.tol = 1e-12;
  const StaticSolution damped = solve_static(cpu, e, f.ref, shock, options);
  StaticBatch batch(cpu, e, {&f.ref}, {shock});
  batch.set_chord(0, &K);
  const StaticSolution chord = batch.solve(options).front();
  ASSERT_TRUE(damped.report.converged);
  ASSERT_TRUE(chord.report.converged);
  // K is the exact inverse Jacobian at the reference, ~5% from this equilibrium: each pass cuts
  // the residual >= 30x (measured ~100x), so 1e-2 -> 1e-12 takes <= 6 passes; the damped
  // iteration contracts by ~0.9 per pass (Anderson helps it to ~20).
  EXPECT_LE(chord.report.iterations, 6);
  EXPECT_LT(chord.report.iterations, damped.report.iterations / 3);
  // Both clear markets to 1e-12 relative; factor prices are reported at one normalisation and
  // the map's condition (theta up to 10) turns 1e-12 into <= 1e-10 in omega.
  for (std::size_t k = 0; k < J * N; ++k) {
    EXPECT_NEAR(chord.omega[k], damped.omega[k], 1e-10 * damped.omega[k]) << k;
    EXPECT_NEAR(chord.real_wage[k], damped.real_wage[k], 1e-10 * damped.real_wage[k]) << k;
  }
}

}  // namespace
}  // namespace dynhat
