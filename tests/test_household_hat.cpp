// Hat-algebra household path (E11-E13): zero shock, Picard = Anderson, the factorised path equal
// to the explicitly recursed one (E11 matrices formed slot by slot), labor conservation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>

#include "dynhat/error.hpp"
#include "dynhat/household.hpp"
#include "dynhat/synthetic.hpp"
#include "household/migration_path.hpp"
#include "support/fixtures.hpp"
#include "support/naive_kernels.hpp"

namespace dynhat {
namespace {

/// 6 regions x 5 markets, T = 40, real wages of sectors 0-1 x1.3 over 12 slots.
HatProblem small_problem() {
  SyntheticMobility s = synthetic_mobility(6, 5, 17);
  HatProblem p;
  p.mu0 = std::move(s.mu0);
  p.L0 = std::move(s.L0);
  p.real_wage = phased_real_wage(6, 5, 40, {0, 1}, 1.3, 12);
  p.beta = 0.99;
  p.nu = 5.3436;
  return p;
}

TEST(HouseholdHat, ZeroShockGivesUnitValuesAndTheMu0Chain) {
  const Context ctx(Backend::cpu);
  HatProblem p = small_problem();
  p.real_wage = Matrix(p.real_wage.rows, p.mu0.rows, 1.0);
  const HatResult h = solve_household_hat(ctx, p);
  ASSERT_TRUE(h.report.converged);
  EXPECT_EQ(h.report.iterations, 1);
  for (double y : h.Y.data) EXPECT_EQ(y, 1.0);  // log Y = 0 + log 1 - log 1 + 0 exactly
  std::vector<double> labor = p.L0;
  for (std::size_t t = 0; t < p.real_wage.rows; ++t) {
    labor = naive::transpose_apply(p.mu0, labor);
    for (std::size_t i = 0; i < labor.size(); ++i) {
      EXPECT_NEAR(h.L(t + 1, i), labor[i], 1e-12 * labor[i] + 1e-300);
    }
  }
}

/// small_problem()'s mu0 with its flows below the row's mean set to 0 (the diagonal kept) and
/// the rows renormalised: most entries zero, as fine geographies have.
HatProblem sparse_problem() {
  HatProblem p = small_problem();
  const std::size_t m = p.mu0.rows;
  for (std::size_t i = 0; i < m; ++i) {
    double sum = 0.0;
    for (std::size_t k = 0; k < m; ++k) {
      if (k != i && p.mu0(i, k) < 1.0 / static_cast<double>(m)) p.mu0(i, k) = 0.0;
      sum += p.mu0(i, k);
    }
    for (std::size_t k = 0; k < m; ++k) p.mu0(i, k) /= sum;
  }
  return p;
}

double max_abs_difference(const Matrix& a, const Matrix& b) {
  double worst = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k)
    worst = std::max(worst, std::abs(a.data[k] - b.data[k]));
  return worst;
}

// mu0 kept as CSR (converted from the dense matrix, or given sparse) solves the same path as
// dense: the products sum in other orders, and each solve stops at a residual of 1e-13, which
// leaves ~1e-13 / (1 - beta) = 1e-11 between the two fixed points; 1e-10 leaves 10x (log Y, and
// labor relative to the largest L0).
TEST(HouseholdHat, SparseMu0GivesTheDensePath) {
  const Context ctx(Backend::cpu);
  const HatProblem dense_problem = sparse_problem();
  const SparseMatrix csr = to_sparse(dense_problem.mu0);
  ASSERT_LT(csr.nonzeros(), dense_problem.mu0.size() / 2);
  HatOptions options;
  options.tol = 1e-13;
  const HatResult dense = solve_household_hat(ctx, dense_problem, options);
  options.mu0_storage = Mu0Storage::sparse;
  const HatResult stored = solve_household_hat(ctx, dense_problem, options);
  HatProblem given = dense_problem;
  given.mu0 = Matrix();
  given.mu0_sparse = csr;
  options.mu0_storage = Mu0Storage::dense;  // ignored: a sparse mu0 stays sparse
  const HatResult direct = solve_household_hat(ctx, given, options);
  const double scale = *std::max_element(dense_problem.L0.begin(), dense_problem.L0.end());
  for (const HatResult* h : {&stored, &direct}) {
    ASSERT_TRUE(h->report.converged);
    Matrix log_a = h->Y, log_b = dense.Y;
    for (double& y : log_a.data) y = std::log(y);
    for (double& y : log_b.data) y = std::log(y);
    EXPECT_LT(max_abs_difference(log_a, log_b), 1e-10);
    EXPECT_LT(max_abs_difference(h->L, dense.L) / scale, 1e-10);
  }
  EXPECT_EQ(stored.Y.data, direct.Y.data);  // the same CSR either way
  // The sparse problem's rules are the dense one's: a row that does not sum to 1 is named.
  given.mu0_sparse.values[0] *= 2.0;
  try {
    solve_household_hat(ctx, given, options);
    ADD_FAILURE() << "no error";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("mu0 row 0 sums to"), std::string::npos) << e.what();
  }
}

