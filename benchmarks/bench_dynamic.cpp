// Dynamic general-equilibrium benchmarks: whole solves (baseline + counterfactual), one per
// repetition.
//  dynamic_china/cdp/T:{60,200}/backend:{cpu,cuda}  the CDP China shock (examples/china_shock.toml)
//      on the CDP tables with the synthetic L0/mu0, cold start, tol 1e-8 / TE 1e-10. ~10 s and
//      ~35 s on a 2-core machine; the "backend:" suffix keeps them out of gpu_check.sh's "/cuda/"
//      filter.
//  dynamic_fast/cpu/small/T:30 and dynamic_sequential/cpu/small/T:30  the fast solver against the
//      sequential reference of MODEL.md 5.2-5.3 (tests/support/sequential_reference.cpp) on the
//      small test economy at the same tolerance (1e-10), for the per-outer-iteration ratio.
//  With --dynhat_mpi (under mpiexec), dynamic_fast and dynamic_china on the CPU are the solves
//  spread over the ranks (DynamicOptions::ranks), named ".../ranks:N"; rank 0 reports. The
//  strong scaling of one path solve: the same benchmark at 1 and 2 ranks.
// Counters: outer_iterations (baseline + counterfactual), seconds_per_iteration, te_seconds,
// te_host_syncs_per_iteration and te_host_bytes_per_iteration (what the temporary equilibria
// bring to the host per outer iteration, PathSolution::te_host_transfers: on cuda the whole
// batch is one group; on cpu each date counts apart), te_largest_host_transfer (bytes), and the
// same for the whole outer iteration (household block and outer step too,
// PathSolution::host_transfers): host_syncs_per_iteration, host_bytes_per_iteration,
// largest_host_transfer. The largest transfers include the first evaluation's anchors (the
// labor ratios of all dates, once per path); after it they are per-problem scalars.
#include <cmath>
#include <filesystem>
#include <string>

#include "bench_common.hpp"
#include "dynhat/dynamic.hpp"
#include "dynhat/io.hpp"
#include "support/cpu_context.hpp"
#include "support/sequential_reference.hpp"

