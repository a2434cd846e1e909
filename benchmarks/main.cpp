// dynhat_benchmarks: the kernel, solver and bandwidth (triad) benchmarks on both backends.
//
//   dynhat_benchmarks [--dynhat_smoke] [--dynhat_require_tables] [--dynhat_mpi]
//                     [Google Benchmark flags]
//
// --dynhat_smoke runs every benchmark at a tiny size (M = 64, T = 20): the ctest smoke test.
// --dynhat_require_tables exits 1 when the CDP tables (DYNHAT_SHARED_DATA) are missing, instead
// of running without the CDP benchmarks (gpu_check.sh: they must not be silently absent).
// The full suite uses M in {1150, 4600, 20000} and T = 200. Exits non-zero when a benchmark
// failed (non-finite output, an exception, or no device under DYNHAT_REQUIRE_GPU); a CUDA
// benchmark without a device is skipped ("no CUDA device"), not failed.
// --dynhat_mpi (an MPI build, under mpiexec): the dynamic path benchmarks only, each solve spread
// over the ranks (bench_dynamic.cpp); rank 0 reports, the other ranks print and write nothing.
#include <benchmark/benchmark.h>

#include <cstring>
#include <iostream>
#include <memory>

#include "bench_common.hpp"

namespace {

/// Removes every `flag` from argv; true when there was one.
bool take_flag(int& argc, char** argv, const char* flag) {
  bool found = false;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], flag) == 0) {
      found = true;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  argv[argc] = nullptr;
  return found;
}

/// Removes every argument that starts with `prefix` from argv.
void drop_flags(int& argc, char** argv, const char* prefix) {
  int kept = 1;
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], prefix, std::strlen(prefix)) != 0) argv[kept++] = argv[i];
  argc = kept;
  argv[argc] = nullptr;
}

/// Reports nothing: the display of the ranks other than 0 under --dynhat_mpi.
class SilentReporter final : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context& /*context*/) override { return true; }
  void ReportRuns(const std::vector<Run>& /*runs*/) override {}
};

dynhat::bench::Sizes run_sizes(bool smoke) {
  dynhat::bench::Sizes sizes;
  sizes.smoke = smoke;
  if (smoke) {
    sizes.markets = {64};
    sizes.slots = 20;
    sizes.cpu_path_max_markets = 64;
    sizes.triad_length = std::size_t{1} << 16;
  } else {
    sizes.markets = {1150, 4600, 20000};
    sizes.slots = 200;
    sizes.cpu_path_max_markets = 4600;
    sizes.triad_length = std::size_t{1} << 25;
  }
  return sizes;
}

}  // namespace

int main(int argc, char** argv) {
  const bool smoke = take_flag(argc, argv, "--dynhat_smoke");
  const bool require_tables = take_flag(argc, argv, "--dynhat_require_tables");
  const std::unique_ptr<dynhat::Ranks> ranks =
      take_flag(argc, argv, "--dynhat_mpi") ? dynhat::mpi_world_ranks() : nullptr;
  const bool reporting = !ranks || ranks->rank() == 0;
  if (!reporting) drop_flags(argc, argv, "--benchmark_out");
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (require_tables && !dynhat::bench::cdp_tables_present()) {
    std::cerr << "dynhat_benchmarks: --dynhat_require_tables, but the CDP tables are not all in "
              << DYNHAT_SHARED_DATA << " (set DYNHAT_SHARED_DATA at configure time)\n";
    return 1;
  }

  dynhat::bench::Sizes sizes = run_sizes(smoke);
  sizes.ranks = ranks.get();
  int status = 0;
  {
    dynhat::bench::Environment env;  // outlives every benchmark; frees its arrays on scope exit
    benchmark::AddCustomContext("dynhat_mode", smoke ? "smoke" : "full");
    benchmark::AddCustomContext("cuda_device", dynhat::cuda_device_count() > 0
                                                   ? dynhat::cuda_device_name()
                                                   : std::string("none"));
    benchmark::AddCustomContext("mpi_ranks", std::to_string(ranks ? ranks->size() : 1));
    if (ranks) {
      dynhat::bench::register_dynamic_benchmarks(env, sizes);
    } else {
      dynhat::bench::register_kernel_benchmarks(env, sizes);
      dynhat::bench::register_household_benchmarks(env, sizes);
      dynhat::bench::register_triad_benchmarks(env, sizes);
      dynhat::bench::register_static_benchmarks(env, sizes);
      dynhat::bench::register_dynamic_benchmarks(env, sizes);
      dynhat::bench::register_large_grid_benchmarks(env, sizes);
      dynhat::bench::register_sweep_benchmarks(env, sizes);
    }
    SilentReporter silent;
    if (reporting) {
      benchmark::RunSpecifiedBenchmarks();
    } else {
      benchmark::RunSpecifiedBenchmarks(&silent);
    }
    benchmark::Shutdown();
    if (dynhat::bench::any_failed()) {
      std::cerr << "dynhat_benchmarks: at least one benchmark failed (see ERROR OCCURRED above)\n";
      status = 1;
    }
  }
  return status;
}