// mu0 stored as floats: each entry rounded to 24 bits (relative <= 2^-24 = 6e-8), so the row sums
// r_t move by at most that much relative, log Y_t = ... + log r_t - log r_{t-1} by twice it per
// slot, and the fixed point, whose map has gain 1 / (1 - beta) = 100, by at most ~1.2e-5 in
// log Y. The roundings mostly cancel; measured on this problem (M = 30, T = 40): 2.7e-10 in log Y
// and 1.8e-8 in labor relative to the largest L0 (the bounds below are the derived worst case).
TEST(HouseholdHat, Float32Mu0MovesThePathByItsRounding) {
  const Context ctx(Backend::cpu);
  const HatProblem p = small_problem();
  HatOptions options;
  options.tol = 1e-13;
  const HatResult dense = solve_household_hat(ctx, p, options);
  options.mu0_storage = Mu0Storage::float32;
  const HatResult single = solve_household_hat(ctx, p, options);
  ASSERT_TRUE(dense.report.converged && single.report.converged);
  Matrix log_a = single.Y, log_b = dense.Y;
  for (double& y : log_a.data) y = std::log(y);
  for (double& y : log_b.data) y = std::log(y);
  const double scale = *std::max_element(p.L0.begin(), p.L0.end());
  const double log_y_error = max_abs_difference(log_a, log_b);
  const double labor_error = max_abs_difference(single.L, dense.L) / scale;
  std::printf("float32 mu0: max |d log Y| = %.3g, max |d L| / max L0 = %.3g\n", log_y_error,
              labor_error);
  EXPECT_GT(log_y_error, 0.0);  // the rounding shows
  EXPECT_LT(log_y_error, 1.2e-5);
  EXPECT_LT(labor_error, 1.2e-5);
  // Labor is still conserved to rounding: every mu_t is row-normalised by its own row sums.
  const double total = std::accumulate(p.L0.begin(), p.L0.end(), 0.0);
  for (std::size_t t = 1; t < single.L.rows; ++t) {
    EXPECT_NEAR(std::accumulate(single.L.row(t), single.L.row(t) + single.L.cols, 0.0), total,
                1e-12 * total);
  }
}