namespace dynhat::bench {

namespace {

/// China's 2000-07 TFP factors in sectors 0-11 (MODEL.md section 7), over slots 1..28.
FundamentalChanges china_shock(std::size_t china) {
  const double factors[12] = {25.6097, 7.6093, 5.2773,  9.2464,  7.6897,   45.7781,
                              5.9298,  5.6533, 64.5661, 38.9064, 196.6509, 3.5324};
  FundamentalChanges changes;
  for (std::size_t j = 0; j < 12; ++j)
    for (std::size_t q = 1; q <= 28; ++q)
      changes.productivity.push_back({q, j, china, std::pow(factors[j], 1.0 / 28)});
  return changes;
}

/// The CDP tables with the synthetic L0/mu0 of the 50 US states (examples/china_shock.toml's
/// model) at `periods` slots; its base year solved once per run.
std::shared_ptr<const DynamicModel> china_model(std::size_t periods) {
  static const std::shared_ptr<const DynamicModel> base = [] {
    const std::filesystem::path cdp = DYNHAT_SHARED_DATA;
    auto model = std::make_shared<DynamicModel>();
    model->economy = load_economy(cdp, 50);
    model->mu0 = read_matrix(cdp / "mu0.csv");
    model->L0 = read_vector(cdp / "L0.csv");
    model->base_year =
        base_year_equilibrium(testing::cpu_context(), model->economy, DynamicOptions{}.te);
    return model;
  }();
  auto model = std::make_shared<DynamicModel>(*base);
  model->periods = periods;
  return model;
}

/// <prefix>host_syncs_per_iteration, <prefix>host_bytes_per_iteration and
/// <prefix>largest_host_transfer of two paths' transfers.
void transfer_counters(benchmark::State& state, const std::string& prefix, HostTransfers b,
                       const HostTransfers& c, int iterations) {
  b += c;
  state.counters[prefix + "host_syncs_per_iteration"] =
      static_cast<double>(b.synchronisations) / iterations;
  state.counters[prefix + "host_bytes_per_iteration"] = static_cast<double>(b.bytes) / iterations;
  state.counters[prefix + "largest_host_transfer"] = static_cast<double>(b.largest);
}

void report(benchmark::State& state, const PathSolution& b, const PathSolution& c, double seconds) {
  const int iterations = b.report.iterations + c.report.iterations;
  state.counters["outer_iterations"] = iterations;
  state.counters["seconds_per_iteration"] = seconds / iterations;
  state.counters["te_seconds"] = b.te_seconds + c.te_seconds;
  state.counters["baseline_iterations"] = b.report.iterations;
  state.counters["counterfactual_iterations"] = c.report.iterations;
  state.counters["median_passes"] = std::max(b.te_passes_warm, c.te_passes_warm);
  state.counters["median_passes_first"] = std::max(b.te_passes_first, c.te_passes_first);
  transfer_counters(state, "te_", b.te_host_transfers, c.te_host_transfers, iterations);
  transfer_counters(state, "", b.host_transfers, c.host_transfers, iterations);
  if (!(b.report.converged && c.report.converged && b.te_converged && c.te_converged))
    fail(state, "dynamic path not converged");
}

/// Baseline + counterfactual of `model` on `backend`, timed whole.
void register_fast(Environment& env, const std::string& name, Backend backend,
                   std::shared_ptr<const DynamicModel> model, FundamentalChanges changes,
                   DynamicOptions options) {
  add_benchmark(env, name, backend,
                [=](benchmark::State& state, const Context& ctx) {
                  PathSolution b, c;
                  for (auto _ : state) {
                    b = solve_baseline(ctx, *model, options);
                    c = solve_counterfactual(ctx, *model, b, changes, options);
                  }
                  report(state, b, c, b.report.seconds + c.report.seconds);
                })
      ->Unit(benchmark::kSecond)
      ->Iterations(1);
}

}  // namespace

void register_dynamic_benchmarks(Environment& env, const Sizes& sizes) {
  // The small economy: fast solver against the sequential reference at one tolerance.
  const auto small = std::make_shared<const DynamicModel>(
      testing::small_dynamic_model(kSeed, sizes.smoke ? 10 : 30, 0.7));
  FundamentalChanges gain;
  for (std::size_t q = 1; q < std::min<std::size_t>(6, small->periods); ++q)
    gain.productivity.push_back({q, 1, 0, 1.02});
  DynamicOptions options;
  options.tol = 1e-10;
  options.ranks = sizes.ranks;
  const std::string horizon = "T:" + std::to_string(small->periods);
  const std::string spread =
      sizes.ranks ? "/ranks:" + std::to_string(sizes.ranks->size()) : std::string();
  register_fast(env, "dynamic_fast/cpu/small/" + horizon + spread, Backend::cpu, small, gain,
                options);
  if (sizes.ranks) {  // over MPI ranks: the distributed solves alone
    if (sizes.smoke || !cdp_tables_present()) return;
    DynamicOptions china;
    china.ranks = sizes.ranks;
    for (std::size_t periods : {std::size_t{60}, std::size_t{200}}) {
      register_fast(env, "dynamic_china/cdp/T:" + std::to_string(periods) + "/backend:cpu" + spread,
                    Backend::cpu, china_model(periods), china_shock(56), china);
    }
    return;
  }
  add_benchmark(env, "dynamic_sequential/cpu/small/" + horizon, Backend::cpu,
                [=](benchmark::State& state, const Context&) {
                  testing::SequentialOptions reference;
                  reference.tol = 1e-10;
                  int iterations = 0;
                  double seconds = 0.0;
                  for (auto _ : state) {
                    const testing::SequentialBaseline b =
                        testing::sequential_baseline(*small, reference);
                    const testing::SequentialCounterfactual c =
                        testing::sequential_counterfactual(*small, b, gain, reference);
                    iterations = b.report.iterations + c.report.iterations;
                    seconds = b.report.seconds + c.report.seconds;
                    if (!b.report.converged || !c.report.converged)
                      fail(state, "sequential reference not converged");
                  }
                  state.counters["outer_iterations"] = iterations;
                  state.counters["seconds_per_iteration"] = seconds / iterations;
                })
      ->Unit(benchmark::kSecond)
      ->Iterations(1);
  if (sizes.smoke) return;

  if (!cdp_tables_present()) return;
  for (std::size_t periods : {std::size_t{60}, std::size_t{200}}) {
    const std::shared_ptr<const DynamicModel> model = china_model(periods);
    for (Backend backend : {Backend::cpu, Backend::cuda}) {
      register_fast(env,
                    "dynamic_china/cdp/T:" + std::to_string(periods) +
                        "/backend:" + std::string(to_string(backend)),
                    backend, model, china_shock(56), DynamicOptions{});
    }
  }
}

}  // namespace dynhat::bench
