// Tier 1: every CPU (OpenMP) kernel against the naive loop version (the te_* kernels against
// MODEL.md's E14-E18 in levels), plus the invariants the mathematics guarantees (rows of mu sum
// to 1, labor is conserved, log-sum-exp shift invariance, finiteness at |logit| >= 700).
#include <gtest/gtest.h>
#include <omp.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "dynhat/static_equilibrium.hpp"
#include "dynhat/synthetic.hpp"
#include "kernels/element.hpp"
#include "kernels/kernels.hpp"
#include "static_equilibrium/te_terms.hpp"
#include "support/factor_price_data.hpp"
#include "support/fixtures.hpp"
#include "support/kernel_runner.hpp"
#include "support/naive_kernels.hpp"
#include "support/naive_te_terms.hpp"
#include "support/te_terms_data.hpp"

namespace dynhat {
namespace {

using testing::max_relative_error;
using testing::normwise_error;
using testing::random_matrix;
using testing::random_migration;
using testing::random_vector;

constexpr double kEps = std::numeric_limits<double>::epsilon();

/// Parity bound of ARCHITECTURE.md section 7: 10 eps sqrt(n) for sums of n terms whose rounding
/// errors are independent (a random-walk bound; the worst case n eps is never approached).
double sum_bound(std::size_t n) {
  return 10.0 * kEps * std::sqrt(static_cast<double>(n));
}

/// exp() turns an absolute error in its argument into a relative error of the result; the
/// argument z - lse carries rounding of order eps * |z|, so shares get eps * max|z| on top.
double share_bound(std::size_t n, double max_logit) {
  return sum_bound(n) * std::max(1.0, max_logit);
}

class CpuKernels : public ::testing::TestWithParam<std::size_t> {
 protected:
  Context ctx_{Backend::cpu};
};

TEST_P(CpuKernels, RowLogsumexpOfTauAndValuesMatchesNaive) {
  const std::size_t m = GetParam();
  const Matrix tau = random_matrix(m, m, 0.0, 10.0, 11);
  const std::vector<double> v = random_vector(m, -5.0, 5.0, 12);
  const double beta = 0.99, nu = 1.7;
  const auto out = testing::run_row_logsumexp(ctx_, tau, -1.0 / nu, v, beta / nu, true);
  const Matrix z = naive::logits(tau, -1.0 / nu, v, beta / nu);
  EXPECT_LE(normwise_error(out.lse, naive::row_logsumexp(z)), sum_bound(m));
  EXPECT_LE(normwise_error(out.shares.data, naive::softmax(z).data), share_bound(m, 10.0));
}

TEST_P(CpuKernels, RowLogsumexpOfMatrixMatchesNaiveAndSharesSumToOne) {
  const std::size_t m = GetParam();
  const Matrix a = random_matrix(m, m, -30.0, 30.0, 21);
  const auto out = testing::run_row_logsumexp(ctx_, a, 1.0, {}, 0.0, true);
  EXPECT_LE(normwise_error(out.lse, naive::row_logsumexp(a)), sum_bound(m));
  EXPECT_LE(normwise_error(out.shares.data, naive::softmax(a).data), share_bound(m, 30.0));
  for (std::size_t r = 0; r < m; ++r) {
    const double s = std::accumulate(out.shares.row(r), out.shares.row(r) + m, 0.0);
    // m-term sum (m eps worst case) of shares whose exponents carry eps * |z| <= 30 eps each.
    EXPECT_NEAR(s, 1.0, (m + 2 * 30.0) * kEps) << "row " << r;
  }
}

TEST_P(CpuKernels, LogsumexpIsShiftInvariant) {
  const std::size_t m = GetParam();
  const Matrix a = random_matrix(m, m, -3.0, 3.0, 31);
  Matrix shifted = a;
  const double k = 437.25;
  for (double& x : shifted.data) x += k;
  const auto base = testing::run_row_logsumexp(ctx_, a, 1.0, {}, 0.0, true);
  const auto moved = testing::run_row_logsumexp(ctx_, shifted, 1.0, {}, 0.0, true);
  for (std::size_t r = 0; r < m; ++r) {
    // lse(a + k) = lse(a) + k exactly; the only rounding is in forming a + k (eps * k).
    EXPECT_NEAR(moved.lse[r], base.lse[r] + k, 4 * kEps * k) << "row " << r;
  }
  // Shares depend on a + k - lse(a + k): relative error eps * k from the shifted entries.
  EXPECT_LE(normwise_error(moved.shares.data, base.shares.data), share_bound(m, k));
}

TEST_P(CpuKernels, EntriesOfMagnitude700AndMoreStayFinite) {
  const std::size_t m = GetParam();
  Matrix a = random_matrix(m, m, -1000.0, 1000.0, 41);
  for (std::size_t r = 0; r < m; ++r) a(r, r) = r % 2 == 0 ? 745.0 : -745.0;
  const auto out = testing::run_row_logsumexp(ctx_, a, 1.0, {}, 0.0, true);
  const std::vector<double> expect = naive::row_logsumexp(a);
  for (std::size_t r = 0; r < m; ++r) {
    ASSERT_TRUE(std::isfinite(out.lse[r])) << "row " << r;
    EXPECT_NEAR(out.lse[r], expect[r], 4 * kEps * 1000.0) << "row " << r;
  }
  for (double s : out.shares.data) {
    ASSERT_TRUE(s >= 0.0 && s <= 1.0);
  }
  const std::vector<double> w = random_vector(m, 0.0, 1.0, 42);
  const std::vector<double> pushed =
      testing::run_softmax_transpose_apply(ctx_, a, 1.0, {}, 0.0, out.lse, w);
  for (double x : pushed) ASSERT_TRUE(std::isfinite(x));
}

TEST_P(CpuKernels, SoftmaxTransposeApplyMatchesNaiveAndConservesMass) {
  const std::size_t m = GetParam();
  const Matrix tau = random_matrix(m, m, 0.0, 10.0, 51);
  const std::vector<double> v = random_vector(m, -5.0, 5.0, 52);
  std::vector<double> w = random_vector(m, 0.0, 100.0, 53);
  w[0] = 0.0;  // an empty origin market
  const double beta = 0.99, nu = 2.0;
  const auto lse = testing::run_row_logsumexp(ctx_, tau, -1.0 / nu, v, beta / nu, false).lse;
  const std::vector<double> out =
      testing::run_softmax_transpose_apply(ctx_, tau, -1.0 / nu, v, beta / nu, lse, w);
  const std::vector<double> expect =
      naive::transpose_apply(naive::softmax(naive::logits(tau, -1.0 / nu, v, beta / nu)), w);
  EXPECT_LE(normwise_error(out, expect), share_bound(m, 10.0));
  const double total_in = std::accumulate(w.begin(), w.end(), 0.0);
  const double total_out = std::accumulate(out.begin(), out.end(), 0.0);
  EXPECT_NEAR(total_out, total_in, 1e-12 * total_in);  // E3 conserves labor
}

TEST_P(CpuKernels, FactorisedPathPrimitivesMatchNaive) {
  const std::size_t m = GetParam();
  const std::size_t slots = m > 2000 ? 5 : 12;
  const Matrix mu0 = random_migration(m, 61);
  Matrix log_y = random_matrix(slots, m, -0.05, 0.05, 62);
  const std::vector<double> L0 = random_vector(m, 0.0, 1000.0, 63);
  const Matrix wage = random_matrix(slots, m, 0.9, 1.1, 64);
  const double beta = 0.99, nu = 5.3436;
  const auto out = testing::run_migration_path(ctx_, mu0, log_y, L0, wage, beta, nu);

  Matrix c;
  std::vector<double> shift;
  naive::column_scalings(log_y, beta, c, shift);
  EXPECT_LE(max_relative_error(out.shift, shift, 1.0), sum_bound(slots));
  EXPECT_LE(normwise_error(out.c.data, c.data), sum_bound(slots));
  const Matrix r = naive::scaled_row_sums(mu0, c);
  EXPECT_LE(max_relative_error(out.r.data, r.data), sum_bound(m) + sum_bound(slots));
  const Matrix L = naive::labor_chain(mu0, c, r, L0);
  EXPECT_LE(normwise_error(out.L.data, L.data), slots * (sum_bound(m) + sum_bound(slots)));
  for (std::size_t t = 1; t + 1 < slots; ++t) {
    for (std::size_t i = 0; i < m; ++i) {
      const double expect =
          std::log(wage(t, i)) / nu + std::log(r(t, i) / r(t - 1, i)) + shift[t] - shift[t - 1];
      ASSERT_NEAR(out.log_y_new(t, i), expect, 1e-13) << "slot " << t << " market " << i;
    }
  }
  for (std::size_t i = 0; i < m; ++i) {
    EXPECT_EQ(out.log_y_new(0, i), 0.0);
    EXPECT_EQ(out.log_y_new(slots - 1, i), 0.0);
  }
  const Matrix swept = naive::backward_value_sweep(mu0, c, beta, out.log_y_new);
  // Back substitution over `slots` steps, each an m-term average: errors add up along the chain.
  EXPECT_LE(normwise_error(out.swept.data, swept.data), slots * sum_bound(m));
  // Labor is conserved slot by slot (rows of every mu_t sum to 1).
  const double total = std::accumulate(L0.begin(), L0.end(), 0.0);
  for (std::size_t t = 1; t <= slots; ++t) {
    const double s = std::accumulate(out.L.row(t), out.L.row(t) + m, 0.0);
    EXPECT_NEAR(s, total, 1e-12 * total) << "slot " << t;
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, CpuKernels, ::testing::Values(7, 1150, 3000));

/// mu0 with every entry rounded to float and back: what the float32 storage multiplies by.
Matrix rounded_to_float(const Matrix& mu0) {
  Matrix out = mu0;
  for (double& x : out.data) x = static_cast<double>(static_cast<float>(x));
  return out;
}

// The path kernels on mu0 stored as floats and as CSR against the naive loops on the matrix they
// hold (the float storage's: mu0 rounded to float; the CSR's: mu0 itself, its zeros dropped), with
// the dense storage's bounds: only the storage differs, products and sums are in double. The
// labor chain on CSR adds the stored entries in the dense loop's row order, so from the same c
// and r it equals the dense chain bit for bit.
TEST(CpuKernelStorage, FloatAndSparseMu0MatchNaiveOnWhatTheyStore) {
  const Context cpu(Backend::cpu);
  for (const std::size_t m : {7u, 300u}) {
    const std::size_t slots = 9;
    const Matrix mu0 = random_migration(m, 71);  // ~30% zeros, an empty column, a stay-only row
    const Matrix log_y = random_matrix(slots, m, -0.05, 0.05, 72);
    const std::vector<double> L0 = random_vector(m, 0.0, 1000.0, 73);
    const Matrix wage = random_matrix(slots, m, 0.9, 1.1, 74);
    const double beta = 0.99, nu = 5.3436;
    const auto dense = testing::run_migration_path(cpu, mu0, log_y, L0, wage, beta, nu);
    for (const Mu0Storage storage : {Mu0Storage::float32, Mu0Storage::sparse}) {
      const bool is_float = storage == Mu0Storage::float32;
      const Matrix held = is_float ? rounded_to_float(mu0) : mu0;
      const auto out = testing::run_migration_path(cpu, mu0, log_y, L0, wage, beta, nu, storage);
      const std::string what = (is_float ? "float32 m = " : "sparse m = ") + std::to_string(m);
      Matrix c;
      std::vector<double> shift;
      naive::column_scalings(log_y, beta, c, shift);
      const Matrix r = naive::scaled_row_sums(held, c);
      EXPECT_LE(max_relative_error(out.r.data, r.data), sum_bound(m) + sum_bound(slots)) << what;
      const Matrix L = naive::labor_chain(held, c, r, L0);
      EXPECT_LE(normwise_error(out.L.data, L.data), slots * (sum_bound(m) + sum_bound(slots)))
          << what;
      const Matrix swept = naive::backward_value_sweep(held, c, beta, out.log_y_new);
      EXPECT_LE(normwise_error(out.swept.data, swept.data), slots * sum_bound(m)) << what;
      if (!is_float) {
        // Given the same c and r, the CSR labor chain adds the dense one's products in its order.
        // Bit for bit where the compiler fuses the multiply-adds of both loops alike (measured on
        // an AVX2 Xeon); with -march=native on an AVX-512 EPYC the vectorised dense loop and the
        // scalar CSR loop fuse differently, and each add may round once instead of twice:
        // 2 eps per term, m terms per product, one product per slot.
        const StoredMu0 csr(cpu, mu0, Mu0Storage::sparse);
        std::vector<double> L_csr(dense.L.data.size(), 0.0), L_dense(L_csr.size(), 0.0);
        std::copy(L0.begin(), L0.end(), L_csr.begin());
        std::copy(L0.begin(), L0.end(), L_dense.begin());
        kernels::cpu::labor_chain(cpu, m, slots, csr.view(), dense.c.data.data(),
                                  dense.r.data.data(), L_csr.data());
        kernels::cpu::labor_chain(cpu, m, slots, mu0.data.data(), dense.c.data.data(),
                                  dense.r.data.data(), L_dense.data());
        const double fused = normwise_error(L_csr, L_dense);
        std::printf("%s: CSR against dense labor chain, normwise %.3g\n", what.c_str(), fused);
        EXPECT_LE(fused, 2.0 * static_cast<double>(slots * m) * kEps) << what;
      } else {
        // The rounding of the entries shows: the float path is not the dense one.
        EXPECT_GT(normwise_error(out.r.data, dense.r.data), 0.0) << what;
      }
    }
  }
}

// The news slot's block, formed and applied, from each storage: against the dense kernels on the
// matrix the storage holds (formed: the same products, bitwise; applied: within m eps of each
// row's absolute sum, as NewsBlockApplyIsTheBlockTimesAVector).
TEST(CpuKernelStorage, NewsBlockFromEveryStorageIsTheHeldMatrixs) {
  const Context cpu(Backend::cpu);
  const std::size_t m = 41;
  const Matrix mu0 = random_migration(m, 231);
  const std::vector<double> c = random_vector(m, 0.1, 1.0, 232);
  const std::vector<double> v = random_vector(m, -1.0, 1.0, 233);
  std::vector<double> r(m, 0.0);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t k = 0; k < m; ++k) r[i] += mu0(i, k) * c[k];
  r[2] = 0.0;
  for (const Mu0Storage storage : {Mu0Storage::float32, Mu0Storage::sparse}) {
    const Matrix held = storage == Mu0Storage::float32 ? rounded_to_float(mu0) : mu0;
    const StoredMu0 stored(cpu, mu0, storage);
    std::vector<double> want(m * m), got(m * m), applied(m), expect(m);
    kernels::cpu::news_block(cpu, m, held.data.data(), c.data(), r.data(), 0.9, want.data());
    kernels::cpu::news_block(cpu, m, stored.view(), c.data(), r.data(), 0.9, got.data());
    EXPECT_EQ(got, want);
    kernels::cpu::news_block_apply(cpu, m, held.data.data(), c.data(), r.data(), 0.9, v.data(),
                                   expect.data());
    kernels::cpu::news_block_apply(cpu, m, stored.view(), c.data(), r.data(), 0.9, v.data(),
                                   applied.data());
    EXPECT_LE(normwise_error(applied, expect), 2.0 * static_cast<double>(m) * kEps);
  }
}

TEST(CpuKernelsThreads, ResultsDoNotDependOnTheThreadCount) {
  const Context ctx(Backend::cpu);
  const std::size_t m = 1500;
  const Matrix tau = random_matrix(m, m, 0.0, 10.0, 71);
  const std::vector<double> v = random_vector(m, -5.0, 5.0, 72);
  const std::vector<double> w = random_vector(m, 0.0, 1.0, 73);
  const Matrix mu0 = random_migration(m, 74);
  const Matrix log_y = random_matrix(4, m, -0.05, 0.05, 75);
  const Matrix wage(4, m, 1.0);
  const int saved = omp_get_max_threads();
  std::vector<std::vector<double>> pushed, labor;
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    const auto lse = testing::run_row_logsumexp(ctx, tau, -0.5, v, 0.5, false).lse;
    pushed.push_back(testing::run_softmax_transpose_apply(ctx, tau, -0.5, v, 0.5, lse, w));
    labor.push_back(testing::run_migration_path(ctx, mu0, log_y, w, wage, 0.99, 5.0).L.data);
  }
  omp_set_num_threads(saved);
  // Column-blocked sums: every output is summed in row order by one thread, so bitwise equal.
  EXPECT_EQ(pushed[0], pushed[1]);
  EXPECT_EQ(pushed[0], pushed[2]);
  EXPECT_EQ(labor[0], labor[1]);
  EXPECT_EQ(labor[0], labor[2]);
}

/// Entries [b * per, (b + 1) * per) of x: problem b of a batch.
std::vector<double> problem(const std::vector<double>& x, std::size_t b, std::size_t per) {
  return {x.begin() + static_cast<std::ptrdiff_t>(b * per),
          x.begin() + static_cast<std::ptrdiff_t>((b + 1) * per)};
}

std::vector<double> exp_of(const std::vector<double>& x) {
  std::vector<double> y(x.size());
  for (std::size_t k = 0; k < x.size(); ++k) y[k] = std::exp(x[k]);
  return y;
}

double max_abs(const std::vector<double>& x) {
  double m = 0.0;
  for (const double value : x)
    if (std::isfinite(value)) m = std::max(m, std::abs(value));
  return m;
}

// The te_* kernels (logs, shifted log-sum-exps, batched) against naive_te_terms (MODEL.md E14-E18
// in levels, long double), problem by problem, at a small and at the CDP shape. The naive loops
// get the levels exp(input), rounded once (eps/2 relative); their own long-double arithmetic adds
// ~1e-19, nothing at these bounds.
TEST(CpuTeKernels, EveryTermMatchesTheNaiveLoopsInLevels) {
  struct Shape {
    std::size_t batch, J, N;
  };
  const Context cpu(Backend::cpu);
  for (const Shape shape : {Shape{3, 4, 7}, Shape{2, 22, 87}}) {
    const std::size_t J = shape.J, N = shape.N, jn = J * N;
    testing::TeData d = testing::random_te_data(shape.batch, J, N, 151);
    // Consistent intermediates, as in the CUDA parity test: costs from the random prices, prices
    // from those costs, shares from both (rows summing to 1), so magnitudes are those of a solve.
    d.log_xhat = testing::run_te_terms(cpu, d, {}, 0.0).log_xhat;
    d.log_phat = testing::run_te_terms(cpu, d, {}, 0.0).log_phat;
    d.pi = testing::run_te_terms(cpu, d, {}, 0.0).pi;
    const testing::TeOutputs k = testing::run_te_terms(cpu, d, {}, 0.0);
    // A: the largest exponent the kernels form, |log q| + theta (|log xhat| + |log phat|); its
    // rounding (eps A) is what exp() turns into relative error.
    const double theta_max = *std::max_element(d.theta.begin(), d.theta.end());
    const double A = max_abs(d.log_q) + theta_max * (max_abs(d.log_xhat) + max_abs(d.log_phat));
    const std::string tag =
        std::to_string(shape.batch) + "x" + std::to_string(J) + "x" + std::to_string(N);
    for (std::size_t b = 0; b < shape.batch; ++b) {
      const std::vector<double> omega_rel = exp_of(problem(d.log_omega_rel, b, jn));
      const std::vector<double> phat = exp_of(problem(d.log_phat, b, jn));
      const std::vector<double> xhat = exp_of(problem(d.log_xhat, b, jn));
      const std::vector<double> q = exp_of(problem(d.log_q, b, jn * N));
      const std::vector<double> pi = problem(d.pi, b, jn * N);
      const std::vector<double> X = problem(d.X, b, jn), scale = problem(d.scale, b, jn);
      const std::vector<double> v = problem(d.v, b, jn);

      // E14: a sum of J + 1 terms of magnitude <= 0.5 with weights summing to 1 (<= (J + 1)
      // eps / 2) plus the inputs' rounding (<= eps / 2 in each log): (J + 2) eps absolute.
      const std::vector<double> x_naive = naive::unit_costs(J, N, d.G, d.gamma, omega_rel, phat);
      const std::vector<double> x_kernel = problem(k.log_xhat, b, jn);
      for (std::size_t e = 0; e < jn; ++e) {
        ASSERT_NEAR(x_kernel[e], std::log(x_naive[e]), (J + 2) * kEps) << tag << " " << b << e;
      }
      // E15: the exponents round by eps A, exp_vectorisable adds 2 ulp, the N-term sum N eps
      // (worst case), the inputs eps / 2 each; in log phat all of that is divided by theta >= 2,
      // so (A + N + 4) eps absolute is a bound with room.
      const std::vector<double> p_naive = naive::price_indices(J, N, d.theta, q, xhat);
      const std::vector<double> p_kernel = problem(k.log_phat, b, jn);
      for (std::size_t e = 0; e < jn; ++e) {
        ASSERT_NEAR(p_kernel[e], std::log(p_naive[e]), (A + N + 4) * kEps) << tag << " " << b << e;
      }
      // E16: one exp of an exponent rounded by eps A (2 ulp for exp) with inputs rounded by eps / 2
      // each, amplified by theta in (xhat / phat)^-theta: relative (A + theta_max + 3) eps.
      const std::vector<double> s_naive = naive::trade_shares(J, N, d.theta, q, xhat, phat);
      EXPECT_LE(max_relative_error(problem(k.pi, b, jn * N), s_naive), (A + theta_max + 3) * kEps)
          << tag << " problem " << b;
      // Sales: N nonnegative products summed in order, (N + 1) eps relative at worst.
      EXPECT_LE(max_relative_error(problem(k.Y, b, jn), naive::sales(J, N, pi, X)), (N + 1) * kEps)
          << tag << " problem " << b;
      // Expenditure operator: Z is N J nonnegative products summed in two stages (sales, then
      // the IO product: (N + J + 2) eps relative), then / scale and v - Z / scale (eps each, of
      // |v| and |Z / scale|): per entry (N + J + 4) eps (|v| + |Z / scale|).
      const std::vector<double> o_naive = naive::expenditure_apply(J, N, d.G, pi, scale, v);
      const std::vector<double> o_kernel = problem(k.out, b, jn);
      for (std::size_t e = 0; e < jn; ++e) {
        const double bound = (N + J + 4) * kEps * (std::abs(v[e]) + std::abs(v[e] - o_naive[e]));
        ASSERT_NEAR(o_kernel[e], o_naive[e], bound) << tag << " problem " << b << " entry " << e;
      }
    }
  }
}

// The factor-price pass's helper kernels against what the replication algorithm computes with
// (te::income, te::implied_omega: E17-E19) and a naive double-precision product. The kernels sum
// in those functions' order, but the compiler fuses multiply-adds differently in the two (4e-16
// relative measured on an income), so the bounds are those of rounding sums of positive terms
// twice. The scale's mean is summed here in the kernels' order (|X| / (J N), k ascending), so the
// scales and y are bitwise.
TEST(CpuTeKernels, FactorPriceHelpersEqualTeTermsAndANaiveProduct) {
  const Context cpu(Backend::cpu);
  const Economy e = synthetic_economy(4, 9, 5, 171);
  const std::size_t batch = 3, J = e.sectors, N = e.regions, R = e.mobile_regions, jn = J * N;
  testing::FactorPriceData d = testing::random_factor_price_data(e, batch, 173);
  // te_chord_step reads a country's residual at sector 0 only: the others may hold anything.
  for (std::size_t b = 0; b < batch; ++b)
    for (std::size_t j = 1; j < J; ++j) d.F[b * jn + j * N + N - 1] = NAN;
  const std::vector<double> active{1.0, 0.0, 1.0};
  const double sentinel = 12345.0;
  const testing::FactorPriceOutputs k = testing::run_factor_price_helpers(cpu, d, active, sentinel);
  for (std::size_t b = 0; b < batch; ++b) {
    const std::string tag = "problem " + std::to_string(b);
    if (active[b] == 0.0) {
      for (const std::vector<double>* out : {&k.scale, &k.y, &k.rhs, &k.excess}) {
        EXPECT_EQ(problem(*out, b, jn), std::vector<double>(jn, sentinel)) << tag;
      }
    } else {
      const ReferenceState ref{{}, problem(d.VAL, b, jn), problem(d.VAR, b, jn)};
      const std::vector<double> labor_factor = problem(d.labor_factor, b, jn);
      const std::vector<double> log_omega = problem(d.log_omega, b, jn);
      const std::vector<double> X = problem(d.X, b, jn), Y = problem(d.Y, b, jn);
      const std::vector<double> income =
          te::income(e, ref, te::value_added_scale(exp_of(log_omega), labor_factor));
      double mean = 0.0;
      for (const double x : X) mean += std::abs(x) / static_cast<double>(jn);
      std::vector<double> scale(jn), y(jn), rhs(jn);
      for (std::size_t i = 0; i < jn; ++i) {
        scale[i] = std::max(std::abs(X[i]), 1e-12 * mean);
        y[i] = X[i] / scale[i];
        rhs[i] = e.alpha[i / N] * income[i % N] / scale[i];
      }
      EXPECT_EQ(problem(k.scale, b, jn), scale) << tag;
      EXPECT_EQ(problem(k.y, b, jn), y) << tag;
      // Income sums J N + 1 positive terms (VAL, VAR >= 0, scales > 0): (J N + 3) eps relative.
      EXPECT_LE(max_relative_error(problem(k.rhs, b, jn), rhs), (jn + 3) * kEps) << tag;
      EXPECT_EQ(k.scale[b * jn + (b + 1) % jn], 1e-12 * mean) << tag;  // the floor, at X = 0
      const std::vector<double> implied = te::implied_omega(e, ref, Y, labor_factor);
      std::vector<double> excess(jn);
      for (std::size_t i = 0; i < jn; ++i) excess[i] = std::log(implied[i]) - log_omega[i];
      // omegatilde: sums of J positive terms for countries, one quotient for markets, so (J + 2)
      // eps relative; the log makes that absolute and adds eps |log omegatilde - log omega|.
      for (std::size_t i = 0; i < jn; ++i) {
        EXPECT_NEAR(k.excess[b * jn + i], excess[i], (J + 2) * kEps + kEps * std::abs(excess[i]))
            << tag << " entry " << i;
      }
    }
  }
  // The kernel accumulates nz float products: |error| <= nz u sum |K F| with u = 2^-24 (the
  // worst case of a float dot product), u sum |K F| more for its rounding to float, and eps |g|
  // for the addition to g in double.
  const testing::NaiveChordStep naive = testing::naive_chord_step(d);
  const std::size_t nz = R * J + N - R;
  for (std::size_t i = 0; i < batch * jn; ++i) {
    ASSERT_NEAR(k.g[i], naive.g[i],
                (nz + 1) * 0x1p-24 * naive.magnitude[i] + kEps * std::abs(d.Y[i]))
        << "entry " << i;
  }
  // The zero value added of problem 0's market (0, 0): omegatilde = 1 there.
  EXPECT_EQ(k.excess[0], -d.log_omega[0]);
}

// A path's labor inputs and outputs against their definitions and what a StaticSolution gets
// from te::finish and te::market_clearing_residual at the same solution, scaled to the same
// numeraire: labor changes from the labor path (occupied mobile markets only; NaN in the
// non-employment slots and the empty market is never read), factor prices, price indices, real
// wages in the path's market layout (the non-employment slots and the stride's padding left
// alone) and the residuals. Bounds are derived beside each.
TEST(CpuTeKernels, PathOutputsEqualTeFinishAndTheResidual) {
  const Context cpu(Backend::cpu);
  const Economy base = synthetic_economy(4, 9, 5, 191);
  const std::size_t batch = 3, J = base.sectors, N = base.regions, R = base.mobile_regions;
  const std::size_t jn = J * N, M = R * (J + 1);
  testing::FactorPriceData d = testing::random_factor_price_data(base, batch, 193);
  // Problem 0's largest residual is a country's (its sales 1e8 times too large), the others'
  // a mobile market's: both branches decide a result.
  for (std::size_t j = 0; j < J; ++j) d.Y[j * N + N - 1] *= 1e8;
  testing::PathOutputData p = testing::random_path_output_data(d, 197);
  Economy e = base;
  e.xi = p.xi;  // te::finish reads xi from the economy
  const double sentinel = 12345.0;
  const testing::PathOutputs k = testing::run_path_kernels(cpu, d, p, sentinel);
  EXPECT_EQ(k.unresolved, 0u);
  for (std::size_t b = 0; b < batch; ++b) {
    const std::string tag = "problem " + std::to_string(b);
    te::ExpandedShock shock;
    shock.wage_ref = problem(p.wage_ref, b, jn);
    shock.labor.assign(jn, 1.0);
    shock.labor_factor.assign(jn, 1.0);
    for (std::size_t n = 0; n < R; ++n) {
      for (std::size_t j = 0; j < J; ++j) {
        const std::size_t m = n * (J + 1) + 1 + j, i = j * N + n;
        if (m == p.empty_market) continue;
        shock.labor[i] = p.L[b * M + m] / p.L0[m];
        shock.labor_factor[i] = std::pow(shock.labor[i], 1.0 - p.xi[n]);
      }
    }
    // The same operations as the kernel: bitwise.
    EXPECT_EQ(problem(k.labor, b, jn), shock.labor) << tag;
    EXPECT_EQ(problem(k.labor_factor, b, jn), shock.labor_factor) << tag;

    const ReferenceState ref{{}, problem(d.VAL, b, jn), problem(d.VAR, b, jn)};
    const std::vector<double> omega_own = exp_of(problem(d.log_omega, b, jn));
    const std::vector<double> scale = te::value_added_scale(omega_own, shock.labor_factor);
    double total = 0.0;
    for (std::size_t i = 0; i < jn; ++i) total += (ref.VAL[i] + ref.VAR[i]) * scale[i];
    const double s = p.world_va / total;
    StaticSolution x;
    for (const double w : omega_own) x.omega.push_back(s * w);
    for (const double lp : problem(p.log_phat, b, jn)) x.sector_prices.push_back(s * std::exp(lp));
    te::finish(e, ref, shock, x);
    // The value added sums J N positive terms in the same order, each product associated
    // differently (2 eps): s within (J N + 3) eps relative, omega one rounding more.
    const double omega_bound = (jn + 4) * kEps;
    EXPECT_LE(max_relative_error(problem(k.omega, b, jn), x.omega), omega_bound) << tag;
    // log P = sum_j alpha_j (log s + log phat) against sum_j alpha_j log(s phat): each term
    // within 2 eps (1 + |log s| + |log phat|) absolute, J of them summed with weights summing to
    // 1 (J eps of the sum more), plus log s's own error (omega_bound); exp turns that absolute
    // error of the exponent into a relative one (+ 1 ulp).
    double largest_log = std::abs(std::log(s));
    for (const double lp : p.log_phat) largest_log = std::max(largest_log, std::abs(lp));
    const double price_bound = (J + 3) * kEps * (2.0 + largest_log) + omega_bound;
    EXPECT_LE(max_relative_error(problem(k.price_index, b, N), x.price_index), price_bound) << tag;
    // Real wage: omega labor^-xi / wage_ref / P, the same operations but omega's and P's errors.
    for (std::size_t n = 0; n < N; ++n) {
      for (std::size_t j = 0; j < J; ++j) {
        const double got = k.real_wage[b * p.stride + (n < R ? n * (J + 1) + 1 + j : 0)];
        if (n >= R) continue;
        const double want = x.real_wage[j * N + n];
        EXPECT_NEAR(got, want, (omega_bound + price_bound + 4 * kEps) * want)
            << tag << " market " << n << "," << j;
      }
    }
    for (std::size_t n = 0; n < R; ++n)
      EXPECT_EQ(k.real_wage[b * p.stride + n * (J + 1)], sentinel) << tag << " slot q = 0";
    for (std::size_t c = M; c < p.stride; ++c)
      EXPECT_EQ(k.real_wage[b * p.stride + c], sentinel) << tag << " padding";
    // |gamma Y - va| / va with va within 3 eps relative and sums of J positive terms in the same
    // order: the residual within (J + 6) eps (1 + r + gamma Y / va) absolute, gamma Y / va <= 1 +
    // r.
    const double r = te::market_clearing_residual(e, ref, problem(d.Y, b, jn), scale);
    EXPECT_NEAR(k.residual[b], r, (J + 6) * kEps * (2.0 + 2.0 * r)) << tag;
    EXPECT_GT(r, 0.1) << tag;  // random sales: far from clearing, so the test sees the formula
  }
  // Labor that is zero or infinite in an occupied market is counted; NaN where it is never read
  // (the empty market, the non-employment slots) is not.
  p.L[1 * M + 0 * (J + 1) + 2] = 0.0;
  p.L[2 * M + 1 * (J + 1) + 1] = INFINITY;
  EXPECT_EQ(testing::run_path_kernels(cpu, d, p, sentinel).unresolved, 2u);
}

// The news slot's block I - beta diag(1/r) mu0 diag(c) against its definition (one product and
// a subtraction per entry, as the naive loop: bitwise), and the dense LU: A x = b solved in place
// has a residual within the backward-stable bound of partial pivoting, n eps ||A|| ||x|| (growth
// factor 1 for this diagonally dominant matrix), and matches Eigen's own LU to the same bound;
// a matrix with an exactly zero column is reported singular.
TEST(CpuDenseLu, NewsBlockAndLuSolveMatchTheirDefinitions) {
  const Context cpu(Backend::cpu);
  const std::size_t m = 57;
  const Matrix mu0 = random_migration(m, 211);
  const std::vector<double> c = random_vector(m, 0.1, 1.0, 212);
  std::vector<double> r(m, 0.0);  // r = mu0 c, as factorise() makes it
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t k = 0; k < m; ++k) r[i] += mu0(i, k) * c[k];
  r[3] = 0.0;  // an empty market: its row is the identity's
  const double beta = 0.95;
  std::vector<double> A(m * m);
  kernels::cpu::news_block(cpu, m, mu0.data.data(), c.data(), r.data(), beta, A.data());
  Eigen::MatrixXd dense(m, m);
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t k = 0; k < m; ++k) {
      const double scale = r[i] > 0.0 ? beta / r[i] : 0.0;
      const double want = (i == k ? 1.0 : 0.0) - scale * mu0(i, k) * c[k];
      ASSERT_EQ(A[i * m + k], want) << i << "," << k;
      dense(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) = want;
    }
  }
  const std::vector<double> b = random_vector(m, -1.0, 1.0, 214);
  std::vector<double> x = b;
  std::vector<int> pivots(m);
  ASSERT_EQ(kernels::cpu::lu_factor(cpu, m, A.data(), pivots.data()), 0);
  kernels::cpu::lu_solve(cpu, m, A.data(), pivots.data(), x.data());
  const Eigen::Map<const Eigen::VectorXd> bx(b.data(), static_cast<Eigen::Index>(m)),
      xx(x.data(), static_cast<Eigen::Index>(m));
  const double scale = static_cast<double>(m) * kEps * dense.lpNorm<Eigen::Infinity>() *
                       xx.lpNorm<Eigen::Infinity>();
  EXPECT_LE((dense * xx - bx).lpNorm<Eigen::Infinity>(), scale);
  const Eigen::VectorXd eigen = dense.partialPivLu().solve(bx);
  EXPECT_LE((eigen - xx).lpNorm<Eigen::Infinity>(), 4.0 * scale);
  // A zero column: U's diagonal has an exact zero there (or later).
  std::vector<double> singular(m * m, 0.0);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t k = 0; k < m; ++k)
      if (k != 5) singular[i * m + k] = i == k ? 2.0 : 0.1;
  EXPECT_GT(kernels::cpu::lu_factor(cpu, m, singular.data(), pivots.data()), 0);
  EXPECT_EQ(kernels::cpu::lu_factor(cpu, 0, nullptr, nullptr), 0);
}

