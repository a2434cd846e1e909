// Household solver benchmarks, CPU and CUDA: wall time of whole solves, inputs included.
//  household_hat_anderson / household_hat_picard: solve_household_hat on the synthetic CDP-sized
//    economy (synthetic_mobility(50, 23): M = 1150, T = 200) under a 20% real-wage rise of
//    sectors 0-11 phased in over 28 quarters. Counters: outer_iterations (the target: Anderson
//    needs at most 1/3 of Picard's), converged, residual, and s_per_outer_iteration (steady
//    per-iteration time, between the first and the last progress report). Anderson also at
//    M = 4600 (200 regions x 23) and, CUDA only, M = 20000 (800 x 25).
//  household_levels: solve_household_levels (stationary V, backward V path, labor path) with
//    random tau in [0, 10] (zero diagonal) and utilities in [0, 1], M = 1150, T = 200; the
//    stationary V to the default tolerance. Counter: stationary_iterations.
// A solve takes from milliseconds to seconds, so each benchmark runs one solve per repetition.
// Its output is checked finite after that timed solve (a second, untimed solve only to validate
// would double the cost of the slowest benchmarks).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "bench_common.hpp"
#include "dynhat/household.hpp"
#include "dynhat/synthetic.hpp"

namespace dynhat::bench {

namespace {

/// A synthetic economy of `regions` x `markets_per_region` markets.
struct Economy {
  std::size_t regions;
  std::size_t markets_per_region;
  std::size_t markets() const { return regions * markets_per_region; }
};

/// The hat problem of `economy` over `slots`; made once per shape (synthetic_mobility takes
/// seconds at M = 20000) and kept for the whole run.
const HatProblem& hat_problem(const Economy& economy, std::size_t slots) {
  static std::map<std::tuple<std::size_t, std::size_t, std::size_t>, HatProblem> cache;
  const auto key = std::make_tuple(economy.regions, economy.markets_per_region, slots);
  auto found = cache.find(key);
  if (found != cache.end()) return found->second;
  SyntheticMobility mobility =
      synthetic_mobility(economy.regions, economy.markets_per_region, kSeed);
  HatProblem problem;
  problem.mu0 = std::move(mobility.mu0);
  problem.L0 = std::move(mobility.L0);
  const std::vector<std::size_t> manufacturing = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  // 28 quarters of phase-in at T = 200; half the horizon when T is short (smoke test).
  const std::size_t quarters = std::min<std::size_t>(28, slots / 2);
  problem.real_wage = phased_real_wage(economy.regions, economy.markets_per_region, slots,
                                       manufacturing, 1.2, quarters);
  return cache.emplace(key, std::move(problem)).first->second;
}

Body hat_body(const Economy& economy, std::size_t slots, OuterMethod method) {
  return [economy, slots, method](benchmark::State& state, const Context& ctx) {
    const HatProblem& problem = hat_problem(economy, slots);
    HatOptions options;
    options.method = method;
    double first_report = 0.0;
    double last_report = 0.0;
    options.progress = [&](int iteration, double /*residual*/, double seconds) {
      if (iteration == 1) first_report = seconds;
      last_report = seconds;
    };
    HatResult result;
    for (auto _ : state) result = solve_household_hat(ctx, problem, options);
    const IterationReport& report = result.report;
    if (!std::isfinite(report.residual) || !all_finite(result.Y.data) ||
        !all_finite(result.L.data)) {
      fail(state, "solve_household_hat returned a non-finite path");
      return;
    }
    const int iterations = report.iterations;
    state.counters["outer_iterations"] = iterations;
    state.counters["converged"] = report.converged ? 1.0 : 0.0;
    state.counters["residual"] = report.residual;
    state.counters["s_per_outer_iteration"] =
        iterations > 1 ? (last_report - first_report) / (iterations - 1) : last_report;
  };
}

LevelsProblem levels_problem(std::size_t m, std::size_t slots) {
  LevelsProblem problem;
  problem.tau = Matrix(m, m);
  problem.tau.data = uniform_values(m, m, 0.0, 10.0, kSeed + 20);
  for (std::size_t i = 0; i < m; ++i) problem.tau(i, i) = 0.0;
  problem.utility = Matrix(slots, m);
  problem.utility.data = uniform_values(slots, m, 0.0, 1.0, kSeed + 21);
  problem.L0 = uniform_values(1, m, 1e3, 1e5, kSeed + 22);
  return problem;
}

Body levels_body(std::size_t m, std::size_t slots) {
  return [m, slots](benchmark::State& state, const Context& ctx) {
    const LevelsProblem problem = levels_problem(m, slots);
    const LevelsOptions options;  // default tol: 1e-12 relative to |V|_inf
    LevelsResult result;
    for (auto _ : state) result = solve_household_levels(ctx, problem, options);
    if (!result.stationary.converged || !all_finite(result.V.data) || !all_finite(result.L.data)) {
      fail(state, "solve_household_levels did not converge to a finite path");
      return;
    }
    state.counters["stationary_iterations"] = result.stationary.iterations;
  };
}

/// One solve per repetition, reported in milliseconds.
void add_solve(Environment& env, const std::string& name, Backend backend, std::size_t m,
               std::size_t slots, Body body) {
  add_benchmark(env, benchmark_name(name, backend, m, slots), backend, std::move(body))
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);
}

}  // namespace

void register_household_benchmarks(Environment& env, const Sizes& sizes) {
  const std::size_t slots = sizes.slots;
  // CDP size (50 regions x 23 = 1150 markets) and larger grids; tiny in the smoke test.
  const Economy cdp = sizes.smoke ? Economy{4, 16} : Economy{50, 23};
  std::vector<std::pair<Economy, bool>> anderson_only;  // (economy, CUDA only)
  if (!sizes.smoke) anderson_only = {{Economy{200, 23}, false}, {Economy{800, 25}, true}};

  for (Backend backend : {Backend::cpu, Backend::cuda}) {
    add_solve(env, "household_hat_anderson", backend, cdp.markets(), slots,
              hat_body(cdp, slots, OuterMethod::anderson));
    add_solve(env, "household_hat_picard", backend, cdp.markets(), slots,
              hat_body(cdp, slots, OuterMethod::picard));
  }
  for (const auto& [economy, cuda_only] : anderson_only) {
    for (Backend backend : {Backend::cpu, Backend::cuda}) {
      if (cuda_only && backend == Backend::cpu) continue;
      add_solve(env, "household_hat_anderson", backend, economy.markets(), slots,
                hat_body(economy, slots, OuterMethod::anderson));
    }
  }
  for (Backend backend : {Backend::cpu, Backend::cuda}) {
    add_solve(env, "household_levels", backend, cdp.markets(), slots,
              levels_body(cdp.markets(), slots));
  }
}

}  // namespace dynhat::bench
