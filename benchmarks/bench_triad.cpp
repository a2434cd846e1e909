// Memory-bandwidth reference: the STREAM triad a[i] = b[i] + s * c[i] over 2^25 doubles per
// array (768 MB in all, far beyond any cache), on the CPU (OpenMP) and on CUDA (triad.cu, only in
// a CUDA build). Bytes per call 24 n (STREAM convention: write-allocate traffic not counted), so
// its GB/s is the ceiling for the bandwidth-bound kernels (row_logsumexp, labor_chain, ...).
// The first call is validated (every a[i] must equal b + s c exactly) before the timed calls.
#include <algorithm>
#include <cstddef>
#include <functional>
#include <vector>

#include "bench_common.hpp"
#include "kernels/kernels.hpp"
#if DYNHAT_BENCH_WITH_CUDA
#include "benchmarks/triad.hpp"
#endif

namespace dynhat::bench {

namespace {

constexpr double kB = 1.0;
constexpr double kC = 2.0;
constexpr double kScalar = 3.0;  // a = 1 + 3 * 2 = 7, exact in binary

void cpu_triad(std::size_t n, double scalar, const double* b, const double* c, double* a) {
#pragma omp parallel for simd schedule(static)
  for (std::size_t i = 0; i < n; ++i) a[i] = b[i] + scalar * c[i];
}

/// `triad(n, scalar, b, c, a)` runs one triad on ctx's backend.
Body triad_body(
    std::size_t n,
    std::function<void(const Context&, std::size_t, double, const double*, const double*, double*)>
        triad) {
  return [n, triad = std::move(triad)](benchmark::State& state, const Context& ctx) {
    DeviceArray a(ctx, n);
    DeviceArray b(ctx, n);
    DeviceArray c(ctx, n);
    a.fill(0.0);  // first touch by the backend's own threads
    b.fill(kB);
    c.fill(kC);
    const auto call = [&] { triad(ctx, n, kScalar, b.data(), c.data(), a.data()); };
    call();
    ctx.synchronize();
    const std::vector<double> result = a.to_host();
    if (!std::all_of(result.begin(), result.end(),
                     [](double x) { return x == kB + kScalar * kC; })) {
      fail(state, "triad result differs from b + s c");
      return;
    }
    time_calls(state, ctx, call, 24.0 * static_cast<double>(n));
  };
}

}  // namespace

void register_triad_benchmarks(Environment& env, const Sizes& sizes) {
  const std::size_t n = sizes.triad_length;
  const std::string size = "/n:" + std::to_string(n);
  add_benchmark(
      env, "triad/cpu" + size, Backend::cpu,
      triad_body(n, [](const Context&, std::size_t count, double scalar, const double* b,
                       const double* c, double* a) { cpu_triad(count, scalar, b, c, a); }),
      Timing::per_call);
#if DYNHAT_BENCH_WITH_CUDA
  add_benchmark(env, "triad/cuda" + size, Backend::cuda, triad_body(n, cuda::triad),
                Timing::per_call);
#endif
}

}  // namespace dynhat::bench