// The block applied without forming it (news_block_apply, for large grids) against the formed
// block times v: each entry one product with mu0 and a subtraction either way, summed in other
// orders, so within m eps of the row's absolute sum (|v_i| + beta sum_k |mu_ik c_k v_k| / r_i);
// the empty market's row is v's entry itself.
TEST(CpuDenseLu, NewsBlockApplyIsTheBlockTimesAVector) {
  const Context cpu(Backend::cpu);
  for (const std::size_t m : {1u, 9u, 57u}) {
    const Matrix mu0 = random_migration(m, 215);
    const std::vector<double> c = random_vector(m, 0.1, 1.0, 216);
    const std::vector<double> v = random_vector(m, -1.0, 1.0, 217);
    std::vector<double> r(m, 0.0);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t k = 0; k < m; ++k) r[i] += mu0(i, k) * c[k];
    if (m > 3) r[3] = 0.0;
    const double beta = 0.95;
    std::vector<double> A(m * m), out(m, NAN);
    kernels::cpu::news_block(cpu, m, mu0.data.data(), c.data(), r.data(), beta, A.data());
    kernels::cpu::news_block_apply(cpu, m, mu0.data.data(), c.data(), r.data(), beta, v.data(),
                                   out.data());
    for (std::size_t i = 0; i < m; ++i) {
      double want = 0.0, size = std::abs(v[i]);
      for (std::size_t k = 0; k < m; ++k) {
        want += A[i * m + k] * v[k];
        size += std::abs(A[i * m + k] * v[k]);
      }
      EXPECT_NEAR(out[i], want, 2.0 * static_cast<double>(m) * kEps * size) << m << ": " << i;
      if (r[i] == 0.0) {
        EXPECT_EQ(out[i], v[i]);
      }
    }
  }
}

