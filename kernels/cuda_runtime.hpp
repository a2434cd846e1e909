// Lifetime of the CUDA backend's resources (stream, cuBLAS handle). Implemented in
// kernels/cuda/runtime.cu, or by kernels/cuda_stubs.cpp in a build without CUDA.
#pragma once

#include <string>

#include "dynhat/backend.hpp"

namespace dynhat::kernels::cuda {

/// Creates the stream and handles on device 0; throws Error when there is no device.
detail::CudaResources* create_resources();
void destroy_resources(detail::CudaResources* resources) noexcept;
void synchronize(const Context& ctx);
int device_count() noexcept;
/// "" when device 0 is usable; else why not, with the CUDA error name when the runtime gave one.
std::string unavailable_reason();
std::string device_name();
bool compiled() noexcept;

}  // namespace dynhat::kernels::cuda
