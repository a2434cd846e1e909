// What the benchmark files share: the run's sizes, the contexts of both backends with a cache of
// large device-resident inputs, the registration helper every benchmark goes through (device
// check, exceptions, failure count) and seeded input generation.
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dynhat/backend.hpp"
#include "dynhat/ranks.hpp"
#include "runtime/device_array.hpp"

namespace dynhat::bench {

/// Seed of every generated input (std::mt19937_64), so runs compare like with like.
inline constexpr std::uint64_t kSeed = 20240607;

/// Problem sizes of one run: the full suite, or tiny ones for the ctest smoke test.
struct Sizes {
  bool smoke = false;
  std::vector<std::size_t> markets;  ///< M of the kernel benchmarks, ascending
  std::size_t slots = 0;             ///< T of the path benchmarks and solvers
  /// Largest M of the CPU path benchmarks (labor_chain, scaled_row_sums): 2 T M^2 flops each,
  /// too slow on a few cores at M = 20000, so that size runs on CUDA only.
  std::size_t cpu_path_max_markets = 0;
  std::size_t triad_length = 0;  ///< doubles per triad array
  /// --dynhat_mpi: the MPI ranks the dynamic path benchmarks spread their solves over (their
  /// names end in "/ranks:N"); nullptr: one process.
  const Ranks* ranks = nullptr;
};

/// Contexts of both backends (CUDA only when a device exists) and the large inputs, made once per
/// key: an M x M matrix is 3.2 GB at M = 20000. Owned by main, so every cached array is freed
/// before its context and before the CUDA runtime shuts down.
class Environment {
 public:
  Environment();
  /// The context of `backend`; nullptr for CUDA without a device (or in a CPU-only build).
  const Context* context(Backend backend) const;
  /// The array `key` on ctx's backend, uploaded from make() on first use.
  const DeviceArray& cached(const Context& ctx, const std::string& key,
                            const std::function<std::vector<double>()>& make);

 private:
  std::unique_ptr<Context> cpu_;
  std::unique_ptr<Context> cuda_;
  std::map<std::string, DeviceArray> arrays_;  // declared after the contexts: freed first
};

using Body = std::function<void(benchmark::State&, const Context&)>;

/// How a benchmark is timed: wall clock (whole solves; every CPU benchmark), or per call on the
/// device for CUDA kernel benchmarks (manual time from CUDA events: see time_calls).
enum class Timing { wall_clock, per_call };

/// "name/backend/M:m", with "/T:slots" when slots > 0.
std::string benchmark_name(const std::string& name, Backend backend, std::size_t m,
                           std::size_t slots = 0);

/// Registers `body` under `name`, timed as `timing` says. Without a CUDA device a CUDA benchmark
/// skips with "no CUDA device" and the reason (a failure when DYNHAT_REQUIRE_GPU is on); an
/// exception from `body` fails the benchmark.
benchmark::internal::Benchmark* add_benchmark(Environment& env, const std::string& name,
                                              Backend backend, Body body,
                                              Timing timing = Timing::wall_clock);

/// The timed loop of a Timing::per_call benchmark: call() per iteration, timed to the end of its
/// work (CPU: wall clock around call and synchronize; CUDA: the device time between two events
/// on ctx's stream around ten calls, per call). Reports `bytes` moved per call (counter and
/// GB/s); on CUDA also whether
/// they fit the L2 cache, where repeated calls find them (label "L2-resident" or
/// "HBM-resident", counter l2_resident), so cache and memory bandwidth are not mixed up.
void time_calls(benchmark::State& state, const Context& ctx, const std::function<void()>& call,
                double bytes);

/// True when the CDP tables are in DYNHAT_SHARED_DATA: the CDP benchmarks exist only then.
bool cdp_tables_present();

/// Marks the benchmark failed: skipped with `message`, and main exits non-zero.
void fail(benchmark::State& state, const std::string& message);
/// True when some benchmark of this run failed.
bool any_failed();

/// [rows][cols] seeded uniform doubles in [lo, hi); rows filled in parallel, each from its own
/// engine, so making a 20000 x 20000 input does not dominate the run.
std::vector<double> uniform_values(std::size_t rows, std::size_t cols, double lo, double hi,
                                   std::uint64_t seed);

bool all_finite(const std::vector<double>& values);

void register_kernel_benchmarks(Environment& env, const Sizes& sizes);
void register_household_benchmarks(Environment& env, const Sizes& sizes);
void register_triad_benchmarks(Environment& env, const Sizes& sizes);
void register_static_benchmarks(Environment& env, const Sizes& sizes);
void register_dynamic_benchmarks(Environment& env, const Sizes& sizes);
void register_large_grid_benchmarks(Environment& env, const Sizes& sizes);
void register_sweep_benchmarks(Environment& env, const Sizes& sizes);

}  // namespace dynhat::bench