// Cdot_t = W_t / W_{t-1} inside the horizon, 1 at its ends (one division: exact rounding).
TEST(CpuVectorOps, RealWageChangesDivideConsecutiveSlots) {
  const Context cpu(Backend::cpu);
  const std::size_t m = 3, slots = 4;
  const std::vector<double> W = random_vector(m * slots, 0.5, 2.0, 199);
  std::vector<double> cdot(m * slots, -1.0);
  kernels::cpu::real_wage_changes(cpu, m, slots, W.data(), cdot.data());
  for (std::size_t t = 0; t < slots; ++t) {
    for (std::size_t k = 0; k < m; ++k) {
      const double want = t == 0 || t + 1 == slots ? 1.0 : W[t * m + k] / W[(t - 1) * m + k];
      EXPECT_EQ(cdot[t * m + k], want) << "slot " << t << " market " << k;
    }
  }
}

// The price sweep and the trade shares work in levels (kernels.hpp) and redo a row from the logs
// when its products q c fall below e^-300. Row 0 is such a row: origin 1 has q = e^-400 and cost
// factor e^-400, origin 2 q = 1 and e^-900, origin 0 a zero share, so every product underflows
// to 0 in double and the levels form alone would give an infinite price. Row 1 is an ordinary
// row, row 2 a row of zeros. The oracle is naive_te_terms in long double (range to e^-11355).
TEST(CpuTeKernels, RowsBelowTheLevelsFloorAreRedoneFromTheLogs) {
  const Context cpu(Backend::cpu);
  constexpr std::size_t J = 1, N = 3;
  const double theta = 60.0;
  const std::vector<double> log_xhat = {0.0, 400.0 / theta, 900.0 / theta};
  const std::vector<double> log_q = {-INFINITY, -400.0,    0.0,       0.0,      -1.0,
                                     -2.0,      -INFINITY, -INFINITY, -INFINITY};
  testing::TeData d;
  d.N = N;
  d.log_q = log_q;
  testing::scaled_shares(d);
  std::vector<double> log_phat(J * N, -7.0), pi(J * N * N, -7.0);
  kernels::cpu::te_log_price_indices(cpu, 1, J, N, &theta, nullptr, d.q.data(),
                                     d.log_q_scale.data(), log_xhat.data(), log_phat.data());
  const std::vector<double> q_levels = exp_of(log_q), xhat = exp_of(log_xhat);
  const std::vector<double> p_naive = naive::price_indices(J, N, {theta}, q_levels, xhat);
  // log phat ~ 13: the logs' rounding (eps each of exponents up to 900) over theta, with room.
  EXPECT_NEAR(log_phat[0], std::log(p_naive[0]), 1e3 * kEps);
  EXPECT_NEAR(log_phat[1], std::log(p_naive[1]), 16 * kEps);
  EXPECT_EQ(log_phat[2], 0.0);  // nothing absorbed: 0 by convention
  // Row 0's shares: exp(f) = e^800 would overflow in levels. Exponents up to 900 round by
  // 900 eps, which exp turns into relative error: 2e3 eps relative, with room.
  kernels::cpu::te_trade_shares(cpu, 1, J, N, &theta, nullptr, d.q.data(), d.log_q_scale.data(),
                                log_xhat.data(), log_phat.data(), pi.data());
  const std::vector<double> s_naive =
      naive::trade_shares(J, N, {theta}, q_levels, xhat, exp_of(log_phat));
  EXPECT_LE(max_relative_error(pi, s_naive), 2e3 * kEps);
  EXPECT_NEAR(pi[1], 1.0, 1e-12);  // origin 1 supplies row 0
  EXPECT_NEAR(pi[2], std::exp(-100.0), 1e-55);
  EXPECT_EQ(pi[0], 0.0);
  for (std::size_t i = 6; i < 9; ++i) EXPECT_EQ(pi[i], 0.0);
}

