// Support of the benchmark files: contexts, the input cache, registration and seeded inputs.
#include "bench_common.hpp"

#include <atomic>
#include <cmath>
#include <exception>
#include <filesystem>
#include <random>
#include <utility>

#include "support/gpu_requirement.hpp"
#if DYNHAT_BENCH_WITH_CUDA
#include "benchmarks/device_timing.hpp"
#endif

namespace dynhat::bench {

namespace {
std::atomic<int> failures{0};
}  // namespace

Environment::Environment() : cpu_(std::make_unique<Context>(Backend::cpu)) {
  if (cuda_device_count() > 0) cuda_ = std::make_unique<Context>(Backend::cuda);
}

const Context* Environment::context(Backend backend) const {
  return backend == Backend::cuda ? cuda_.get() : cpu_.get();
}

const DeviceArray& Environment::cached(const Context& ctx, const std::string& key,
                                       const std::function<std::vector<double>()>& make) {
  const std::string full_key = std::string(to_string(ctx.backend())) + "/" + key;
  auto found = arrays_.find(full_key);
  if (found == arrays_.end()) found = arrays_.emplace(full_key, DeviceArray(ctx, make())).first;
  return found->second;
}

std::string benchmark_name(const std::string& name, Backend backend, std::size_t m,
                           std::size_t slots) {
  std::string out = name + "/" + std::string(to_string(backend)) + "/M:" + std::to_string(m);
  if (slots > 0) out += "/T:" + std::to_string(slots);
  return out;
}

benchmark::internal::Benchmark* add_benchmark(Environment& env, const std::string& name,
                                              Backend backend, Body body, Timing timing) {
  auto run = [&env, backend, body = std::move(body)](benchmark::State& state) {
    const Context* ctx = env.context(backend);
    if (ctx == nullptr) {
      const std::string reason = "no CUDA device (" + testing::gpu_unavailable_reason() + ")";
      if (testing::gpu_required()) {
        fail(state, "DYNHAT_REQUIRE_GPU is set but there is " + reason);
      } else {
        state.SkipWithError(reason.c_str());
      }
      return;
    }
    try {
      body(state, *ctx);
    } catch (const std::exception& error) {
      fail(state, error.what());
    }
  };
  benchmark::internal::Benchmark* added =
      benchmark::RegisterBenchmark(name.c_str(), std::move(run));
  if (timing == Timing::per_call && backend == Backend::cuda) return added->UseManualTime();
  return added->UseRealTime();
}

void time_calls(benchmark::State& state, const Context& ctx, const std::function<void()>& call,
                double bytes) {
#if DYNHAT_BENCH_WITH_CUDA
  if (ctx.backend() == Backend::cuda) {
    // Several calls between one pair of events: the host queues the next launches while the
    // device works, so neither the launch latency nor a synchronisation separates the calls.
    constexpr benchmark::IterationCount kCallsPerEventPair = 10;
    cuda::EventTimer timer;
    while (state.KeepRunningBatch(kCallsPerEventPair)) {
      timer.start(ctx);
      for (benchmark::IterationCount i = 0; i < kCallsPerEventPair; ++i) call();
      state.SetIterationTime(timer.stop(ctx));
    }
    const double l2 = static_cast<double>(cuda::l2_cache_bytes());
    state.counters["l2_resident"] = bytes <= l2 ? 1.0 : 0.0;
    state.SetLabel(bytes <= l2 ? "L2-resident" : "HBM-resident");
  }
#endif
  if (ctx.backend() == Backend::cpu) {
    for (auto _ : state) {
      call();
      ctx.synchronize();
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes) * state.iterations());
  state.counters["bytes"] = bytes;
}

bool cdp_tables_present() {
  const std::filesystem::path cdp = DYNHAT_SHARED_DATA;
  for (const char* table :
       {"bilateral_trade.csv", "gross_output.csv", "io_coefficients.csv", "sectoral_dispersion.csv",
        "structures_share.csv", "value_added_share.csv", "mu0.csv", "L0.csv"}) {
    if (!std::filesystem::exists(cdp / table)) return false;
  }
  return true;
}

void fail(benchmark::State& state, const std::string& message) {
  ++failures;
  state.SkipWithError(message.c_str());
}

bool any_failed() {
  return failures.load() > 0;
}

std::vector<double> uniform_values(std::size_t rows, std::size_t cols, double lo, double hi,
                                   std::uint64_t seed) {
  std::vector<double> values(rows * cols);
#pragma omp parallel for schedule(static)
  for (std::size_t r = 0; r < rows; ++r) {
    std::mt19937_64 engine(seed + 0x9E3779B97F4A7C15ULL * (r + 1));
    double* row = values.data() + r * cols;
    // 53 random bits per value: the same numbers with every standard library.
    for (std::size_t c = 0; c < cols; ++c) {
      row[c] = lo + (hi - lo) * static_cast<double>(engine() >> 11) * 0x1.0p-53;
    }
  }
  return values;
}

bool all_finite(const std::vector<double>& values) {
  for (double x : values) {
    if (!std::isfinite(x)) return false;
  }
  return true;
}

}  // namespace dynhat::bench
