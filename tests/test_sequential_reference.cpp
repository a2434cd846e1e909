// Sanity tests of the sequential reference (tests/support/sequential_reference.hpp), the oracle of
// the fast dynamic solver: a counterfactual without changes is the baseline, a steady state stays
// put, migration rows and total labor are conserved, MODEL.md 5.5's factorisation holds on the
// reference's own paths, and a productivity gain draws workers into the market that gets it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "dynhat/dynamic.hpp"
#include "support/fixtures.hpp"
#include "support/sequential_reference.hpp"

namespace dynhat::testing {
namespace {

constexpr std::uint64_t kSeed = 17;
constexpr std::size_t kSlots = 30;

/// The market of sector j in mobile region n (MODEL.md section 1).
std::size_t market(const DynamicModel& model, std::size_t n, std::size_t j) {
  return n * (model.economy.sectors + 1) + 1 + j;
}

/// The stationary distribution of mu with the total of `L` (mu^T conserves it): power iteration
/// L <- mu^T L until the step is below 1e-15 relative (synthetic flows mostly stay, so the
/// chain is aperiodic and the iteration converges).
std::vector<double> stationary_labor(const Matrix& mu, std::vector<double> L) {
  std::vector<double> next(L.size());
  for (int iteration = 0; iteration < 1000000; ++iteration) {
    for (std::size_t c = 0; c < mu.cols; ++c) {
      next[c] = 0.0;
      for (std::size_t r = 0; r < mu.rows; ++r) next[c] += mu(r, c) * L[r];
    }
    double step = 0.0, scale = 0.0;
    for (std::size_t m = 0; m < L.size(); ++m) {
      step = std::max(step, std::abs(next[m] - L[m]));
      scale = std::max(scale, std::abs(next[m]));
    }
    L.swap(next);
    if (step <= 1e-15 * scale) return L;
  }
  ADD_FAILURE() << "power iteration for the stationary labor did not converge";
  return L;
}

double max_abs_from_one(const Matrix& x) {
  double worst = 0.0;
  for (double v : x.data) worst = std::max(worst, std::abs(v - 1.0));
  return worst;
}

double max_row_sum_error(const Matrix& mu) {
  double worst = 0.0;
  for (std::size_t r = 0; r < mu.rows; ++r) {
    worst = std::max(worst, std::abs(std::accumulate(mu.row(r), mu.row(r) + mu.cols, 0.0) - 1.0));
  }
  return worst;
}

/// Largest relative change of total labor sum_m L_t over the slots.
double total_labor_drift(const Matrix& L) {
  const double total = std::accumulate(L.row(0), L.row(0) + L.cols, 0.0);
  double worst = 0.0;
  for (std::size_t t = 1; t < L.rows; ++t) {
    const double now = std::accumulate(L.row(t), L.row(t) + L.cols, 0.0);
    worst = std::max(worst, std::abs(now - total) / total);
  }
  return worst;
}

/// +2% productivity a quarter over slots 1..5 in sector 1 of mobile region 0.
FundamentalChanges productivity_gain() {
  FundamentalChanges gain;
  for (std::size_t slot = 1; slot <= 5; ++slot) gain.productivity.push_back({slot, 1, 0, 1.02});
  return gain;
}

/// One model, its baseline and the productivity-gain counterfactual, at outer tolerance `tol`.
struct Paths {
  DynamicModel model;
  SequentialBaseline baseline;
  SequentialCounterfactual gain;
};

Paths solve_paths(double tol) {
  SequentialOptions options;
  options.tol = tol;
  Paths p{small_dynamic_model(kSeed, kSlots), {}, {}};
  p.baseline = sequential_baseline(p.model, options);
  p.gain = sequential_counterfactual(p.model, p.baseline, productivity_gain(), options);
  return p;
}

/// Paths stopped at the replication's tolerance (1e-3), for identities that hold at every
/// iterate. gtest_discover_tests runs each test in its own process, so each test solves only
/// what it needs: ~27 outer iterations here, ~250 for the converged paths.
const Paths& loose_paths() {
  static const Paths paths = solve_paths(1e-3);
  return paths;
}

/// Paths at the default tolerance of the oracle (1e-12).
const Paths& converged_paths() {
  static const Paths paths = solve_paths(SequentialOptions{}.tol);
  return paths;
}

TEST(SequentialReference, ZeroChangesReproduceTheBaseline) {
  // Holds for any baseline whose paths come from its own Y, converged or not.
  const Paths& p = loose_paths();
  const SequentialCounterfactual c = sequential_counterfactual(p.model, p.baseline, {});
  ASSERT_TRUE(c.report.converged);
  EXPECT_EQ(c.report.iterations, 1);  // Yh = 1 is the fixed point from the start
  // Every counterfactual TE starts at the baseline's omega, which clears its markets to the
  // TE tolerance 1e-13; Chh and Yh are 1 up to that and rounding carried over 30 slots.
  EXPECT_LE(max_abs_from_one(c.Chh), 1e-12);
  EXPECT_LE(max_abs_from_one(c.Yh), 1e-12);
  EXPECT_LE(max_relative_error(c.L.data, p.baseline.L.data), 1e-12);
  EXPECT_LE(max_relative_error(c.real_wage.data, p.baseline.real_wage.data), 1e-12);
  for (std::size_t t = 0; t < kSlots; ++t) {
    EXPECT_LE(normwise_error(c.mu[t].data, p.baseline.mu[t].data), 1e-12) << "slot " << t;
  }
}

TEST(SequentialReference, StationaryLaborStaysPut) {
  DynamicModel model = small_dynamic_model(kSeed, kSlots);
  model.L0 = stationary_labor(model.mu0, model.L0);
  const SequentialBaseline b = sequential_baseline(model);
  ASSERT_TRUE(b.report.converged);
  // With Y = 1, mu_t = mu0 and L_t = L0, so every TE is the base year again: Cdot = 1 and
  // Y_new = 1 up to rounding through the TEs (solved to 1e-13).
  EXPECT_LE(b.report.iterations, 2);
  EXPECT_LE(max_abs_from_one(b.Y), 1e-12);
  EXPECT_LE(max_abs_from_one(b.Cdot), 1e-12);
  for (std::size_t t = 0; t < kSlots; ++t) {
    // L0 is stationary to a 1e-15 normwise step, so T = 30 steps drift by at most ~3e-14.
    const std::vector<double> L_t(b.L.row(t), b.L.row(t) + b.L.cols);
    EXPECT_LE(normwise_error(L_t, model.L0), 1e-13) << "slot " << t;
  }
}

TEST(SequentialReference, MigrationRowsAndTotalLaborAreConserved) {
  // Identities of every iterate, so the loose paths serve. Rows are normalised explicitly: a sum
  // of 12 shares is 1 to a few eps. Labor moves by mu^T, which conserves the total to ~M eps a
  // slot.
  const Paths& p = loose_paths();
  for (const auto* mu : {&p.baseline.mu, &p.gain.mu}) {
    ASSERT_EQ(mu->size(), kSlots);
    for (std::size_t t = 0; t < kSlots; ++t) {
      EXPECT_LE(max_row_sum_error((*mu)[t]), 1e-14) << "slot " << t;
      EXPECT_GE(*std::min_element((*mu)[t].data.begin(), (*mu)[t].data.end()), 0.0);
    }
  }
  EXPECT_LE(total_labor_drift(p.baseline.L), 1e-13);
  EXPECT_LE(total_labor_drift(p.gain.L), 1e-13);
}

/// MODEL.md 5.5: c_t = prod_{q=1}^{t+1} Yh_q^beta (Yh_T = 1), and mu_t col(c_t) before its rows
/// are normalised (r_t = its row sums).
Matrix scaled_baseline_migration(const Paths& p, std::size_t t) {
  std::vector<double> log_c(p.model.markets(), 0.0);
  for (std::size_t q = 1; q <= t + 1 && q < kSlots; ++q) {
    for (std::size_t m = 0; m < log_c.size(); ++m) {
      log_c[m] += p.model.beta * std::log(p.gain.Yh(q, m));
    }
  }
  Matrix scaled = p.baseline.mu[t];
  for (std::size_t r = 0; r < scaled.rows; ++r) {
    for (std::size_t k = 0; k < scaled.cols; ++k) scaled(r, k) *= std::exp(log_c[k]);
  }
  return scaled;
}

std::vector<double> row_sums(const Matrix& a) {
  std::vector<double> sums(a.rows);
  for (std::size_t r = 0; r < a.rows; ++r) {
    sums[r] = std::accumulate(a.row(r), a.row(r) + a.cols, 0.0);
  }
  return sums;
}

TEST(SequentialReference, CounterfactualMigrationFactorises) {
  // mu'_t = rownorm(mu_t col(c_t)) for t >= 1 at every iterate Yh (loose paths). Exact for a
  // Prop-1 baseline (no cell switches on): only rounding differs, the recursion multiplying ~T
  // ratios of shares, a few eps each; zero cells stay zero in both forms.
  const Paths& p = loose_paths();
  EXPECT_GT(max_abs_from_one(p.gain.Yh), 1e-3);  // a non-trivial iterate
  const std::size_t M = p.model.markets();
  for (std::size_t t = 1; t < kSlots; ++t) {
    Matrix closed = scaled_baseline_migration(p, t);
    const std::vector<double> r = row_sums(closed);
    for (std::size_t row = 0; row < M; ++row) {
      for (std::size_t k = 0; k < M; ++k) closed(row, k) /= r[row];
    }
    EXPECT_LE(normwise_error(p.gain.mu[t].data, closed.data), 1e-13) << "slot " << t;
    for (std::size_t k = 0; k < M * M; ++k) {
      EXPECT_EQ(p.gain.mu[t].data[k] == 0.0, closed.data[k] == 0.0)
          << "slot " << t << " cell " << k;
    }
  }
}

TEST(SequentialReference, ProductivityGainDrawsWorkersIntoItsMarket) {
  const Paths& p = converged_paths();
  // The baseline converges at the default tolerance and moves (a non-trivial oracle):
  // synthetic_mobility's L0 is not stationary.
  ASSERT_TRUE(p.baseline.report.converged);
  EXPECT_EQ(p.baseline.report.residual_history.size(),
            static_cast<std::size_t>(p.baseline.report.iterations));
  EXPECT_GT(max_abs_from_one(p.baseline.Y), 1e-4);
  EXPECT_GT(max_abs_from_one(p.baseline.Cdot), 1e-4);
  ASSERT_EQ(p.baseline.te.size(), kSlots - 1);
  for (double w : p.baseline.te[0].omega) EXPECT_EQ(w, 1.0);  // slot 0 is the base year

  const SequentialCounterfactual& c = p.gain;
  ASSERT_TRUE(c.report.converged);
  EXPECT_LT(c.report.residual, SequentialOptions{}.tol);
  const std::size_t m = market(p.model, 0, 1);
  // Slot-0 decisions are the baseline's (news arrives at slot 1): L'_1 = L_1 exactly.
  EXPECT_EQ(c.L(1, m), p.baseline.L(1, m));
  EXPECT_GT(c.Chh(1, m), 1.0);  // the gain raises the market's real wage at once
  for (std::size_t t = kSlots / 2; t < kSlots; ++t) {
    EXPECT_GT(c.L(t, m), p.baseline.L(t, m)) << "slot " << t;
  }

  // The returned Yh solves E28 in its factorised form Yh_t = Chh_t^{1/nu} r_t / r_{t-1}
  // (MODEL.md 5.5, r_0 = 1). Yh is the average of an iterate and its E28 update, which differ by
  // < tol = 1e-12; the map moves that by at most ~(1 + beta), plus the TEs' 1e-13.
  std::vector<double> previous_r(p.model.markets(), 1.0);
  for (std::size_t t = 1; t + 1 < kSlots; ++t) {
    const std::vector<double> r = row_sums(scaled_baseline_migration(p, t));
    for (std::size_t k = 0; k < r.size(); ++k) {
      const double e28 = std::pow(c.Chh(t, k), 1.0 / p.model.nu) * r[k] / previous_r[k];
      EXPECT_NEAR(c.Yh(t, k), e28, 1e-11) << "slot " << t << " market " << k;
    }
    previous_r = r;
  }
}

}  // namespace
}  // namespace dynhat::testing
