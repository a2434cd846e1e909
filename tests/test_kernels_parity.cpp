// Tier 2: CUDA vs CPU on the same seeded data with planted edge cases (zero rows and columns of
// mu0, an empty origin market, logits beyond +-700), for every kernel and both solvers, at
// M in {7, 1150, 3000}. Bound: normwise relative error <= 10 eps sqrt(M) (ARCHITECTURE.md 7),
// scaled by the logit magnitude where exp() turns absolute into relative error.
// Skips loudly without a GPU; DYNHAT_REQUIRE_GPU=1 makes the skip a failure.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>

#include "dynhat/error.hpp"
#include "dynhat/household.hpp"
#include "dynhat/synthetic.hpp"
#include "support/backend_test.hpp"
#include "support/fixtures.hpp"
#include "support/kernel_runner.hpp"

namespace dynhat {
namespace {

using testing::normwise_error;
using testing::random_matrix;
using testing::random_migration;
using testing::random_vector;

constexpr double kEps = std::numeric_limits<double>::epsilon();
double bound(std::size_t n, double magnitude = 1.0) {
  return 10.0 * kEps * std::sqrt(static_cast<double>(n)) * std::max(1.0, magnitude);
}

/// MAGMA-style line: what was compared, the error, the bound, ok/FAILED.
void report(const char* what, std::size_t m, double error, double limit) {
  std::printf("  %-28s M=%-5zu error %.2e  bound %.2e  %s\n", what, m, error, limit,
              error <= limit ? "ok" : "FAILED");
  EXPECT_LE(error, limit) << what << " at M = " << m;
}

class CudaParity : public testing::BackendParity,
                   public ::testing::WithParamInterface<std::size_t> {};

TEST_P(CudaParity, RowLogsumexpAndTransposeApply) {
  const std::size_t m = GetParam();
  const Context cpu(Backend::cpu), gpu(Backend::cuda);
  Matrix tau = random_matrix(m, m, 0.0, 10.0, 101);
  for (std::size_t i = 0; i < m; i += 5) tau(i, (i * 7) % m) = i % 2 ? 750.0 * 2.0 : -750.0 * 2.0;
  const std::vector<double> v = random_vector(m, -5.0, 5.0, 102);
  std::vector<double> w = random_vector(m, 0.0, 10.0, 103);
  w[m / 2] = 0.0;
  const double a_scale = -0.5, v_scale = 0.495;
  const auto c = testing::run_row_logsumexp(cpu, tau, a_scale, v, v_scale, true);
  const auto g = testing::run_row_logsumexp(gpu, tau, a_scale, v, v_scale, true);
  report("row_logsumexp lse", m, normwise_error(g.lse, c.lse), bound(m));
  report("row_logsumexp shares", m, normwise_error(g.shares.data, c.shares.data), bound(m, 750.0));
  const auto cm = testing::run_row_logsumexp(cpu, tau, 1.0, {}, 0.0, false);
  const auto gm = testing::run_row_logsumexp(gpu, tau, 1.0, {}, 0.0, false);
  report("row_logsumexp matrix form", m, normwise_error(gm.lse, cm.lse), bound(m));
  const auto out_c = testing::run_softmax_transpose_apply(cpu, tau, a_scale, v, v_scale, c.lse, w);
  const auto out_g = testing::run_softmax_transpose_apply(gpu, tau, a_scale, v, v_scale, c.lse, w);
  report("softmax_transpose_apply", m, normwise_error(out_g, out_c), bound(m, 750.0));
}

TEST_P(CudaParity, FactorisedPathPrimitives) {
  const std::size_t m = GetParam();
  const std::size_t slots = 24;
  const Context cpu(Backend::cpu), gpu(Backend::cuda);
  const Matrix mu0 = random_migration(m, 111);  // zero column m/2, a stay-only row
  const Matrix log_y = random_matrix(slots, m, -0.05, 0.05, 112);
  std::vector<double> L0 = random_vector(m, 0.0, 1000.0, 113);
  L0[m / 2] = 0.0;
  const Matrix wage = random_matrix(slots, m, 0.9, 1.1, 114);
  const auto c = testing::run_migration_path(cpu, mu0, log_y, L0, wage, 0.99, 5.3436);
  const auto g = testing::run_migration_path(gpu, mu0, log_y, L0, wage, 0.99, 5.3436);
  report("column_scalings c", m, normwise_error(g.c.data, c.c.data), bound(slots));
  report("column_scalings shift", m, normwise_error(g.shift, c.shift), bound(slots));
  report("scaled_row_sums", m, normwise_error(g.r.data, c.r.data), bound(m));
  report("labor_chain", m, normwise_error(g.L.data, c.L.data), slots * bound(m));
  report("value_update", m, normwise_error(g.log_y_new.data, c.log_y_new.data), bound(m, 10.0));
  report("backward_value_sweep", m, normwise_error(g.swept.data, c.swept.data),
         slots * bound(m, 10.0));
}

TEST_P(CudaParity, VectorHelpers) {
  const std::size_t n = GetParam() * 37;
  const Context cpu(Backend::cpu), gpu(Backend::cuda);
  const std::vector<double> a = random_vector(n, -1.0, 1.0, 121);
  const std::vector<double> b = random_vector(n, -1.0, 1.0, 122);
  const Matrix X = random_matrix(5, n, -1.0, 1.0, 123);
  const double coef[5] = {0.5, -1.0, 0.25, 2.0, -0.125};
  auto run = [&](const Context& ctx, kernels::DiffRange& range, std::vector<double>& dots,
                 std::vector<double>& y, std::vector<double>& avg) {
    const DeviceArray a_d(ctx, a), b_d(ctx, b), X_d(ctx, X.data);
    range = kernels::diff_range(ctx, n, a_d.data(), b_d.data());
    dots.assign(5, 0.0);
    kernels::dot_rows(ctx, 5, n, X_d.data(), a_d.data(), dots.data());
    DeviceArray y_d(ctx, b);
    kernels::axpby(ctx, n, 2.0, a_d.data(), -0.5, y_d.data());
    kernels::subtract_combination(ctx, 5, n, X_d.data(), coef, y_d.data());
    y = y_d.to_host();
    DeviceArray avg_d(ctx, b);
    kernels::average_in_levels(ctx, n, a_d.data(), avg_d.data());
    avg = avg_d.to_host();
  };
  kernels::DiffRange rc, rg;
  std::vector<double> dc, dg, yc, yg, ac, ag;
  run(cpu, rc, dc, yc, ac);
  run(gpu, rg, dg, yg, ag);
  EXPECT_EQ(rc.min, rg.min);  // min and max are exact
  EXPECT_EQ(rc.max, rg.max);
  report("dot_rows", n, normwise_error(dg, dc), bound(n));
  report("axpby + subtract_combination", n, normwise_error(yg, yc), bound(5));
  report("average_in_levels", n, normwise_error(ag, ac), bound(1, 2.0));
}

TEST_P(CudaParity, HouseholdSolvers) {
  const std::size_t m = GetParam();
  const Context cpu(Backend::cpu), gpu(Backend::cuda);
  // Hat path: synthetic mobility with 5 markets per region (7 = one region of 7 markets).
  const std::size_t per_region = m == 7 ? 7 : 25;
  const std::size_t regions = m / per_region;
  SyntheticMobility s = synthetic_mobility(regions, per_region, 131);
  HatProblem hat;
  hat.mu0 = std::move(s.mu0);
  hat.L0 = std::move(s.L0);
  hat.real_wage = phased_real_wage(regions, per_region, 40, {0, 1, 2}, 1.2, 12);
  HatOptions options;
  options.tol = 1e-12;
  const HatResult hc = solve_household_hat(cpu, hat, options);
  const HatResult hg = solve_household_hat(gpu, hat, options);
  ASSERT_TRUE(hc.report.converged && hg.report.converged);
  // Both converged to 1e-12 in log Y; the iterates differ by rounding only.
  report("hat Y", m, normwise_error(hg.Y.data, hc.Y.data), 1e-10);
  report("hat L", m, normwise_error(hg.L.data, hc.L.data), 1e-10);

  LevelsProblem lv;
  lv.tau = random_matrix(m, m, 0.0, 10.0, 132);
  lv.utility = random_matrix(20, m, -1.0, 1.0, 133);
  lv.L0 = random_vector(m, 0.0, 10.0, 134);
  lv.beta = 0.95;
  lv.nu = 2.0;
  const LevelsResult lc = solve_household_levels(cpu, lv);
  const LevelsResult lg = solve_household_levels(gpu, lv);
  ASSERT_TRUE(lc.stationary.converged && lg.stationary.converged);
  report("levels V", m, normwise_error(lg.V.data, lc.V.data), 1e-11);  // both within 1e-12 bound
  report("levels L", m, normwise_error(lg.L.data, lc.L.data), 1e-11);
}

INSTANTIATE_TEST_SUITE_P(Sizes, CudaParity, ::testing::Values(7, 1150, 3000));

TEST(CudaBackend, AskingWithoutADeviceIsAClearError) {
  if (cuda_device_count() > 0) GTEST_SKIP() << "a CUDA device is present";
  try {
    Context ctx(Backend::cuda);
    FAIL() << "creating a CUDA context without a device must throw";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_TRUE(what.find("CUDA") != std::string::npos) << what;
  }
}

}  // namespace
}  // namespace dynhat
