// Lifetime of the CUDA backend's resources (stream, cuBLAS handle). Implemented in
// kernels/cuda/runtime.cu, or by kernels/cuda_stubs.cpp in a build without CUDA.
#pragma once

#include <string>

#include "dynhat/backend.hpp"

namespace dynhat::kernels::cuda {

/// Makes `device` the calling thread's current device and creates the stream and handles on it;
/// throws Error when there is no such device.
detail::CudaResources* create_resources(int device);
void destroy_resources(detail::CudaResources* resources) noexcept;
void synchronize(const Context& ctx);
int device_count() noexcept;
/// "" when `device` is usable; else why not, with the CUDA error name when the runtime gave one.
std::string unavailable_reason(int device);
std::string device_name(int device);
bool compiled() noexcept;

}  // namespace dynhat::kernels::cuda
