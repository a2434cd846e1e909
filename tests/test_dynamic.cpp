// The dynamic path solver (src/dynamic/): against the sequential reference of MODEL.md 5.2-5.3
// (tests/support/sequential_reference.hpp), invariants, zero shocks, thread-count independence,
// batched = chained temporary equilibria, and the effects (MODEL.md section 8).
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstdio>
#include <mutex>
#include <numeric>

#include "dynamic/path_equilibria.hpp"
#include "dynhat/dynamic.hpp"
#include "dynhat/effects.hpp"
#include "dynhat/error.hpp"
#include "dynhat/synthetic.hpp"
#include "runtime/device_array.hpp"
#include "static_equilibrium/batch_solve.hpp"
#include "static_equilibrium/chord_matrix.hpp"
#include "support/backend_test.hpp"
#include "support/cpu_context.hpp"
#include "support/fixtures.hpp"
#include "support/path_differences.hpp"
#include "support/sequential_reference.hpp"
#include "support/thread_ranks.hpp"

namespace dynhat {
namespace {

using testing::largest_path_difference;
using testing::max_abs_diff;
using testing::small_dynamic_model;

using testing::tight_dynamic_options;

/// Productivity of region 4 (a country) in sectors 0 and 1 up 50% over slots 1..10, and one
/// trade-cost cut, region 5 -> mobile region 0 in sector 2.
FundamentalChanges china_like(std::size_t periods) {
  FundamentalChanges c;
  for (std::size_t q = 1; q <= std::min<std::size_t>(10, periods - 1); ++q) {
    for (std::size_t j : {0, 1}) c.productivity.push_back({q, j, 4, std::pow(1.5, 0.1)});
  }
  c.trade_costs.push_back({3, 2, 0, 5, 0.8});
  return c;
}

// The chord-preconditioned temporary equilibria (the default) and the damped iteration they
// replaced solve the same equations: baseline and counterfactual agree to the solvers'
// tolerances (outer 1e-12 in log Y, TE 1e-13; the outer map's gain, 1 / (1 - beta) = 2 here,
// turns those into ~2e-12 in the paths; measured 4.4e-14 (baseline Y), 5.6e-13 (counterfactual Y),
// 5.4e-13 (real wage), 7.1e-14 (L / total); 1e-11 leaves 18x), in fewer factor-price passes.
TEST(DynamicPath, ChordPreconditionedEqualsDampedEquilibria) {
  const DynamicModel model = small_dynamic_model(11, 30, 0.5);
  const Context ctx(Backend::cpu);
  const FundamentalChanges changes = china_like(model.periods);
  DynamicOptions damped = tight_dynamic_options();
  damped.te_chord = false;
  const PathSolution b_chord = solve_baseline(ctx, model, tight_dynamic_options());
  const PathSolution b_damped = solve_baseline(ctx, model, damped);
  const PathSolution c_chord =
      solve_counterfactual(ctx, model, b_chord, changes, tight_dynamic_options());
  const PathSolution c_damped = solve_counterfactual(ctx, model, b_damped, changes, damped);
  for (const PathSolution* p : {&b_chord, &b_damped, &c_chord, &c_damped})
    ASSERT_TRUE(p->report.converged && p->te_converged);
  EXPECT_LT(max_abs_diff(b_chord.Y, b_damped.Y), 1e-11);
  EXPECT_LT(max_abs_diff(c_chord.Y, c_damped.Y), 1e-11);
  EXPECT_LT(max_abs_diff(c_chord.real_wage, c_damped.real_wage), 1e-11);
  const double total = std::accumulate(model.L0.begin(), model.L0.end(), 0.0);
  EXPECT_LT(max_abs_diff(c_chord.L, c_damped.L), 1e-11 * total);
  EXPECT_LT(b_chord.te_iterations + c_chord.te_iterations,
            b_damped.te_iterations + c_damped.te_iterations);
}

// Above DynamicOptions::chord_max_unknowns factor prices the chord matrix is not formed: the
// path is the damped iteration's (te_chord = false), bit for bit; at the limit it is the chord's.
TEST(DynamicPath, LargeGridsSolveTheirEquilibriaWithoutTheChordMatrix) {
  const DynamicModel model = small_dynamic_model(11, 30, 0.5);
  const std::size_t unknowns = model.economy.sectors * model.economy.regions;
  const Context ctx(Backend::cpu);
  DynamicOptions damped = tight_dynamic_options(), over = damped, at = damped;
  damped.te_chord = false;
  over.chord_max_unknowns = unknowns - 1;
  at.chord_max_unknowns = unknowns;
  const PathSolution d = solve_baseline(ctx, model, damped);
  const PathSolution o = solve_baseline(ctx, model, over);
  const PathSolution a = solve_baseline(ctx, model, at);
  const PathSolution chord = solve_baseline(ctx, model, tight_dynamic_options());
  EXPECT_EQ(o.Y.data, d.Y.data);
  EXPECT_EQ(o.te_iterations, d.te_iterations);
  EXPECT_EQ(a.Y.data, chord.Y.data);
  EXPECT_LT(a.te_iterations, d.te_iterations);  // the chord's preconditioning is in use
}

// The news slot's block solved by GMRES matrix-free (grids above dense_news_block_max) instead
// of its dense LU: a preconditioner of the same fixed point, so the counterfactual agrees to the
// solvers' tolerances as in ChordPreconditionedEqualsDampedEquilibria (1e-11, derived there).
TEST(DynamicPath, IterativeNewsBlockEqualsTheDenseLu) {
  const DynamicModel model = small_dynamic_model(11, 30, 0.5);
  const Context ctx(Backend::cpu);
  const FundamentalChanges changes = china_like(model.periods);
  const PathSolution baseline = solve_baseline(ctx, model, tight_dynamic_options());
  DynamicOptions iterative = tight_dynamic_options();
  iterative.dense_news_block_max = 0;
  const PathSolution dense =
      solve_counterfactual(ctx, model, baseline, changes, tight_dynamic_options());
  const PathSolution gmres = solve_counterfactual(ctx, model, baseline, changes, iterative);
  ASSERT_TRUE(dense.report.converged && gmres.report.converged && gmres.te_converged);
  EXPECT_LT(max_abs_diff(gmres.Y, dense.Y), 1e-11);
  EXPECT_LT(max_abs_diff(gmres.real_wage, dense.real_wage), 1e-11);
  const double total = std::accumulate(model.L0.begin(), model.L0.end(), 0.0);
  EXPECT_LT(max_abs_diff(gmres.L, dense.L), 1e-11 * total);
  // The same preconditioner to 1e-12: the same outer iterations, give or take one.
  EXPECT_NEAR(gmres.report.iterations, dense.report.iterations, 1);
}

// mu0 kept as CSR (the model's zeros dropped) solves the same baseline and counterfactual as
// dense, to the solvers' tolerances (1e-11, derived in ChordPreconditionedEqualsDampedEquilibria);
// kept as floats, the paths move by the rounding of mu0's entries (2^-24 relative each; the
// household block's bound, tests/test_household_hat.cpp, is 1.2e-5 in log Y; measured here
// 4.0e-9 in Y and 3.3e-9 in labor relative to the total).
TEST(DynamicPath, SparseAndFloatMu0StorageGiveTheDensePath) {
  const DynamicModel model = small_dynamic_model(11, 30, 0.5);
  const Context ctx(Backend::cpu);
  const FundamentalChanges changes = china_like(model.periods);
  const double total = std::accumulate(model.L0.begin(), model.L0.end(), 0.0);
  const PathSolution b = solve_baseline(ctx, model, tight_dynamic_options());
  const PathSolution c = solve_counterfactual(ctx, model, b, changes, tight_dynamic_options());
  for (const Mu0Storage storage : {Mu0Storage::sparse, Mu0Storage::float32}) {
    DynamicOptions options = tight_dynamic_options();
    options.mu0_storage = storage;
    const PathSolution bs = solve_baseline(ctx, model, options);
    const PathSolution cs = solve_counterfactual(ctx, model, bs, changes, options);
    ASSERT_TRUE(bs.report.converged && cs.report.converged && cs.te_converged);
    const double tol = storage == Mu0Storage::sparse ? 1e-11 : 1.2e-5;
    const double dy = max_abs_diff(cs.Y, c.Y), dl = max_abs_diff(cs.L, c.L) / total;
    std::printf("%s: max |dY| %.3g, max |dL| / total %.3g\n",
                storage == Mu0Storage::sparse ? "sparse" : "float32", dy, dl);
    EXPECT_LT(max_abs_diff(bs.Y, b.Y), tol);
    EXPECT_LT(dy, tol);
    EXPECT_LT(dl, tol);
    EXPECT_LT(max_abs_diff(cs.real_wage, c.real_wage), tol);
  }
}

TEST(DynamicPath, FastSolverEqualsTheSequentialReference) {
  const DynamicModel model = small_dynamic_model(11, 30, 0.5);
  const Context ctx(Backend::cpu);
  const PathSolution baseline = solve_baseline(ctx, model, tight_dynamic_options());
  const FundamentalChanges changes = china_like(model.periods);
  const PathSolution counterfactual =
      solve_counterfactual(ctx, model, baseline, changes, tight_dynamic_options());
  ASSERT_TRUE(baseline.report.converged && baseline.te_converged);
  ASSERT_TRUE(counterfactual.report.converged && counterfactual.te_converged);

  const testing::SequentialBaseline ref = testing::sequential_baseline(model);
  const testing::SequentialCounterfactual ref_cf =
      testing::sequential_counterfactual(model, ref, changes);
  ASSERT_TRUE(ref.report.converged && ref_cf.report.converged);
  // Both solve the same equations at ~1e-12; the reference chains T = 30 temporary equilibria
  // (errors of 1e-13 each accumulate along the chain: 3e-12) and stops its Picard loop on a
  // level step of 1e-12, i.e. an error of up to 1e-12 / (1 - (1 + beta)/2) = 4e-12. Measured:
  // 1.1e-12 (Y), 2.2e-12 (L / L0), 7.8e-13 (real wage), 2.0e-12 (Yh), 2.2e-12 (counterfactual
  // real wage), 7.8e-13 (counterfactual L), 2.9e-13 (stay shares). 1e-10 is 10x the derived 7e-12
  // and 45x the largest measured value.
  const double tol = 1e-10;
  EXPECT_LT(max_abs_diff(baseline.Y, ref.Y), tol);
  EXPECT_LT(max_abs_diff(baseline.L, ref.L) / model.L0[0], tol);
  EXPECT_LT(max_abs_diff(baseline.real_wage, ref.real_wage), tol);
  EXPECT_LT(max_abs_diff(counterfactual.Y_relative, ref_cf.Yh), tol);
  EXPECT_LT(max_abs_diff(counterfactual.real_wage, ref_cf.real_wage), tol);
  double scale = 0.0;
  for (double l : model.L0) scale = std::max(scale, l);
  EXPECT_LT(max_abs_diff(counterfactual.L, ref_cf.L) / scale, tol);
  // Migration: the diagonal shares the welfare measure uses.
  for (std::size_t t = 1; t + 1 < model.periods; ++t) {
    for (std::size_t m = 0; m < model.markets(); ++m) {
      ASSERT_NEAR(counterfactual.stay(t, m), ref_cf.mu[t](m, m), tol) << "slot " << t;
    }
  }
}

TEST(DynamicPath, ZeroShockCounterfactualEqualsBaseline) {
  const DynamicModel model = small_dynamic_model(12, 30, 0.99);
  const Context ctx(Backend::cpu);
  const PathSolution baseline = solve_baseline(ctx, model, tight_dynamic_options());
  DynamicOptions options = tight_dynamic_options();
  options.tol = 1e-10;
  const PathSolution counterfactual = solve_counterfactual(ctx, model, baseline, {}, options);
  ASSERT_TRUE(counterfactual.report.converged);
  // The counterfactual starts at the baseline (value path and factor prices), where its
  // equations (E27-E29 with no change) hold to the baseline's residual (<= 1e-12, plus the
  // re-solved equilibria's rounding): under its own tolerance it stops there at once, so hats are
  // 1 and labor equal to 1e-12 (relative). (With equal tolerances it may take a few more steps
  // and land within ~tol / (1 - contraction) of the baseline instead.)
  EXPECT_EQ(counterfactual.report.iterations, 1);
  for (double y : counterfactual.Y_relative.data) ASSERT_NEAR(y, 1.0, 1e-12);
  for (std::size_t k = 0; k < baseline.L.size(); ++k)
    ASSERT_NEAR(counterfactual.L.data[k], baseline.L.data[k], 1e-12 * baseline.L.data[k]);
  const Effects fx = compute_effects(model, baseline, counterfactual, {{0}});
  for (double w : fx.welfare) ASSERT_NEAR(w, 0.0, 1e-9);  // 100 x (1e-12 x ~ T terms)
}

TEST(DynamicPath, LaborIsConservedAndSharesAreProbabilities) {
  const DynamicModel model = small_dynamic_model(13, 30, 0.99);
  const Context ctx(Backend::cpu);
  const PathSolution baseline = solve_baseline(ctx, model);
  const PathSolution cf = solve_counterfactual(ctx, model, baseline, china_like(model.periods));
  ASSERT_TRUE(baseline.report.converged && cf.report.converged);
  const double total = std::accumulate(model.L0.begin(), model.L0.end(), 0.0);
  for (const PathSolution* p : {&baseline, &cf}) {
    for (std::size_t t = 0; t < model.periods; ++t) {
      const double sum = std::accumulate(p->L.row(t), p->L.row(t) + model.markets(), 0.0);
      EXPECT_NEAR(sum, total, 1e-12 * total) << "slot " << t;  // rows of mu sum to 1
      for (std::size_t m = 0; m < model.markets(); ++m) {
        ASSERT_GT(p->stay(t, m), 0.0);
        ASSERT_LE(p->stay(t, m), 1.0);
      }
    }
  }
  // News arrives at slot 1: slot-0 decisions, hence slot-1 labor, are the baseline's.
  for (std::size_t m = 0; m < model.markets(); ++m) {
    EXPECT_NEAR(cf.L(1, m), baseline.L(1, m), 1e-12 * baseline.L(1, m));
    EXPECT_NEAR(cf.stay(0, m), baseline.stay(0, m), 1e-14);
  }
}

TEST(DynamicPath, ResultsDoNotDependOnTheThreadCount) {
  const DynamicModel model = small_dynamic_model(14, 30, 0.99);
  const Context ctx(Backend::cpu);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const PathSolution one = solve_baseline(ctx, model);
  omp_set_num_threads(std::max(2, threads));
  const PathSolution many = solve_baseline(ctx, model);
  omp_set_num_threads(threads);
  // Every reduction has a fixed order (kernels.hpp, te_terms.hpp) and libm is the same in both
  // runs, so the iterations agree to the last bit (measured: identical).
  EXPECT_EQ(one.Y.data, many.Y.data);
  EXPECT_EQ(one.report.iterations, many.report.iterations);
}

TEST(Ranks, BlocksCoverTheItemsInRankOrder) {
  for (std::size_t count : {0, 1, 7, 28, 198}) {
    for (int size : {1, 2, 3, 8}) {
      std::size_t next = 0, smallest = count, largest = 0;
      for (int r = 0; r < size; ++r) {
        const Block b = block_of(count, r, size);
        EXPECT_EQ(b.first, next) << count << " items, rank " << r << " of " << size;
        next = b.last;
        smallest = std::min(smallest, b.size());
        largest = std::max(largest, b.size());
      }
      EXPECT_EQ(next, count);
      EXPECT_LE(largest - smallest, 1u);
    }
  }
  EXPECT_EQ(block_of(28, 0, 3).size(), 10u);  // 28 = 10 + 9 + 9: the first ones take the extra
  EXPECT_EQ(block_of(28, 2, 3).first, 19u);
}

// The temporary equilibria split by dates over 1, 2 and 3 ranks (threads of this process; the
// MPI version is tests/test_distributed_path_mpi.cpp): every rank returns the one-process
// baseline and counterfactual. Each date's equilibrium does not depend on the others in its batch
// (batch_solve.hpp) nor on the thread count (ResultsDoNotDependOnTheThreadCount), and the ranks
// gather exact copies, so the paths agree to the last bit (measured: 0); 1e-12 is the issue's
// bound. 28 dates over 3 ranks: blocks of 10, 9, 9; the counterfactual's anchor date lies in one
// block, and every rank solves it.
TEST(DynamicPath, DatesSpreadOverRanksGiveTheOneProcessPath) {
  const DynamicModel model = small_dynamic_model(11, 30, 0.5);
  const FundamentalChanges changes = china_like(model.periods);
  const double total = std::accumulate(model.L0.begin(), model.L0.end(), 0.0);
  const Context ctx(Backend::cpu);
  const PathSolution b = solve_baseline(ctx, model, tight_dynamic_options());
  const PathSolution c = solve_counterfactual(ctx, model, b, changes, tight_dynamic_options());
  for (int size : {1, 2, 3}) {
    std::vector<PathSolution> baselines(static_cast<std::size_t>(size)),
        counterfactuals(baselines.size());
    testing::run_on_thread_ranks(size, [&](const Ranks& ranks) {
      const Context own(Backend::cpu);
      DynamicOptions options = tight_dynamic_options();
      options.ranks = &ranks;
      const auto r = static_cast<std::size_t>(ranks.rank());
      baselines[r] = solve_baseline(own, model, options);
      counterfactuals[r] = solve_counterfactual(own, model, baselines[r], changes, options);
    });
    for (std::size_t r = 0; r < baselines.size(); ++r) {
      SCOPED_TRACE(::testing::Message() << "rank " << r << " of " << size);
      ASSERT_TRUE(counterfactuals[r].report.converged && counterfactuals[r].te_converged);
      const double db = largest_path_difference(baselines[r], b, total);
      const double dc = largest_path_difference(counterfactuals[r], c, total);
      std::printf("%d ranks, rank %zu: baseline %.3g, counterfactual %.3g\n", size, r, db, dc);
      EXPECT_LE(db, 1e-12);
      EXPECT_LE(dc, 1e-12);
      EXPECT_EQ(counterfactuals[r].report.iterations, c.report.iterations);
      EXPECT_EQ(counterfactuals[r].te_iterations, c.te_iterations);  // every date, counted once
      EXPECT_EQ(counterfactuals[r].te_passes_warm, c.te_passes_warm);
      EXPECT_EQ(counterfactuals[r].te_residual, c.te_residual);
    }
  }
}

TEST(DynamicPath, MoreRanksThanDatesIsAnErrorOnEveryRank) {
  const DynamicModel model = small_dynamic_model(11, 4, 0.5);  // 2 temporary equilibria
  int refused = 0;
  std::mutex counted;
  testing::run_on_thread_ranks(3, [&](const Ranks& ranks) {
    const Context own(Backend::cpu);
    DynamicOptions options = tight_dynamic_options();
    options.ranks = &ranks;
    try {
      solve_baseline(own, model, options);
    } catch (const InvalidInput& e) {
      EXPECT_NE(std::string(e.what()).find("cannot be spread over 3 ranks"), std::string::npos)
          << e.what();
      const std::lock_guard<std::mutex> lock(counted);
      ++refused;
    }
  });
  EXPECT_EQ(refused, 3);
}

TEST(DynamicPath, BatchedEquilibriaEqualTheChainAlongTheConvergedPath) {
  const DynamicModel model = small_dynamic_model(15, 25, 0.99);
  const Context ctx(Backend::cpu);
  const PathSolution baseline = solve_baseline(ctx, model, tight_dynamic_options());
  ASSERT_TRUE(baseline.report.converged);
  // The replication's chain: each slot's TE from the previous slot's state, labor Ldot_t.
  const Economy& e = model.economy;
  const std::size_t J = e.sectors, N = e.regions;
  ReferenceState state = model.base_year;
  std::vector<double> cumulative(model.markets(), 1.0);
  StaticOptions te;
  te.tol = 1e-13;
  for (std::size_t t = 1; t + 1 < model.periods; ++t) {
    StaticShock shock;
    shock.labor.assign(J * N, 1.0);
    for (std::size_t n = 0; n < e.mobile_regions; ++n)
      for (std::size_t j = 0; j < J; ++j) {
        const std::size_t m = n * (J + 1) + 1 + j;
        shock.labor[j * N + n] = baseline.L(t, m) / baseline.L(t - 1, m);
      }
    const StaticSolution x = solve_static(testing::cpu_context(), e, state, shock, te);
    ASSERT_TRUE(x.report.converged);
    state = {x.trade_shares, x.VAL, x.VAR};
    for (std::size_t n = 0; n < e.mobile_regions; ++n)
      for (std::size_t j = 0; j < J; ++j) {
        const std::size_t m = n * (J + 1) + 1 + j;
        cumulative[m] *= x.real_wage[j * N + n];
        // Telescoping is exact; each TE solved to 1e-13 relative, errors add over <= 25 slots.
        ASSERT_NEAR(baseline.real_wage(t, m), cumulative[m], 1e-10 * cumulative[m])
            << "slot " << t << " market " << m;
      }
  }
}

// The batch of a path's temporary equilibria keeps its inputs, states and outputs on the
// backend: a solve after the first (which picks the anchors, bringing the labor ratios and their
// solutions to the host) brings back per-problem scalars only, never one date's [J][N] array
// (the CPU solves each date as a group of one: at most the GMRES coefficients of one restart
// cycle, 8 (restart + 1) bytes). Its real wages, factor prices and price indices equal those of
// the same date solved alone into a StaticSolution, each solved to 1e-12 (their condition on
// these small tables stays below 10: 1e-10 relative has room).
TEST(DynamicPath, WarmEquilibriaBringBackPerProblemScalarsOnly) {
  const Context& ctx = testing::cpu_context();
  DynamicModel model;  // J N = 60 > 41 coefficients
  model.economy = synthetic_economy(5, 12, 6, 18);
  model.base_year = base_year_equilibrium(ctx, model.economy);
  SyntheticMobility mobility = synthetic_mobility(6, 6, 18);
  model.mu0 = std::move(mobility.mu0);
  model.L0 = std::move(mobility.L0);
  model.periods = 12;
  const Economy& e = model.economy;
  const std::size_t T = model.periods, M = model.markets(), J = e.sectors, N = e.regions;
  const dynamic::CumulativeChanges changes = dynamic::cumulate(china_like(T), model);
  const ReferenceState& base = model.base_year;
  const te::ChordMatrix chord(ctx, e, base.trade_shares, base.VAL, base.VAR);
  dynamic::PathEquilibriumBatch batch(ctx, model, changes, nullptr, &chord, nullptr);
  // Two labor paths: L0 moved by up to 2% (then 3%) per slot, total labor kept.
  const auto labor_path = [&](double step) {
    std::vector<double> L((T + 1) * M);
    for (std::size_t t = 0; t <= T; ++t)
      for (std::size_t m = 0; m < M; ++m)
        L[t * M + m] = model.L0[m] * (1.0 + step * static_cast<double>(t % 5) *
                                                (static_cast<double>(m % 3) - 1.0));
    return L;
  };
  StaticOptions options;
  options.tol = 1e-12;
  ASSERT_TRUE(batch.solve(DeviceArray(ctx, labor_path(0.004)), options).converged);
  const std::vector<double> L = labor_path(0.006);
  const dynamic::PathEquilibria warm = batch.solve(DeviceArray(ctx, L), options);
  ASSERT_TRUE(warm.converged);
  const long restart_coefficients = static_cast<long>(sizeof(double)) * (te::kGmresRestart + 1);
  ASSERT_LT(restart_coefficients, static_cast<long>(sizeof(double) * J * N));
  EXPECT_LE(warm.host_transfers.largest, restart_coefficients);
  EXPECT_GE(warm.host_transfers.synchronisations, static_cast<long>(T - 2));

  const std::vector<double> real_wage = batch.real_wage().to_host();
  const std::vector<double> omega = batch.omega().to_host(), price = batch.price_index().to_host();
  double base_va = 0.0;
  for (std::size_t k = 0; k < J * N; ++k) base_va += base.VAL[k] + base.VAR[k];
  for (std::size_t t = 1; t + 1 < T; ++t) {
    StaticShock shock;
    shock.productivity = changes.productivity[t];
    shock.trade_costs = changes.trade_costs[t];
    shock.labor.assign(J * N, 1.0);
    for (std::size_t n = 0; n < e.mobile_regions; ++n)
      for (std::size_t j = 0; j < J; ++j) {
        const std::size_t m = n * (J + 1) + 1 + j;
        shock.labor[j * N + n] = L[t * M + m] / model.L0[m];
      }
    const StaticSolution x = solve_static(ctx, e, base, shock, options);
    ASSERT_TRUE(x.report.converged);
    double va = 0.0;  // the path's numeraire: the base year's world value added
    for (std::size_t k = 0; k < J * N; ++k) va += x.VAL[k] + x.VAR[k];
    const double scale = base_va / va;
    for (std::size_t k = 0; k < J * N; ++k)
      ASSERT_NEAR(omega[t * J * N + k], scale * x.omega[k], 1e-10 * scale * x.omega[k]);
    for (std::size_t n = 0; n < N; ++n)
      ASSERT_NEAR(price[t * N + n], scale * x.price_index[n], 1e-10 * scale * x.price_index[n]);
    for (std::size_t n = 0; n < e.mobile_regions; ++n) {
      EXPECT_EQ(real_wage[t * M + n * (J + 1)], 1.0) << "non-employment, slot " << t;
      for (std::size_t j = 0; j < J; ++j) {
        const double want = x.real_wage[j * N + n];
        ASSERT_NEAR(real_wage[t * M + n * (J + 1) + 1 + j], want, 1e-10 * want)
            << "slot " << t << " region " << n << " sector " << j;
      }
    }
  }
  for (std::size_t m = 0; m < M; ++m) {
    EXPECT_EQ(real_wage[m], 1.0) << "slot 0 is the base year";
    EXPECT_EQ(real_wage[(T - 1) * M + m], real_wage[(T - 2) * M + m]) << "slot T-1 repeats T-2";
  }
}

TEST(DynamicPath, AndersonNeedsFewOuterIterationsForALargeShock) {
  const DynamicModel model = small_dynamic_model(16, 40, 0.99);
  const Context ctx(Backend::cpu);
  const PathSolution baseline = solve_baseline(ctx, model);
  FundamentalChanges big;
  for (std::size_t q = 1; q <= 28; ++q)
    for (std::size_t j = 0; j < 3; ++j)
      big.productivity.push_back({q, j, 4, std::pow(5.0, 1.0 / 28)});
  const PathSolution cf = solve_counterfactual(ctx, model, baseline, big);
  ASSERT_TRUE(cf.report.converged);
  // The replication's 1/2-relaxed Picard contracts the slot-1 jump at (1 + beta)/2 = 0.995 per
  // iteration (thousands of temporary-equilibrium batches to 1e-8); the nested, damped Anderson
  // iteration with the exact slot-1 block needs a few tens (measured: 44 at T = 60).
  EXPECT_LE(cf.report.iterations, 60);
  EXPECT_LE(baseline.report.iterations, 60);
}

TEST(DynamicEffects, SharesContributionsAndWelfareAreConsistent) {
  const DynamicModel model = small_dynamic_model(17, 30, 0.99);
  const Context ctx(Backend::cpu);
  const PathSolution baseline = solve_baseline(ctx, model);
  const PathSolution cf = solve_counterfactual(ctx, model, baseline, china_like(model.periods));
  const Effects fx = compute_effects(model, baseline, cf, {{0, 1}});
  EXPECT_EQ(fx.horizon, model.periods - 2);
  const auto sum = [](const std::vector<double>& v, bool skip_nan) {
    double s = 0.0;
    for (double x : v)
      if (!(skip_nan && std::isnan(x))) s += x;
    return s;
  };
  EXPECT_NEAR(sum(fx.sector_share_baseline, false), 1.0, 1e-14);
  EXPECT_NEAR(sum(fx.region_share_counterfactual, false), 1.0, 1e-14);
  EXPECT_NEAR(sum(fx.sector_contribution, true), 100.0, 1e-9);
  EXPECT_NEAR(sum(fx.region_contribution, true), 100.0, 1e-9);
  EXPECT_TRUE(std::isnan(fx.sector_contribution[2]));  // not manufacturing
  const std::size_t h = fx.horizon;
  EXPECT_NEAR(fx.manufacturing_share_baseline[h],
              fx.sector_share_baseline[0] + fx.sector_share_baseline[1], 1e-14);
  // Welfare (E37) by hand for market 5 from the paths.
  const std::size_t m = 5;
  double expected = 0.0, discount = 1.0;
  for (std::size_t s = 1; s < model.periods; ++s) {
    const std::size_t at = std::min(s, model.periods - 2);
    const double flow = std::log(cf.real_wage(at, m) / baseline.real_wage(at, m)) -
                        model.nu * std::log(cf.stay(at, m) / baseline.stay(at, m));
    expected += (s + 1 == model.periods ? 1.0 / (1.0 - model.beta) : 1.0) * discount * flow;
    discount *= model.beta;
  }
  EXPECT_NEAR(fx.welfare[m], 100.0 * (1.0 - model.beta) * expected, 1e-12);
  double aggregate = 0.0, population = 0.0;
  for (std::size_t k = 0; k < model.markets(); ++k) {
    aggregate += model.L0[k] * fx.welfare[k];
    population += model.L0[k];
  }
  EXPECT_NEAR(fx.aggregate_welfare, aggregate / population, 1e-12);
}

class DynamicParity : public testing::BackendParity {};

TEST_F(DynamicParity, CudaPathEqualsCpuPath) {
  // Everything runs on the device: the household block and the batch of temporary equilibria.
  const DynamicModel model = small_dynamic_model(19, 30, 0.99);
  const FundamentalChanges changes = china_like(model.periods);
  const Context cpu(Backend::cpu), cuda(Backend::cuda);
  const PathSolution b_cpu = solve_baseline(cpu, model, tight_dynamic_options());
  const PathSolution c_cpu =
      solve_counterfactual(cpu, model, b_cpu, changes, tight_dynamic_options());
  const PathSolution b_gpu = solve_baseline(cuda, model, tight_dynamic_options());
  const PathSolution c_gpu =
      solve_counterfactual(cuda, model, b_gpu, changes, tight_dynamic_options());
  ASSERT_TRUE(b_gpu.report.converged && c_gpu.report.converged);
  // Different summation orders (cuBLAS, CUB) give different iterates of the same fixed point;
  // both stop at a step of 1e-12, i.e. within ~1e-11 of it. 1e-9 leaves room for that.
  EXPECT_LT(testing::normwise_error(b_gpu.Y.data, b_cpu.Y.data), 1e-9);
  EXPECT_LT(testing::normwise_error(c_gpu.Y_relative.data, c_cpu.Y_relative.data), 1e-9);
  EXPECT_LT(testing::normwise_error(c_gpu.L.data, c_cpu.L.data), 1e-9);
  EXPECT_LT(testing::normwise_error(c_gpu.real_wage.data, c_cpu.real_wage.data), 1e-9);
}

TEST(DynamicInputs, BadChangesAreRejectedWithTheEntry) {
  const DynamicModel model = small_dynamic_model(18, 20, 0.99);
  const Context ctx(Backend::cpu);
  PathSolution fake;
  const auto message = [&](const FundamentalChanges& c) {
    return testing::message_of([&] { validate(c, model); });
  };
  EXPECT_NE(message({{{0, 0, 0, 1.1}}, {}}).find("slot 0, must be in [1, 20)"), std::string::npos);
  EXPECT_NE(message({{{1, 0, 0, -1.0}}, {}}).find("factor -1, must be > 0"), std::string::npos);
  EXPECT_NE(message({{{1, 9, 0, 1.1}}, {}}).find("sector 9, must be < J = 3"), std::string::npos);
  EXPECT_NE(message({{}, {{1, 0, 0, 7, 1.1}}}).find("region 7, must be < N = 6"),
            std::string::npos);
  EXPECT_THROW(solve_counterfactual(ctx, model, fake, {}), DimensionMismatch);
}

}  // namespace
}  // namespace dynhat