TEST(HouseholdHat, PicardAndAndersonReachTheSameFixedPoint) {
  const Context ctx(Backend::cpu);
  const HatProblem p = small_problem();
  HatOptions options;
  options.tol = 1e-12;
  options.method = OuterMethod::picard;
  const HatResult picard = solve_household_hat(ctx, p, options);
  options.method = OuterMethod::anderson;
  const HatResult anderson = solve_household_hat(ctx, p, options);
  ASSERT_TRUE(picard.report.converged);
  ASSERT_TRUE(anderson.report.converged);
  // The Picard map contracts at rate <= beta^... near 1: a step of 1e-12 leaves an error of up to
  // ~1e-12 / (1 - rate); 1e-9 is a safe common bound for both fixed points.
  for (std::size_t k = 0; k < picard.Y.size(); ++k) {
    ASSERT_NEAR(picard.Y.data[k], anderson.Y.data[k], 1e-9) << "entry " << k;
  }
  EXPECT_LT(3 * anderson.report.iterations, picard.report.iterations);
  // Residual histories are kept and end at the reported residual.
  EXPECT_EQ(picard.report.residual_history.back(), picard.report.residual);
  EXPECT_EQ(anderson.report.residual_history.size(),
            static_cast<std::size_t>(anderson.report.iterations));
}

TEST(HouseholdHat, FactorisedPathEqualsExplicitRecursion) {
  const Context ctx(Backend::cpu);
  const HatProblem p = small_problem();
  HatOptions options;
  options.tol = 1e-13;
  const HatResult h = solve_household_hat(ctx, p, options);
  ASSERT_TRUE(h.report.converged);
  const std::size_t m = p.mu0.rows, slots = p.real_wage.rows;
  const double beta = p.beta, nu = p.nu;

  // E11 slot by slot with explicit M x M matrices: mu_t = rownorm(mu_{t-1} * col(Y_{t+1}^beta)).
  Matrix previous = p.mu0;  // mu_{-1}
  std::vector<double> labor = p.L0;
  const double total = std::accumulate(labor.begin(), labor.end(), 0.0);
  for (std::size_t t = 0; t < slots; ++t) {
    Matrix mu(m, m);
    for (std::size_t i = 0; i < m; ++i) {
      double sum = 0.0;
      for (std::size_t k = 0; k < m; ++k) {
        const double y_next = t + 1 < slots ? h.Y(t + 1, k) : 1.0;
        sum += mu(i, k) = previous(i, k) * std::pow(y_next, beta);
      }
      for (std::size_t k = 0; k < m; ++k) mu(i, k) /= sum;
    }
    // E12 with the explicit matrices: the solution is its fixed point (1e-13 in log Y, 1e-11
    // after the exp and the sums).
    if (t >= 1 && t + 1 < slots) {
      for (std::size_t i = 0; i < m; ++i) {
        double s = 0.0;
        for (std::size_t k = 0; k < m; ++k) s += previous(i, k) * std::pow(h.Y(t + 1, k), beta);
        EXPECT_NEAR(h.Y(t, i), std::pow(p.real_wage(t, i), 1.0 / nu) * s, 1e-11)
            << "slot " << t << " market " << i;
      }
    }
    // The factorised shares and labor (E13) equal the recursed ones.
    const Matrix factorised = migration_shares(p.mu0, h.Y, beta, t);
    for (std::size_t k = 0; k < m * m; ++k) ASSERT_NEAR(factorised.data[k], mu.data[k], 1e-14);
    labor = naive::transpose_apply(mu, labor);
    for (std::size_t i = 0; i < m; ++i) {
      EXPECT_NEAR(h.L(t + 1, i), labor[i], 1e-12 * total) << "slot " << t + 1;
    }
    const double s = std::accumulate(h.L.row(t + 1), h.L.row(t + 1) + m, 0.0);
    EXPECT_NEAR(s, total, 1e-12 * total);  // labor conserved
    previous = mu;
  }
}

TEST(HouseholdHat, NonConvergenceKeepsTheHistory) {
  const Context ctx(Backend::cpu);
  HatOptions options;
  options.max_iterations = 4;
  options.method = OuterMethod::picard;
  const HatResult h = solve_household_hat(ctx, small_problem(), options);
  EXPECT_FALSE(h.report.converged);
  EXPECT_EQ(h.report.iterations, 4);
  EXPECT_EQ(h.report.residual_history.size(), 4u);
  EXPECT_GT(h.report.residual, options.tol);
}