TEST(ElementMath, VectorisableLogIsWithinTwoUlp) {
  std::mt19937_64 engine(7);
  // log2 of x uniform over the whole double range (subnormals included), and x near 1, where
  // log x is small and its relative error most exposed.
  std::uniform_real_distribution<double> exponent(-1074.0, 1023.9), near_one(-0.3, 0.4);
  double worst = 0.0;
  for (int i = 0; i < 400000; ++i) {
    const double x = i % 2 == 0 ? std::exp2(exponent(engine)) : 1.0 + near_one(engine);
    const double got = kernels::log_vectorisable(x), want = std::log(x);
    if (want == 0.0) {
      EXPECT_EQ(got, 0.0);
      continue;
    }
    const double ulp = std::abs(std::nextafter(want, 2.0 * want) - want);
    worst = std::max(worst, std::abs(got - want) / ulp);
  }
  EXPECT_LE(worst, 2.0);
  EXPECT_EQ(kernels::log_vectorisable(1.0), 0.0);
  EXPECT_EQ(kernels::log_vectorisable(0.0), -INFINITY);
  EXPECT_EQ(kernels::log_vectorisable(INFINITY), INFINITY);
  EXPECT_TRUE(std::isnan(kernels::log_vectorisable(-1.0)));
  EXPECT_TRUE(std::isnan(kernels::log_vectorisable(NAN)));
  EXPECT_NEAR(kernels::log_vectorisable(M_E), 1.0, 2 * kEps);
  EXPECT_NEAR(kernels::log_vectorisable(5e-324), std::log(5e-324), 2 * kEps * 745);
}

