// DYNHAT_REQUIRE_GPU, read the same way by the tests and the benchmarks: set to anything but ""
// or "0", a missing CUDA device fails instead of skipping.
#pragma once

#include <string>

#include "kernels/cuda_runtime.hpp"
#include "support/env_flag.hpp"

namespace dynhat::testing {

inline bool gpu_required() {
  return env_flag("DYNHAT_REQUIRE_GPU");
}

/// "" when a CUDA device is usable; else why not, for skip and failure messages (a driver older
/// than the runtime must not read as "no device").
inline std::string gpu_unavailable_reason() {
  return kernels::cuda::unavailable_reason(0);
}

}  // namespace dynhat::testing