TEST(HouseholdHat, ProgressCallbackSeesEveryIteration) {
  const Context ctx(Backend::cpu);
  HatOptions options;
  std::vector<double> seen;
  options.progress = [&](int iteration, double residual, double seconds) {
    EXPECT_EQ(static_cast<std::size_t>(iteration), seen.size() + 1);
    EXPECT_GE(seconds, 0.0);
    seen.push_back(residual);
  };
  const HatResult h = solve_household_hat(ctx, small_problem(), options);
  EXPECT_EQ(seen, h.report.residual_history);
}

}  // namespace
}  // namespace dynhat

namespace dynhat {
namespace {

// A value path far from its start: news at slot 1 of permanent real-wage changes (x2..x30 in a
// third of the markets, /2../30 in a seventh) from the zero-shock path. The preconditioned
// Anderson iteration diverges at its first step there (the preconditioner leaves out the shares'
// drift); solve_value_path_from's Newton steps converge, to the path the replication's
// 1/2-relaxed Picard iteration reaches (a contraction, thousands of iterations here): both to
// 1e-13 on the residual, so within ~1e-13 / (1 - beta) = 1e-11 of the solution; 1e-10 leaves 10x.
// The news slot's block is solved both ways, by its dense LU and by GMRES on it applied
// matrix-free (what grids above DynamicOptions::dense_news_block_max use).
class HouseholdHatBlock : public ::testing::TestWithParam<std::size_t> {};

TEST_P(HouseholdHatBlock, NewtonStepsSolveTheValuePathFarFromItsStart) {
  const Context ctx(Backend::cpu);
  SyntheticMobility s = synthetic_mobility(6, 5, 17);
  const std::size_t M = s.mu0.rows, T = 40;
  MigrationPath path(ctx, s.mu0, T, 0.99);
  DeviceArray zero(ctx, T * M);
  zero.fill(0.0);
  path.pin_decisions(zero, 1, GetParam());
  for (double jump : {2.0, 30.0}) {
    std::vector<double> cdot(T * M, 1.0);
    for (std::size_t m = 0; m < M; m += 3) cdot[M + m] = jump;
    for (std::size_t m = 1; m < M; m += 7) cdot[M + m] = 1.0 / jump;
    const DeviceArray wage(ctx, cdot);
    HatOptions anderson;
    anderson.tol = 1e-13;
    DeviceArray direct(ctx, T * M), newton(ctx, T * M), picard(ctx, T * M);
    direct.fill(0.0);
    newton.fill(0.0);
    picard.fill(0.0);
    EXPECT_FALSE(solve_value_path(ctx, path, wage, 0.5, direct, anderson).converged);
    const IterationReport r = solve_value_path_from(ctx, path, wage, 0.5, newton, anderson);
    ASSERT_TRUE(r.converged) << "jump " << jump << ": residual " << r.residual;
    EXPECT_LT(r.iterations, 30);
    HatOptions relaxed = anderson;
    relaxed.method = OuterMethod::picard;
    relaxed.max_iterations = 100000;
    ASSERT_TRUE(solve_value_path(ctx, path, wage, 0.5, picard, relaxed).converged);
    const std::vector<double> a = newton.to_host(), b = picard.to_host();
    for (std::size_t k = 0; k < a.size(); ++k) ASSERT_NEAR(a[k], b[k], 1e-10) << "entry " << k;
  }
}

INSTANTIATE_TEST_SUITE_P(DenseAndIterative, HouseholdHatBlock,
                         ::testing::Values(std::size_t{1} << 20, std::size_t{0}),
                         [](const ::testing::TestParamInfo<std::size_t>& param) {
                           return param.param == 0 ? std::string("Gmres") : std::string("DenseLu");
                         });

}  // namespace
}  // namespace dynhat
