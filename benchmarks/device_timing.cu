// CUDA events for the kernel benchmarks' per-call device times, and the L2 size that says
// whether a benchmark's data stays cache-resident between calls. No kernels; cost: two event
// records and one event wait per timed call.
#include "benchmarks/device_timing.hpp"
#include "kernels/cuda/check.cuh"
#include "kernels/cuda/resources.cuh"

namespace dynhat::bench::cuda {

namespace {
cudaEvent_t as_event(void* event) {
  return static_cast<cudaEvent_t>(event);
}
}  // namespace

EventTimer::EventTimer() {
  cudaEvent_t start = nullptr;
  cudaEvent_t stop = nullptr;
  DYNHAT_CUDA_CHECK(cudaEventCreate(&start));
  const cudaError_t status = cudaEventCreate(&stop);
  if (status != cudaSuccess) static_cast<void>(cudaEventDestroy(start));
  DYNHAT_CUDA_CHECK(status);
  start_ = start;
  stop_ = stop;
}

EventTimer::~EventTimer() {
  // Errors are ignored: a destructor has nobody to report them to.
  static_cast<void>(cudaEventDestroy(as_event(start_)));
  static_cast<void>(cudaEventDestroy(as_event(stop_)));
}

void EventTimer::start(const Context& ctx) {
  DYNHAT_CUDA_CHECK(cudaEventRecord(as_event(start_), ctx.cuda()->stream));
}

double EventTimer::stop(const Context& ctx) {
  DYNHAT_CUDA_CHECK(cudaEventRecord(as_event(stop_), ctx.cuda()->stream));
  DYNHAT_CUDA_CHECK(cudaEventSynchronize(as_event(stop_)));
  float milliseconds = 0.0f;
  DYNHAT_CUDA_CHECK(cudaEventElapsedTime(&milliseconds, as_event(start_), as_event(stop_)));
  return 1e-3 * static_cast<double>(milliseconds);
}

std::size_t l2_cache_bytes() {
  int bytes = 0;
  DYNHAT_CUDA_CHECK(cudaDeviceGetAttribute(&bytes, cudaDevAttrL2CacheSize, 0));
  return static_cast<std::size_t>(bytes);
}

}  // namespace dynhat::bench::cuda
