// dynhat_benchmarks: the kernel, solver and bandwidth (triad) benchmarks on both backends.
//
//   dynhat_benchmarks [--dynhat_smoke] [--dynhat_require_tables] [Google Benchmark flags]
//
// --dynhat_smoke runs every benchmark at a tiny size (M = 64, T = 20): the ctest smoke test.
// --dynhat_require_tables exits 1 when the CDP tables (DYNHAT_SHARED_DATA) are missing, instead
// of running without the CDP benchmarks (gpu_check.sh: they must not be silently absent).
// The full suite uses M in {1150, 4600, 20000} and T = 200. Exits non-zero when a benchmark
// failed (non-finite output, an exception, or no device under DYNHAT_REQUIRE_GPU); a CUDA
// benchmark without a device is skipped ("no CUDA device"), not failed.
#include <benchmark/benchmark.h>

#include <cstring>
#include <iostream>

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
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (require_tables && !dynhat::bench::cdp_tables_present()) {
    std::cerr << "dynhat_benchmarks: --dynhat_require_tables, but the CDP tables are not all in "
              << DYNHAT_SHARED_DATA << " (set DYNHAT_SHARED_DATA at configure time)\n";
    return 1;
  }

  const dynhat::bench::Sizes sizes = run_sizes(smoke);
  int status = 0;
  {
    dynhat::bench::Environment env;  // outlives every benchmark; frees its arrays on scope exit
    benchmark::AddCustomContext("dynhat_mode", smoke ? "smoke" : "full");
    benchmark::AddCustomContext("cuda_device", dynhat::cuda_device_count() > 0
                                                   ? dynhat::cuda_device_name()
                                                   : std::string("none"));
    dynhat::bench::register_kernel_benchmarks(env, sizes);
    dynhat::bench::register_household_benchmarks(env, sizes);
    dynhat::bench::register_triad_benchmarks(env, sizes);
    dynhat::bench::register_static_benchmarks(env, sizes);
    dynhat::bench::register_dynamic_benchmarks(env, sizes);
    dynhat::bench::register_large_grid_benchmarks(env, sizes);
    dynhat::bench::register_sweep_benchmarks(env, sizes);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    if (dynhat::bench::any_failed()) {
      std::cerr << "dynhat_benchmarks: at least one benchmark failed (see ERROR OCCURRED above)\n";
      status = 1;
    }
  }
  return status;
}
