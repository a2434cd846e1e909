// The CUDA backend's per-context state (stream, cuBLAS and cuSOLVER handles, scratch buffers)
// and the launch geometry its kernels share. CUDA-only: included by kernels/cuda/*.cu.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cusolverDn.h>

#include <algorithm>
#include <cstddef>

#include "dynhat/backend.hpp"

namespace dynhat::detail {

/// Created on the context's device by kernels::cuda::create_resources; owned by a Context.
struct CudaResources {
  /// Non-blocking stream on which every kernel, copy and cuBLAS call of the context is queued.
  cudaStream_t stream = nullptr;
  /// cuBLAS handle bound to `stream`, host pointer mode (alpha, beta passed from the host).
  cublasHandle_t cublas = nullptr;
  /// cuSOLVER dense handle bound to `stream` (the dense LU of kernels::lu_factor).
  cusolverDnHandle_t cusolver = nullptr;
  /// [scratch_size] device doubles holding the intermediates of one kernel call (partial sums,
  /// the labor chain's w). Stream order makes its reuse by the next call safe.
  double* scratch = nullptr;
  std::size_t scratch_size = 0;
  /// [kHostScalars] pinned host doubles receiving the scalars a reduction returns.
  double* host_scalars = nullptr;
};

}  // namespace dynhat::detail

namespace dynhat::kernels::cuda {

inline constexpr std::size_t kHostScalars = 2;
/// Threads per block of every kernel of the backend.
inline constexpr unsigned kBlockSize = 256;
/// Grid cap of grid-stride kernels: a few waves of 8 resident blocks on each of 132 SMs (H100).
inline constexpr std::size_t kMaxGridStrideBlocks = 4096;

/// Device scratch of at least n doubles (kernels/cuda/runtime.cu). Growing synchronises the
/// stream first, since queued kernels may still use the old buffer; it happens only when a call
/// needs more than any call before it.
double* scratch(const Context& ctx, std::size_t n);

constexpr std::size_t ceil_div(std::size_t a, std::size_t b) {
  return (a + b - 1) / b;
}

/// Blocks of kBlockSize threads for a grid-stride loop over n > 0 entries.
inline unsigned grid_stride_blocks(std::size_t n) {
  return static_cast<unsigned>(std::min(ceil_div(n, kBlockSize), kMaxGridStrideBlocks));
}

/// First index and stride of a grid-stride loop (size_t: M^2 reaches 2.5e9 at M = 50,000).
__device__ __forceinline__ std::size_t grid_stride_first() {
  return static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ __forceinline__ std::size_t grid_stride_step() {
  return static_cast<std::size_t>(gridDim.x) * blockDim.x;
}

}  // namespace dynhat::kernels::cuda