TEST(ElementMath, VectorisableExpIsWithinTwoUlp) {
  std::mt19937_64 engine(5);
  std::uniform_real_distribution<double> wide(-708.0, 709.0), shares(-40.0, 0.0);
  double worst = 0.0;
  for (int i = 0; i < 200000; ++i) {
    const double x = i % 2 == 0 ? wide(engine) : shares(engine);
    const double got = kernels::exp_vectorisable(x), want = std::exp(x);
    worst = std::max(worst, std::abs(got - want) / (std::nextafter(want, INFINITY) - want));
  }
  EXPECT_LE(worst, 2.0);  // Cody-Waite reduction + degree-13 polynomial: measured 1 ulp
  EXPECT_EQ(kernels::exp_vectorisable(0.0), 1.0);
  EXPECT_EQ(kernels::exp_vectorisable(-INFINITY), 0.0);
  EXPECT_EQ(kernels::exp_vectorisable(-800.0), 0.0);  // below exp's subnormal range
  EXPECT_EQ(kernels::exp_vectorisable(800.0), INFINITY);
  EXPECT_NEAR(kernels::exp_vectorisable(1.0), M_E, 2 * kEps * M_E);
}

// Below -708 exp is subnormal: CUDA's exp returns it, so the CPU kernels must too (a flush to 0
// made the backends differ there).
TEST(ElementMath, VectorisableExpIsSubnormalLikeExpFrom708To745) {
  constexpr double kSmallest = 0x1.0p-1074;  // the subnormal grid's spacing
  for (double x = -708.0; x >= -745.0; x -= 0.0625) {
    const double got = kernels::exp_vectorisable(x), want = std::exp(x);
    // 2 ulp of the exact value (the polynomial) plus one rounding to the subnormal grid.
    EXPECT_LE(std::abs(got - want), 4 * kEps * want + kSmallest) << "x = " << x;
    EXPECT_GT(got, 0.0) << "x = " << x;
  }
  EXPECT_EQ(kernels::exp_vectorisable(-745.0), std::exp(-745.0));  // 2^-1074, the smallest
  EXPECT_EQ(kernels::exp_vectorisable(-745.2), 0.0);               // rounds to 0, as exp does
  EXPECT_EQ(std::exp(-745.2), 0.0);
}

