// Tier 2: CUDA vs CPU on the same seeded data with planted edge cases (zero rows and columns of
// mu0, an empty origin market, logits beyond +-700), for every kernel and both solvers, at
// M in {7, 1150, 3000}. Bound: normwise relative error <= 10 eps sqrt(M) (ARCHITECTURE.md 7),
// scaled by the logit magnitude where exp() turns absolute into relative error.
// Skips loudly without a GPU; DYNHAT_REQUIRE_GPU=1 makes the skip a failure.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "dynhat/error.hpp"
#include "dynhat/household.hpp"
#include "dynhat/synthetic.hpp"
#include "kernels/kernels.hpp"
#include "runtime/device_array.hpp"
#include "support/backend_test.hpp"
#include "support/factor_price_data.hpp"
#include "support/fixtures.hpp"
#include "support/kernel_runner.hpp"
#include "support/te_terms_data.hpp"

namespace dynhat {
namespace {

using testing::normwise_error;
using testing::random_matrix;
using testing::random_migration;
using testing::random_vector;
using testing::run_te_terms;
using testing::TeData;
using testing::TeOutputs;

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

// The same primitives with mu0 stored as floats and as CSR: the GPU's products (float rows widened
// per DGEMM, warp dot products, chunked column sums; CSR one thread per row) against the CPU's
// on the same storage, with the dense storage's bounds (products and sums in double both ways).
TEST_P(CudaParity, FactorisedPathPrimitivesFromFloatAndSparseMu0) {
  const std::size_t m = GetParam();
  const std::size_t slots = 24;
  const Context cpu(Backend::cpu), gpu(Backend::cuda);
  const Matrix mu0 = random_migration(m, 115);
  const Matrix log_y = random_matrix(slots, m, -0.05, 0.05, 116);
  const std::vector<double> L0 = random_vector(m, 0.0, 1000.0, 117);
  const Matrix wage = random_matrix(slots, m, 0.9, 1.1, 118);
  for (const Mu0Storage storage : {Mu0Storage::float32, Mu0Storage::sparse}) {
    const std::string name = storage == Mu0Storage::float32 ? "float32 " : "sparse ";
    const auto c = testing::run_migration_path(cpu, mu0, log_y, L0, wage, 0.99, 5.3436, storage);
    const auto g = testing::run_migration_path(gpu, mu0, log_y, L0, wage, 0.99, 5.3436, storage);
    report((name + "scaled_row_sums").c_str(), m, normwise_error(g.r.data, c.r.data), bound(m));
    report((name + "labor_chain").c_str(), m, normwise_error(g.L.data, c.L.data), slots * bound(m));
    report((name + "backward_value_sweep").c_str(), m, normwise_error(g.swept.data, c.swept.data),
           slots * bound(m, 10.0));
  }
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
    kernels::segment_dots(ctx, 5, 1, n, X_d.data(), a_d.data(), dots.data());
    DeviceArray y_d(ctx, b);
    kernels::axpby(ctx, n, 2.0, a_d.data(), -0.5, y_d.data());
    kernels::segment_combination(ctx, 5, 1, n, X_d.data(), coef, y_d.data());
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
  report("segment_dots (one segment)", n, normwise_error(dg, dc), bound(n));
  report("axpby + segment_combination", n, normwise_error(yg, yc), bound(5));
  report("average_in_levels", n, normwise_error(ag, ac), bound(1, 2.0));
}

// A NaN anywhere in a - b makes both extremes NaN on both backends (fmin/fmax dropped it).
TEST_P(CudaParity, DiffRangeKeepsNan) {
  const std::size_t n = GetParam() * 37;
  const Context cpu(Backend::cpu), gpu(Backend::cuda);
  for (std::size_t at : {std::size_t{0}, n / 2, n - 1}) {
    std::vector<double> a = random_vector(n, -1.0, 1.0, 131);
    const std::vector<double> b = random_vector(n, -1.0, 1.0, 132);
    a[at] = NAN;
    for (const Context* ctx : {&cpu, &gpu}) {
      const DeviceArray a_d(*ctx, a), b_d(*ctx, b);
      const kernels::DiffRange d = kernels::diff_range(*ctx, n, a_d.data(), b_d.data());
      EXPECT_TRUE(std::isnan(d.min) && std::isnan(d.max))
          << to_string(ctx->backend()) << ": NaN at " << at << " of " << n;
    }
  }
}

/// Outputs of the five segment operations on one context.
struct SegmentOutputs {
  std::vector<double> dots, combined, scaled, copied, multiplied, max_diff, max_abs;
};

/// Equal entries, NaN matching NaN: the maxima of segment_max_abs_diff are exact (|a - b| is
/// correctly rounded on both backends) and NaN must propagate on both.
void expect_same_maxima(const std::vector<double>& g, const std::vector<double>& c,
                        const std::string& what) {
  ASSERT_EQ(g.size(), c.size());
  for (std::size_t s = 0; s < c.size(); ++s) {
    if (std::isnan(c[s])) {
      EXPECT_TRUE(std::isnan(g[s])) << what << " segment " << s;
    } else {
      EXPECT_EQ(g[s], c[s]) << what << " segment " << s;
    }
  }
}

TEST_P(CudaParity, SegmentOps) {
  const std::size_t entries = GetParam() * 37;
  const std::size_t k = 4;
  const Context cpu(Backend::cpu), gpu(Backend::cuda);
  for (const std::size_t segments : {std::size_t{1}, std::size_t{3}, std::size_t{200}}) {
    const std::size_t n = std::max<std::size_t>(1, entries / segments);
    const std::size_t S = segments * n;
    const std::string tag = " x" + std::to_string(segments);
    const std::vector<double> X = random_vector(k * S, -1.0, 1.0, 141);  // [k][segments][n]
    const std::vector<double> y = random_vector(S, -1.0, 1.0, 142);
    std::vector<double> coef = random_vector(k * segments, -2.0, 2.0, 143);  // [k][segments]
    coef[segments - 1] = 0.0;                                                // one skipped term
    if (segments > 1) {
      for (std::size_t j = 0; j < k; ++j) coef[j * segments + 1] = 0.0;  // segment 1 untouched
    }
    std::vector<double> factor = random_vector(segments, 0.5, 2.0, 144);
    factor[0] = 1.0;  // left as it is
    std::vector<unsigned char> mask(segments);
    for (std::size_t b = 0; b < segments; ++b) mask[b] = b % 2 == 0 ? 1 : 0;
    std::vector<double> a = random_vector(S, -1.0, 1.0, 145);
    const std::vector<double> b = random_vector(S, -1.0, 1.0, 146);
    a[(segments - 1) * n + n / 2] = std::nan("");  // the last segment's maximum is NaN

    auto run = [&](const Context& ctx) {
      SegmentOutputs o;
      const DeviceArray X_d(ctx, X), y_d(ctx, y), a_d(ctx, a), b_d(ctx, b);
      o.dots.assign(k * segments, 0.0);
      kernels::segment_dots(ctx, k, segments, n, X_d.data(), y_d.data(), o.dots.data());
      DeviceArray combined(ctx, y);
      kernels::segment_combination(ctx, k, segments, n, X_d.data(), coef.data(), combined.data());
      o.combined = combined.to_host();
      DeviceArray scaled(ctx, y);
      kernels::segment_scale(ctx, segments, n, factor.data(), scaled.data());
      o.scaled = scaled.to_host();
      DeviceArray copied(ctx, b);
      kernels::segment_copy(ctx, segments, n, mask.data(), y_d.data(), copied.data());
      o.copied = copied.to_host();
      DeviceArray multiplied(ctx, b);
      kernels::segment_multiply(ctx, segments, n, mask.data(), y_d.data(), multiplied.data());
      o.multiplied = multiplied.to_host();
      o.max_diff.assign(segments, -1.0);
      kernels::segment_max_abs_diff(ctx, segments, n, a_d.data(), b_d.data(), o.max_diff.data());
      o.max_abs.assign(segments, -1.0);
      kernels::segment_max_abs_diff(ctx, segments, n, a_d.data(), nullptr, o.max_abs.data());
      return o;
    };
    const SegmentOutputs c = run(cpu);
    const SegmentOutputs g = run(gpu);
    // Dots: sums of n products in different (fixed) orders.
    report(("segment_dots" + tag).c_str(), n, normwise_error(g.dots, c.dots), bound(n));
    // y - sum of k terms, subtracted in order j on both (FMA contraction may differ).
    report(("segment_combination" + tag).c_str(), n, normwise_error(g.combined, c.combined),
           bound(k));
    // One correctly rounded product or a copy per entry: exact.
    EXPECT_EQ(g.scaled, c.scaled) << "segment_scale" << tag;
    EXPECT_EQ(g.copied, c.copied) << "segment_copy" << tag;
    EXPECT_EQ(g.multiplied, c.multiplied) << "segment_multiply" << tag;
    expect_same_maxima(g.max_diff, c.max_diff, "segment_max_abs_diff" + tag);
    expect_same_maxima(g.max_abs, c.max_abs, "segment_max_abs_diff (no b)" + tag);
    EXPECT_TRUE(std::isnan(g.max_diff[segments - 1]));
    if (segments > 1) {  // all-zero coefficients leave the segment as it was, bit for bit
      EXPECT_TRUE(std::equal(y.begin() + n, y.begin() + 2 * n, g.combined.begin() + n));
    }
    // The dots' summation order depends on n alone: the last segment computed on its own gives
    // the same bits.
    const std::size_t last = segments - 1;
    std::vector<double> X_last(k * n);
    for (std::size_t j = 0; j < k; ++j) {
      std::copy_n(X.begin() + static_cast<std::ptrdiff_t>((j * segments + last) * n), n,
                  X_last.begin() + static_cast<std::ptrdiff_t>(j * n));
    }
    const std::vector<double> y_last(y.begin() + static_cast<std::ptrdiff_t>(last * n), y.end());
    const DeviceArray X_last_d(gpu, X_last), y_last_d(gpu, y_last);
    std::vector<double> alone(k);
    kernels::segment_dots(gpu, k, 1, n, X_last_d.data(), y_last_d.data(), alone.data());
    for (std::size_t j = 0; j < k; ++j) {
      EXPECT_EQ(alone[j], g.dots[j * segments + last]) << "segment_dots" << tag << " row " << j;
    }
  }
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

/// The entries of the problems with active[b] != 0 (x holds batch problems of `per` entries).
std::vector<double> active_part(const std::vector<double>& x, const std::vector<double>& active,
                                std::size_t per) {
  std::vector<double> kept;
  for (std::size_t b = 0; b < active.size(); ++b) {
    if (active[b] == 0.0) continue;
    kept.insert(kept.end(), x.begin() + static_cast<std::ptrdiff_t>(b * per),
                x.begin() + static_cast<std::ptrdiff_t>((b + 1) * per));
  }
  return kept;
}

/// Every entry of the inactive problems still holds `sentinel`.
bool inactive_untouched(const std::vector<double>& x, const std::vector<double>& active,
                        std::size_t per, double sentinel) {
  for (std::size_t b = 0; b < active.size(); ++b) {
    if (active[b] != 0.0) continue;
    for (std::size_t e = b * per; e < (b + 1) * per; ++e) {
      if (x[e] != sentinel) return false;
    }
  }
  return true;
}

double max_abs_finite(const std::vector<double>& x) {
  double m = 0.0;
  for (const double value : x) {
    if (std::isfinite(value)) m = std::max(m, std::abs(value));
  }
  return m;
}

class CudaTeParity : public testing::BackendParity {};

TEST_F(CudaTeParity, BatchedTermsMatchCpu) {
  struct Shape {
    std::size_t batch, J, N;
  };
  const Context cpu(Backend::cpu), gpu(Backend::cuda);
  const double sentinel = 12345.0;
  for (const Shape shape : {Shape{3, 4, 7}, Shape{2, 22, 87}}) {
    TeData d = testing::random_te_data(shape.batch, shape.J, shape.N, 151);
    // Consistent intermediates from the CPU: costs from the random prices, prices from those
    // costs, shares from both (rows summing to 1), so magnitudes are those of a solve.
    d.log_xhat = run_te_terms(cpu, d, {}, sentinel).log_xhat;
    d.log_phat = run_te_terms(cpu, d, {}, sentinel).log_phat;
    d.pi = run_te_terms(cpu, d, {}, sentinel).pi;
    std::vector<double> active(shape.batch, 1.0);
    active[1] = 0.0;  // problem 1 skipped
    const TeOutputs c = run_te_terms(cpu, d, active, sentinel);
    const TeOutputs g = run_te_terms(gpu, d, active, sentinel);
    const std::size_t J = shape.J, N = shape.N, jn = J * N;
    const std::string tag =
        " " + std::to_string(shape.batch) + "x" + std::to_string(J) + "x" + std::to_string(N);
    auto act = [&](const std::vector<double>& x, std::size_t per) {
      return active_part(x, active, per);
    };
    // Unit costs: sums of J + 1 terms of magnitude <= 0.5, same order on both.
    report(("te_log_unit_costs" + tag).c_str(), N,
           normwise_error(act(g.log_xhat, jn), act(c.log_xhat, jn)), bound(J + 1));
    // Price indices and trade shares: exp() turns the absolute rounding of its argument (eps
    // times its magnitude A) into relative error; the log-sum-exp adds N terms in different
    // orders (online on the GPU, two-pass on the CPU) and the exps differ by <= 3 ulp.
    const double A =
        max_abs_finite(d.log_q) + *std::max_element(d.theta.begin(), d.theta.end()) *
                                      (max_abs_finite(d.log_xhat) + max_abs_finite(d.log_phat));
    report(("te_log_price_indices" + tag).c_str(), N,
           normwise_error(act(g.log_phat, jn), act(c.log_phat, jn)), bound(N, A));
    report(("te_trade_shares" + tag).c_str(), N,
           normwise_error(act(g.pi, jn * N), act(c.pi, jn * N)), bound(1, A));
    // Sales: N nonnegative terms summed in order n on both (FMA contraction may differ).
    report(("te_sales" + tag).c_str(), N, normwise_error(act(g.Y, jn), act(c.Y, jn)), bound(N));
    // Expenditure: sales then J-term IO sums, v - Z / scale; the cancellation in the difference
    // scales the relative error by max|v| / max|out|.
    const std::vector<double> out_c = act(c.out, jn);
    const double cancellation = max_abs_finite(d.v) / max_abs_finite(out_c);
    report(("te_expenditure_apply" + tag).c_str(), N, normwise_error(act(g.out, jn), out_c),
           bound(N * J, cancellation));
    // The all -inf row of problem 0 gets log_phat = 0 on both.
    EXPECT_EQ(g.log_phat[(J - 1) * N], 0.0);
    EXPECT_EQ(c.log_phat[(J - 1) * N], 0.0);
    // Skipped problems: outputs left as they were, on both backends.
    for (const TeOutputs* o : {&c, &g}) {
      const char* backend = o == &c ? "cpu" : "cuda";
      EXPECT_TRUE(inactive_untouched(o->log_xhat, active, jn, sentinel)) << backend << tag;
      EXPECT_TRUE(inactive_untouched(o->log_phat, active, jn, sentinel)) << backend << tag;
      EXPECT_TRUE(inactive_untouched(o->pi, active, jn * N, sentinel)) << backend << tag;
      EXPECT_TRUE(inactive_untouched(o->Y, active, jn, sentinel)) << backend << tag;
      EXPECT_TRUE(inactive_untouched(o->out, active, jn, sentinel)) << backend << tag;
    }
    // Each output is computed by one thread (or warp) in a fixed order: the active problems get
    // the same bits whether or not the others are skipped.
    const TeOutputs all = run_te_terms(gpu, d, {}, sentinel);
    EXPECT_EQ(act(all.log_xhat, jn), act(g.log_xhat, jn)) << tag;
    EXPECT_EQ(act(all.log_phat, jn), act(g.log_phat, jn)) << tag;
    EXPECT_EQ(act(all.pi, jn * N), act(g.pi, jn * N)) << tag;
    EXPECT_EQ(act(all.Y, jn), act(g.Y, jn)) << tag;
    EXPECT_EQ(act(all.out, jn), act(g.out, jn)) << tag;
  }
}

TEST_F(CudaTeParity, FactorPriceHelpersMatchCpu) {
  struct Shape {
    std::size_t J, N, R;
  };
  const Context cpu(Backend::cpu), gpu(Backend::cuda);
  const double sentinel = 12345.0;
  for (const Shape shape : {Shape{4, 9, 5}, Shape{22, 87, 50}}) {
    const Economy e = synthetic_economy(shape.J, shape.N, shape.R, 181);
    const testing::FactorPriceData d = testing::random_factor_price_data(e, 3, 183);
    const std::vector<double> active{1.0, 0.0, 1.0};
    const testing::FactorPriceOutputs c =
        testing::run_factor_price_helpers(cpu, d, active, sentinel);
    const testing::FactorPriceOutputs g =
        testing::run_factor_price_helpers(gpu, d, active, sentinel);
    const std::size_t J = shape.J, N = shape.N, jn = J * N;
    const std::string tag = " " + std::to_string(J) + "x" + std::to_string(N);
    auto act = [&](const std::vector<double>& x) { return active_part(x, active, jn); };
    // Income and the mean of |X|: J N positive terms, summed by a block tree on the GPU and in
    // order on the CPU; exp within 1 ulp on both. y = X / scale differs only where the floor
    // (from the mean) applies.
    report(("te_expenditure_system scale" + tag).c_str(), N,
           normwise_error(act(g.scale), act(c.scale)), bound(jn));
    report(("te_expenditure_system y" + tag).c_str(), N, normwise_error(act(g.y), act(c.y)),
           bound(jn));
    report(("te_expenditure_system rhs" + tag).c_str(), N, normwise_error(act(g.rhs), act(c.rhs)),
           bound(jn));
    // Sums of J positive terms in the same order, then a log (1 ulp apart).
    report(("te_factor_price_excess" + tag).c_str(), N,
           normwise_error(act(g.excess), act(c.excess)), bound(J + 2));
    for (const testing::FactorPriceOutputs* o : {&c, &g}) {
      const char* backend = o == &c ? "cpu" : "cuda";
      for (const std::vector<double>* out : {&o->scale, &o->y, &o->rhs, &o->excess})
        EXPECT_TRUE(inactive_untouched(*out, active, jn, sentinel)) << backend << tag;
    }
    // The chord step: two float products in different orders (Eigen, cuBLAS SGEMM), each within
    // (nz + 1) u sum |K F| of the exact one (u = 2^-24).
    const testing::NaiveChordStep naive = testing::naive_chord_step(d);
    const std::size_t nz = shape.R * J + N - shape.R;
    for (std::size_t i = 0; i < g.g.size(); ++i) {
      ASSERT_NEAR(g.g[i], c.g[i],
                  2 * (nz + 1) * 0x1p-24 * naive.magnitude[i] + kEps * std::abs(d.Y[i]))
          << "te_chord_step" << tag << " entry " << i;
    }
  }
}

// A path's labor inputs and outputs (kernels.hpp te_labor_inputs, te_path_outputs) and the
// real-wage changes, CPU against GPU on the same inputs; the non-employment slots and the
// padding hold the sentinel on both (they are compared whole).
TEST_F(CudaTeParity, PathOutputsMatchCpu) {
  struct Shape {
    std::size_t J, N, R;
  };
  const Context cpu(Backend::cpu), gpu(Backend::cuda);
  const double sentinel = 12345.0;
  for (const Shape shape : {Shape{4, 9, 5}, Shape{22, 87, 50}}) {
    const Economy e = synthetic_economy(shape.J, shape.N, shape.R, 201);
    const testing::FactorPriceData d = testing::random_factor_price_data(e, 3, 203);
    testing::PathOutputData p = testing::random_path_output_data(d, 207);
    const testing::PathOutputs c = testing::run_path_kernels(cpu, d, p, sentinel);
    const testing::PathOutputs g = testing::run_path_kernels(gpu, d, p, sentinel);
    const std::size_t J = shape.J, N = shape.N, jn = J * N;
    const std::string tag = " " + std::to_string(J) + "x" + std::to_string(N);
    EXPECT_EQ(g.unresolved, 0u) << tag;
    // One division and one pow (CUDA's within 2 ulp) per entry.
    EXPECT_EQ(g.labor, c.labor) << tag;
    report(("te_labor_inputs factor" + tag).c_str(), N,
           normwise_error(g.labor_factor, c.labor_factor), bound(2));
    // The world value added: J N positive terms by a block tree against in order.
    report(("te_path_outputs omega" + tag).c_str(), N, normwise_error(g.omega, c.omega), bound(jn));
    // log P: J terms in the same order, each with log s; exp within 1 ulp on both.
    report(("te_path_outputs price_index" + tag).c_str(), N,
           normwise_error(g.price_index, c.price_index), bound(jn + J));
    std::vector<double> written_c, written_g;  // the real wages written (not the sentinels)
    for (std::size_t i = 0; i < c.real_wage.size(); ++i) {
      if (c.real_wage[i] == sentinel) {
        EXPECT_EQ(g.real_wage[i], sentinel) << tag << " entry " << i;
        continue;
      }
      written_c.push_back(c.real_wage[i]);
      written_g.push_back(g.real_wage[i]);
    }
    report(("te_path_outputs real_wage" + tag).c_str(), N, normwise_error(written_g, written_c),
           bound(jn + J));
    report(("te_path_outputs residual" + tag).c_str(), N, normwise_error(g.residual, c.residual),
           bound(J + 6));
    p.L[p.L0.size() + 2] = 0.0;  // problem 1, region 0, sector 1: occupied
    EXPECT_EQ(testing::run_path_kernels(gpu, d, p, sentinel).unresolved, 1u) << tag;
  }
  // Real-wage changes: one division per entry, exactly rounded on both.
  const std::size_t m = 1150, slots = 7;
  const std::vector<double> W = random_vector(m * slots, 0.5, 2.0, 209);
  std::vector<double> out[2];
  for (const Context* ctx : {&cpu, &gpu}) {
    const DeviceArray w(*ctx, W);
    DeviceArray cdot(*ctx, m * slots);
    kernels::real_wage_changes(*ctx, m, slots, w.data(), cdot.data());
    out[ctx == &gpu] = cdot.to_host();
  }
  EXPECT_EQ(out[1], out[0]);
}

// The news slot's block and its dense LU solve (Eigen on the CPU, cuSOLVER getrf/getrs on the
// GPU): the blocks agree to one rounding per entry (FMA contraction may differ); the solutions
// of the diagonally dominant system within twice the forward bound of a backward-stable solve.
TEST_F(CudaTeParity, NewsBlockLuSolveMatchesCpu) {
  const Context cpu(Backend::cpu), gpu(Backend::cuda);
  for (const std::size_t m : {7u, 1150u}) {
    const Matrix mu0 = random_migration(m, 221);
    const std::vector<double> c = random_vector(m, 0.1, 1.0, 222);
    std::vector<double> r(m, 0.0);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t k = 0; k < m; ++k) r[i] += mu0(i, k) * c[k];
    const std::vector<double> b = random_vector(m, -1.0, 1.0, 223);
    std::vector<double> block[2], x[2];
    int singular[2] = {-1, -1};
    for (const Context* ctx : {&cpu, &gpu}) {
      const int k = ctx == &gpu;
      const DeviceArray mu0_d(*ctx, mu0.data), c_d(*ctx, c), r_d(*ctx, r);
      DeviceArray A(*ctx, m * m), rhs(*ctx, b);
      DeviceVector<int> pivots(*ctx, m);
      kernels::news_block(*ctx, m, mu0_d.data(), c_d.data(), r_d.data(), 0.99, A.data());
      block[k] = A.to_host();
      singular[k] = kernels::lu_factor(*ctx, m, A.data(), pivots.data());
      kernels::lu_solve(*ctx, m, A.data(), pivots.data(), rhs.data());
      x[k] = rhs.to_host();
    }
    EXPECT_EQ(singular[0], 0);
    EXPECT_EQ(singular[1], 0);
    report("news_block", m, normwise_error(block[1], block[0]), bound(1));
    // Each solution within n eps cond(A) of the exact one (relative, growth factor 1 for a
    // diagonally dominant matrix), cond_inf(A) <= (1 + beta) / (1 - beta) = 199 here.
    report("lu_factor + lu_solve", m, normwise_error(x[1], x[0]),
           2.0 * 199.0 * static_cast<double>(m) * kEps);
  }
}

// The block applied matrix-free: cuBLAS DGEMV against the CPU's grouped dot products, summed in
// other orders: within m eps of each row's absolute sum, relative to the largest entry.
TEST_F(CudaTeParity, NewsBlockApplyMatchesCpu) {
  const Context cpu(Backend::cpu), gpu(Backend::cuda);
  for (const std::size_t m : {7u, 1150u}) {
    const Matrix mu0 = random_migration(m, 224);
    const std::vector<double> c = random_vector(m, 0.1, 1.0, 225);
    const std::vector<double> v = random_vector(m, -1.0, 1.0, 226);
    std::vector<double> r(m, 0.0);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t k = 0; k < m; ++k) r[i] += mu0(i, k) * c[k];
    std::vector<double> out[2];
    for (const Context* ctx : {&cpu, &gpu}) {
      const DeviceArray mu0_d(*ctx, mu0.data), c_d(*ctx, c), r_d(*ctx, r), v_d(*ctx, v);
      DeviceArray y(*ctx, m);
      kernels::news_block_apply(*ctx, m, mu0_d.data(), c_d.data(), r_d.data(), 0.99, v_d.data(),
                                y.data());
      out[ctx == &gpu] = y.to_host();
    }
    report("news_block_apply", m, normwise_error(out[1], out[0]),
           2.0 * static_cast<double>(m) * kEps);
  }
}

TEST(CudaBackend, AskingWithoutADeviceIsAClearError) {
  if (cuda_device_count() > 0) GTEST_SKIP() << "a CUDA device is present";
  try {
    Context ctx(Backend::cuda);
    FAIL() << "creating a CUDA context without a device must throw";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_TRUE(what.find("CUDA") != std::string::npos) << what;
    // The cause (e.g. cudaErrorInsufficientDriver: a driver older than the runtime), not just
    // "no device".
    EXPECT_TRUE(what.find(testing::gpu_unavailable_reason()) != std::string::npos) << what;
  }
}

// One rank per GPU asks for device node_rank mod count; a device beyond the last is refused
// naming both (with a GPU), or the missing device (without one), never used as device 0.
TEST(CudaBackend, ADeviceBeyondTheLastIsAClearError) {
  const int count = cuda_device_count();
  try {
    Context ctx(Backend::cuda, count);
    FAIL() << "a CUDA context on device " << count << " of " << count << " must throw";
  } catch (const Error& e) {
    const std::string what = e.what();
    const std::string expected = count > 0 ? "device " + std::to_string(count) + " requested, " +
                                                 std::to_string(count) + " found"
                                           : testing::gpu_unavailable_reason();
    EXPECT_NE(what.find(expected), std::string::npos) << what;
  }
}

/// Sets DYNHAT_REQUIRE_GPU for one scope, then restores it.
class ScopedRequireGpu {
 public:
  explicit ScopedRequireGpu(const char* value) {
    const char* old = std::getenv("DYNHAT_REQUIRE_GPU");
    if (old != nullptr) saved_ = old;
    had_ = old != nullptr;
    setenv("DYNHAT_REQUIRE_GPU", value, 1);
  }
  ~ScopedRequireGpu() {
    if (had_) {
      setenv("DYNHAT_REQUIRE_GPU", saved_.c_str(), 1);
    } else {
      unsetenv("DYNHAT_REQUIRE_GPU");
    }
  }
  ScopedRequireGpu(const ScopedRequireGpu&) = delete;
  ScopedRequireGpu& operator=(const ScopedRequireGpu&) = delete;

 private:
  std::string saved_;
  bool had_ = false;
};

TEST(CudaBackend, RequireGpuIsOffForZeroAndEmpty) {
  for (const char* off : {"0", ""}) {
    const ScopedRequireGpu scoped(off);
    EXPECT_FALSE(testing::gpu_required()) << "DYNHAT_REQUIRE_GPU='" << off << "'";
  }
  for (const char* on : {"1", "yes"}) {
    const ScopedRequireGpu scoped(on);
    EXPECT_TRUE(testing::gpu_required()) << "DYNHAT_REQUIRE_GPU='" << on << "'";
  }
}

}  // namespace
}  // namespace dynhat
