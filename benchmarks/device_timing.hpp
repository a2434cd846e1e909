// Device-side timing of the CUDA kernel benchmarks (benchmarks/device_timing.cu, built only with
// DYNHAT_ENABLE_CUDA): a host wall clock around a stream synchronisation would add the launch and
// synchronisation latency (~10 us) to kernels that take ~10 us at M = 1150.
#pragma once

#include <cstddef>

#include "dynhat/backend.hpp"

namespace dynhat::bench::cuda {

/// A pair of CUDA events recorded on a context's stream around the calls being timed.
class EventTimer {
 public:
  EventTimer();
  ~EventTimer();
  EventTimer(const EventTimer&) = delete;
  EventTimer& operator=(const EventTimer&) = delete;

  /// Records the start event on ctx's stream.
  void start(const Context& ctx);
  /// Records the stop event on ctx's stream, waits for it, and returns the seconds between the
  /// two events (the device's time for the work queued in between).
  double stop(const Context& ctx);

 private:
  void* start_ = nullptr;  // cudaEvent_t, kept opaque so no CUDA header leaks here
  void* stop_ = nullptr;
};

/// Bytes of device 0's L2 cache (H100 50 MB, H200 60 MB).
std::size_t l2_cache_bytes();

}  // namespace dynhat::bench::cuda
