// STREAM triad a[i] = b[i] + scalar * c[i] on the CUDA backend (benchmarks/triad.cu), built only
// with DYNHAT_ENABLE_CUDA: the device-bandwidth reference the kernel benchmarks compare against.
#pragma once

#include <cstddef>

#include "dynhat/backend.hpp"

namespace dynhat::bench::cuda {

/// Queues the triad over n doubles of device memory on ctx's stream (asynchronous).
void triad(const Context& ctx, std::size_t n, double scalar, const double* b, const double* c,
           double* a);

}  // namespace dynhat::bench::cuda
