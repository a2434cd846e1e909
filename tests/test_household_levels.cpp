// Levels household solver (E1-E3): a hand-derived stationary value, the Bellman equation along
// the path, conservation of labor, and Proposition 1: the hat-algebra path run from mu_{-1}, L_0
// and the implied real-wage changes alone reproduces the levels migration shares and labor.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "dynhat/household.hpp"
#include "support/fixtures.hpp"
#include "support/naive_kernels.hpp"

namespace dynhat {
namespace {

using testing::random_matrix;
using testing::random_vector;

TEST(HouseholdLevels, StationaryValueWithoutMovingCostsIsHandDerived) {
  // tau = 0 and U = u everywhere: V = u + nu log(M exp(beta V / nu)) = u + nu log M + beta V,
  // so V = (u + nu log M) / (1 - beta) in every market.
  const Context ctx(Backend::cpu);
  const std::size_t m = 9;
  const double beta = 0.95, nu = 2.0, u = 0.3;
  IterationReport report;
  LevelsOptions options;
  options.tol = 1e-12;
  const std::vector<double> v = stationary_values(ctx, Matrix(m, m, 0.0), std::vector<double>(m, u),
                                                  beta, nu, options, report);
  const double expect = (u + nu * std::log(static_cast<double>(m))) / (1.0 - beta);
  ASSERT_TRUE(report.converged);
  for (double x : v)
    EXPECT_NEAR(x, expect, 1e-10 * expect);  // bound 1e-12 + rounding of 1/(1-beta)
}

TEST(HouseholdLevels, StationaryValueIsAFixedPointWithinItsBound) {
  const Context ctx(Backend::cpu);
  const std::size_t m = 40;
  const double beta = 0.99, nu = 5.3436;
  Matrix tau = random_matrix(m, m, 0.0, 20.0, 3);
  for (std::size_t i = 0; i < m; ++i) tau(i, i) = 0.0;
  const std::vector<double> u = random_vector(m, -1.0, 1.0, 4);
  IterationReport report;
  const std::vector<double> v = stationary_values(ctx, tau, u, beta, nu, {}, report);
  ASSERT_TRUE(report.converged);
  EXPECT_LE(report.residual, 1e-12);
  EXPECT_EQ(report.residual_history.size(), static_cast<std::size_t>(report.iterations));
  const std::vector<double> lse = naive::row_logsumexp(naive::logits(tau, -1.0 / nu, v, beta / nu));
  double v_max = 0.0;
  for (double x : v) v_max = std::max(v_max, std::abs(x));
  for (std::size_t i = 0; i < m; ++i) {
    // |TV - V| <= (1 + beta) |V - V*| <= (1 + beta) tol |V|_inf; rounding adds ~1e-13 |V|.
    EXPECT_NEAR(u[i] + nu * lse[i], v[i], (1 + beta) * 1e-12 * v_max + 1e-13 * std::abs(v[i]))
        << "market " << i;
  }
}

TEST(HouseholdLevels, NonConvergenceIsReportedNotHidden) {
  const Context ctx(Backend::cpu);
  LevelsOptions options;
  options.max_iterations = 3;
  IterationReport report;
  stationary_values(ctx, random_matrix(5, 5, 0.0, 1.0, 5), random_vector(5, 0.0, 1.0, 6), 0.99, 1.0,
                    options, report);
  EXPECT_FALSE(report.converged);
  EXPECT_EQ(report.iterations, 3);
  EXPECT_EQ(report.residual_history.size(), 3u);
  EXPECT_GT(report.residual, options.tol);
}

struct LevelsFixture {
  LevelsProblem problem;
  LevelsResult result;
};

/// 4 regions x 3 markets, T = 40, a utility rise phased in over 10 periods in 4 markets.
LevelsFixture solve_shocked_levels(const Context& ctx) {
  const std::size_t m = 12, periods = 40;
  LevelsFixture f;
  f.problem.tau = random_matrix(m, m, 0.5, 4.0, 7);
  for (std::size_t i = 0; i < m; ++i) f.problem.tau(i, i) = 0.0;
  f.problem.utility = Matrix(periods, m);
  const std::vector<double> base = random_vector(m, -0.5, 0.5, 8);
  for (std::size_t t = 0; t < periods; ++t) {
    for (std::size_t i = 0; i < m; ++i) {
      const double rise =
          (i % 3 == 1) ? 0.2 * std::min<double>(static_cast<double>(t), 10.0) / 10.0 : 0.0;
      f.problem.utility(t, i) = base[i] + rise;
    }
  }
  f.problem.L0 = random_vector(m, 10.0, 100.0, 9);
  f.problem.beta = 0.95;
  f.problem.nu = 2.0;
  LevelsOptions options;
  options.keep_shares = true;
  f.result = solve_household_levels(ctx, f.problem, options);
  return f;
}

TEST(HouseholdLevels, PathSatisfiesBellmanSharesAndLaborLaw) {
  const Context ctx(Backend::cpu);
  const LevelsFixture f = solve_shocked_levels(ctx);
  const std::size_t m = f.problem.tau.rows, periods = f.problem.utility.rows;
  const double beta = f.problem.beta, nu = f.problem.nu;
  ASSERT_TRUE(f.result.stationary.converged);
  ASSERT_EQ(f.result.V.rows, periods + 1);
  ASSERT_EQ(f.result.shares.size(), periods);
  const double total = std::accumulate(f.problem.L0.begin(), f.problem.L0.end(), 0.0);
  for (std::size_t t = 0; t < periods; ++t) {
    const std::vector<double> next(f.result.V.row(t + 1), f.result.V.row(t + 1) + m);
    const Matrix z = naive::logits(f.problem.tau, -1.0 / nu, next, beta / nu);
    const std::vector<double> lse = naive::row_logsumexp(z);
    const Matrix mu = naive::softmax(z);
    const std::vector<double> labor(f.result.L.row(t), f.result.L.row(t) + m);
    const std::vector<double> pushed = naive::transpose_apply(mu, labor);
    for (std::size_t i = 0; i < m; ++i) {
      // E1 at t: same floating-point terms, different summation order (1e-13 of |V| ~ 20).
      EXPECT_NEAR(f.result.V(t, i), f.problem.utility(t, i) + nu * lse[i], 1e-12);
      EXPECT_NEAR(f.result.L(t + 1, i), pushed[i], 1e-12 * total);  // E3
      double row = 0.0;
      for (std::size_t k = 0; k < m; ++k) {
        EXPECT_NEAR(f.result.shares[t](i, k), mu(i, k), 1e-14);  // E2
        row += f.result.shares[t](i, k);
      }
      EXPECT_NEAR(row, 1.0, 1e-14);
    }
    const double s = std::accumulate(f.result.L.row(t + 1), f.result.L.row(t + 1) + m, 0.0);
    EXPECT_NEAR(s, total, 1e-12 * total);  // labor conserved
  }
  // The last period's utility is permanent: V_{T-1} = V_T (the stationary V).
  for (std::size_t i = 0; i < m; ++i) {
    EXPECT_NEAR(f.result.V(periods - 1, i), f.result.V(periods, i), 1e-11);
  }
}

TEST(HouseholdLevels, HatAlgebraFromLevelsDataRecoversLevelsPath) {
  // Proposition 1. Hat slot t <-> levels period t + 1: mu_{-1} = mu_0 (levels), L_0 = L_1,
  // Cdot_t = C_{t+1}/C_t = exp(U_{t+1} - U_t) (levels periods), with U_T = U_{T-1} (permanent).
  const Context ctx(Backend::cpu);
  const LevelsFixture f = solve_shocked_levels(ctx);
  const std::size_t m = f.problem.tau.rows, periods = f.problem.utility.rows;
  const double beta = f.problem.beta, nu = f.problem.nu;

  HatProblem hat;
  hat.mu0 = f.result.shares[0];
  hat.L0.assign(f.result.L.row(1), f.result.L.row(1) + m);
  hat.real_wage = Matrix(periods, m, 1.0);
  for (std::size_t t = 0; t < periods; ++t) {
    const std::size_t next = std::min(t + 1, periods - 1);
    for (std::size_t i = 0; i < m; ++i) {
      hat.real_wage(t, i) = std::exp(f.problem.utility(next, i) - f.problem.utility(t, i));
    }
  }
  hat.beta = beta;
  hat.nu = nu;
  HatOptions options;
  options.tol = 1e-13;
  const HatResult h = solve_household_hat(ctx, hat, options);
  ASSERT_TRUE(h.report.converged) << "residual " << h.report.residual;

  // The levels V carries its solver's error bound, 1e-12 max(1, |V|) with |V| <= 72 here, and the
  // hat path 1e-13 in log Y. Y = exp(dV / nu) would differ by up to 2 x 7.2e-11 / nu = 7e-11 if
  // consecutive V's erred in opposite directions; they do not (the stationary V's error passes to
  // every period alike). Measured: 4.3e-14 (Y, relative), 2.8e-14 (mu), 1.6e-14 (L / total);
  // 1e-11 is over 200x that.
  const double tol = 1e-11;
  for (std::size_t t = 1; t + 1 < periods; ++t) {
    for (std::size_t i = 0; i < m; ++i) {
      const double levels_y = std::exp((f.result.V(t + 1, i) - f.result.V(t, i)) / nu);
      EXPECT_NEAR(h.Y(t, i), levels_y, tol * levels_y) << "Y slot " << t << " market " << i;
    }
  }
  for (std::size_t t = 0; t + 1 < periods; ++t) {
    const Matrix mu = migration_shares(hat.mu0, h.Y, beta, t);
    for (std::size_t k = 0; k < m * m; ++k) {
      ASSERT_NEAR(mu.data[k], f.result.shares[t + 1].data[k], tol) << "mu slot " << t;
    }
  }
  const double total = std::accumulate(hat.L0.begin(), hat.L0.end(), 0.0);
  for (std::size_t t = 0; t < periods; ++t) {
    for (std::size_t i = 0; i < m; ++i) {
      EXPECT_NEAR(h.L(t, i), f.result.L(t + 1, i), tol * total) << "L slot " << t;
    }
  }
}

}  // namespace
}  // namespace dynhat