// A residual over a partly-NaN iterate must be NaN (not converged), wherever the NaN sits: the
// OpenMP min/max reductions alone dropped it, so an iterate could look converged.
TEST(CpuVectorOps, DiffRangeKeepsNan) {
  const Context ctx(Backend::cpu);
  const std::size_t n = 100000;  // above the parallel threshold: every thread's share
  for (std::size_t at : {std::size_t{0}, n / 2, n - 1}) {
    std::vector<double> a(n, 1.0), b(n, 1.0);
    a[at] = NAN;
    const DeviceArray a_d(ctx, a), b_d(ctx, b);
    const kernels::DiffRange d = kernels::diff_range(ctx, n, a_d.data(), b_d.data());
    EXPECT_TRUE(std::isnan(d.min)) << "NaN at " << at;
    EXPECT_TRUE(std::isnan(d.max)) << "NaN at " << at;
    EXPECT_TRUE(std::isnan(d.max_abs())) << "NaN at " << at;
  }
  EXPECT_TRUE(std::isnan((kernels::DiffRange{NAN, 1.0}).max_abs()));
  EXPECT_TRUE(std::isnan((kernels::DiffRange{-1.0, NAN}).max_abs()));
}

TEST(CpuVectorOps, HandValues) {
  const Context ctx(Backend::cpu);
  const DeviceArray a(ctx, std::vector<double>{1.0, -2.0, 3.5});
  const DeviceArray b(ctx, std::vector<double>{0.5, 1.0, 3.5});
  const kernels::DiffRange d = kernels::diff_range(ctx, 3, a.data(), b.data());
  EXPECT_EQ(d.min, -3.0);
  EXPECT_EQ(d.max, 0.5);
  EXPECT_EQ(d.max_abs(), 3.0);

  DeviceArray y(ctx, std::vector<double>{1.0, 1.0, 1.0});
  kernels::axpby(ctx, 3, 2.0, a.data(), -1.0, y.data());
  EXPECT_EQ(y.to_host(), (std::vector<double>{1.0, -5.0, 6.0}));

  DeviceArray x(ctx, std::vector<double>{std::log(1.0), std::log(3.0), 800.0});
  const DeviceArray x_new(ctx, std::vector<double>{std::log(3.0), std::log(3.0), 800.0});
  kernels::average_in_levels(ctx, 3, x_new.data(), x.data());
  const std::vector<double> avg = x.to_host();
  EXPECT_NEAR(avg[0], std::log(2.0), 4 * kEps);  // (1 + 3) / 2
  EXPECT_NEAR(avg[1], std::log(3.0), 4 * kEps);
  EXPECT_NEAR(avg[2], 800.0, 4 * kEps * 800.0);  // exp(800) would overflow in levels

  const DeviceArray X(ctx, std::vector<double>{1.0, 2.0, 3.0, 4.0, 5.0, 6.0});  // [2][1][3]
  double dots[2];
  kernels::segment_dots(ctx, 2, 1, 3, X.data(), b.data(), dots);
  EXPECT_EQ(dots[0], 0.5 + 2.0 + 10.5);
  EXPECT_EQ(dots[1], 2.0 + 5.0 + 21.0);
  const double coef[2] = {1.0, -0.5};
  DeviceArray z(ctx, std::vector<double>{0.0, 0.0, 0.0});
  kernels::segment_combination(ctx, 2, 1, 3, X.data(), coef, z.data());
  EXPECT_EQ(z.to_host(), (std::vector<double>{1.0, 0.5, 0.0}));
  const unsigned char second_only[2] = {0, 1};
  DeviceArray product(ctx, std::vector<double>{1.0, 2.0, 3.0, 4.0, 5.0, 6.0});
  kernels::segment_multiply(ctx, 2, 3, second_only, X.data(), product.data());
  EXPECT_EQ(product.to_host(), (std::vector<double>{1.0, 2.0, 3.0, 16.0, 25.0, 36.0}));
}

}  // namespace
}  // namespace dynhat
