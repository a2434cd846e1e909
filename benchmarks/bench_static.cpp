// Temporary-equilibrium benchmarks: one whole solve per repetition, fast solver against the
// replication algorithm in the same run, and the batch on both backends.
//  static_replication/cpu/cdp_base_year  the kit's algorithm (dense LU per pass) on the CDP tables
//  static_fast/cpu/cdp_base_year         the fast solver on the same problem, default tol 1e-10
//  static_fast_batch/{cpu,cuda}/cdp/B:200  200 shocked CDP problems as one batch
//  static_fast/{cpu,cuda}/J:22/N:n       synthetic economies, N in {87, 500, 2000}, R = N/2
//  static_fast_batch/{cpu,cuda}/J:22/N:2000/B:8  8 shocked dates of the N = 2000 economy against
//      its base year as one batch: solved in groups (CPU: one per thread; GPU: as many as half its
//      free memory holds), so the batch holds the work arrays of a group, not of all 8 (1.48 GB
//      per problem); counter peak_rss_gb (the process's, getrusage)
// Counters: outer_iterations, residual, market_clearing_residual.
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>

#include "bench_common.hpp"
#include "dynhat/economy.hpp"
#include "dynhat/static_equilibrium.hpp"
#include "dynhat/synthetic.hpp"
#include "support/cpu_context.hpp"

namespace dynhat::bench {

namespace {

void report(benchmark::State& state, const StaticSolution& s) {
  state.counters["outer_iterations"] = s.report.iterations;
  state.counters["residual"] = s.report.residual;
  state.counters["market_clearing_residual"] = s.market_clearing_residual;
  if (!s.report.converged || !all_finite(s.omega))
    fail(state, "temporary equilibrium not converged");
}

void register_solve(const std::string& name, std::shared_ptr<const Economy> economy, bool fast,
                    double tol) {
  benchmark::RegisterBenchmark(name.c_str(),
                               [economy, fast, tol](benchmark::State& state) {
                                 const ReferenceState data = ReferenceState::from_data(*economy);
                                 StaticSolution s;
                                 for (auto _ : state) {
                                   if (fast) {
                                     StaticOptions options;
                                     options.tol = tol;
                                     s = solve_static(testing::cpu_context(), *economy, data, {},
                                                      options);
                                   } else {
                                     s = solve_static_replication(*economy, data, {});
                                   }
                                 }
                                 report(state, s);
                               })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->Iterations(1);
}

}  // namespace

void register_static_benchmarks(Environment& env, const Sizes& sizes) {
  if (sizes.smoke) {
    register_solve("static_fast/cpu/J:3/N:6",
                   std::make_shared<Economy>(synthetic_economy(3, 6, 3, kSeed)), true, 1e-11);
    return;
  }
  const std::filesystem::path cdp = DYNHAT_SHARED_DATA;
  if (cdp_tables_present()) {
    const auto economy = std::make_shared<Economy>(load_economy(cdp, 50));
    register_solve("static_replication/cpu/cdp_base_year", economy, false, 0.0);
    register_solve("static_fast/cpu/cdp_base_year", economy, true, StaticOptions{}.tol);
  }
  if (cdp_tables_present()) {
    // 200 one-period counterfactuals from the base-year equilibrium, each with its own seeded
    // productivity shock (every sector-region factor in [0.9, 1.1]), solved as one batch.
    // "batch:" rather than "/M:" keeps them out of gpu_check.sh's CPU filter.
    const auto economy = std::make_shared<Economy>(load_economy(cdp, 50));
    for (Backend backend : {Backend::cpu, Backend::cuda}) {
      const std::string name =
          "static_fast_batch/" + std::string(to_string(backend)) + "/cdp/B:200";
      add_benchmark(env, name, backend,
                    [economy](benchmark::State& state, const Context& ctx) {
                      const Economy& e = *economy;
                      const StaticSolution base =
                          solve_static(testing::cpu_context(), e, ReferenceState::from_data(e), {});
                      const std::vector<ReferenceState> references(
                          200, {base.trade_shares, base.VAL, base.VAR});
                      std::vector<StaticShock> shocks(200);
                      for (std::size_t b = 0; b < shocks.size(); ++b) {
                        shocks[b].productivity =
                            uniform_values(1, e.sectors * e.regions, 0.9, 1.1, kSeed + b);
                      }
                      std::vector<StaticSolution> solutions;
                      for (auto _ : state)
                        solutions = solve_static_batch(ctx, e, references, shocks);
                      double worst = 0.0;
                      int iterations = 0;
                      for (const StaticSolution& s : solutions) {
                        worst = std::max(worst, s.market_clearing_residual);
                        iterations = std::max(iterations, s.report.iterations);
                        if (!s.report.converged)
                          fail(state, "a problem of the batch did not converge");
                      }
                      state.counters["max_market_clearing_residual"] = worst;
                      state.counters["max_outer_iterations"] = iterations;
                    })
          ->Unit(benchmark::kMillisecond)
          ->Iterations(1);
    }
  }
  // Synthetic economies of CDP depth (J = 22), half the regions mobile, built inside the body so
  // a filtered run does not generate them. N = 2000: 88M trade shares, ~1.4 GB per problem.
  for (std::size_t n : {87, 500, 2000}) {
    for (Backend backend : {Backend::cpu, Backend::cuda}) {
      const std::string name =
          "static_fast/" + std::string(to_string(backend)) + "/J:22/N:" + std::to_string(n);
      add_benchmark(
          env, name, backend,
          [n](benchmark::State& state, const Context& ctx) {
            const Economy e = synthetic_economy(22, n, n / 2, kSeed);
            const ReferenceState data = ReferenceState::from_data(e);
            StaticOptions options;
            options.tol = 1e-11;
            StaticSolution s;
            for (auto _ : state) {
              s = solve_static_batch(ctx, e, data, std::vector<StaticShock>(1), options).front();
            }
            report(state, s);
          })
          ->Unit(benchmark::kMillisecond)
          ->Iterations(1);
    }
  }
  for (Backend backend : {Backend::cpu, Backend::cuda}) {
    const std::string name =
        "static_fast_batch/" + std::string(to_string(backend)) + "/J:22/N:2000/B:8";
    add_benchmark(env, name, backend,
                  [](benchmark::State& state, const Context& ctx) {
                    const Economy e = synthetic_economy(22, 2000, 1000, kSeed);
                    const ReferenceState data = ReferenceState::from_data(e);
                    std::vector<StaticShock> shocks(8);
                    for (std::size_t b = 0; b < shocks.size(); ++b) {
                      shocks[b].productivity =
                          uniform_values(1, e.sectors * e.regions, 0.95, 1.05, kSeed + b);
                    }
                    StaticOptions options;
                    options.tol = 1e-11;
                    std::vector<StaticSolution> solutions;
                    for (auto _ : state)
                      solutions = solve_static_batch(ctx, e, data, shocks, options);
                    int iterations = 0;
                    for (const StaticSolution& s : solutions) {
                      iterations = std::max(iterations, s.report.iterations);
                      if (!s.report.converged) fail(state, "a date of the batch did not converge");
                    }
                    state.counters["max_outer_iterations"] = iterations;
                    rusage usage{};
                    getrusage(RUSAGE_SELF, &usage);
                    state.counters["peak_rss_gb"] = static_cast<double>(usage.ru_maxrss) / 1e6;
                  })
        ->Unit(benchmark::kMillisecond)
        ->Iterations(1);
  }
}

}  // namespace dynhat::bench
