// Vector helpers of the outer iterations on the GPU, over n doubles (k vectors for the last two):
//  * diff_range: min and max of a - b, two-pass block reduction; reads 16n bytes.
//  * axpby: y = alpha x + beta y, 24n bytes; average_in_levels: x = log((e^x_new + e^x) / 2),
//    24n bytes and one exp and log1p per entry.
//  * dot_rows: out_host = X y (X: [k][n]), one cuBLAS DGEMV, 8(k+1)n bytes, 2kn flops.
//  * subtract_combination: y -= X^T coef_host, 8(k+2)n bytes, 2kn flops.
// Numerics: min/max are exact; log_mean_exp2 (element.hpp) cannot overflow. No atomics: cuBLAS
// DGEMV and the reductions here have fixed summation orders, so results are reproducible.
#include <algorithm>
#include <cstdint>
#include <cub/block/block_reduce.cuh>

#include "kernels/cuda/check.cuh"
#include "kernels/cuda/resources.cuh"
#include "kernels/element.hpp"
#include "kernels/kernels.hpp"

namespace dynhat::kernels::cuda {
namespace {

/// Coefficients per subtract_combination_kernel launch, passed by value in the launch itself
/// (256 bytes of parameters): nothing to upload, and coef_host is free again on return.
constexpr std::size_t kTermsPerLaunch = 32;

struct Coefficients {
  double value[kTermsPerLaunch];
};

struct MinMax {
  double min;
  double max;
};

struct MinMaxMerge {
  __device__ MinMax operator()(const MinMax& x, const MinMax& y) const {
    return {fmin(x.min, y.min), fmax(x.max, y.max)};
  }
};

/// Block-wide merge of each thread's local extremes into out[blockIdx.x].
__device__ void store_block_min_max(MinMax local, MinMax* out) {
  using BlockReduce = cub::BlockReduce<MinMax, kBlockSize>;
  __shared__ typename BlockReduce::TempStorage temp;
  const MinMax block = BlockReduce(temp).Reduce(local, MinMaxMerge{});
  if (threadIdx.x == 0) out[blockIdx.x] = block;
}

/// Pass 1, grid-stride: partial[block] = extremes of a - b over the block's entries.
__global__ void __launch_bounds__(kBlockSize)
    diff_min_max_kernel(std::size_t n, const double* a, const double* b, MinMax* partial) {
  MinMax local{INFINITY, -INFINITY};
  for (std::size_t i = grid_stride_first(); i < n; i += grid_stride_step()) {
    const double d = a[i] - b[i];
    local = MinMaxMerge{}(local, MinMax{d, d});
  }
  store_block_min_max(local, partial);
}

/// Pass 2, one block: out[0] = extremes over the count partials of pass 1.
__global__ void __launch_bounds__(kBlockSize)
    merge_min_max_kernel(std::size_t count, const MinMax* partial, MinMax* out) {
  MinMax local{INFINITY, -INFINITY};
  for (std::size_t i = threadIdx.x; i < count; i += kBlockSize) {
    local = MinMaxMerge{}(local, partial[i]);
  }
  store_block_min_max(local, out);
}

__global__ void axpby_kernel(std::size_t n, double alpha, const double* x, double beta, double* y) {
  for (std::size_t i = grid_stride_first(); i < n; i += grid_stride_step()) {
    y[i] = alpha * x[i] + beta * y[i];
  }
}

__global__ void average_in_levels_kernel(std::size_t n, const double* x_new, double* x) {
  for (std::size_t i = grid_stride_first(); i < n; i += grid_stride_step()) {
    x[i] = log_mean_exp2(x_new[i], x[i]);
  }
}

/// y[i] -= sum_{j < count} coef[j] * X[j][i], the sum taken first, in order j.
__global__ void subtract_combination_kernel(std::size_t count, std::size_t n, const double* X,
                                            Coefficients coef, double* y) {
  for (std::size_t i = grid_stride_first(); i < n; i += grid_stride_step()) {
    double sum = 0.0;
    for (std::size_t j = 0; j < count; ++j) sum += coef.value[j] * X[j * n + i];
    y[i] -= sum;
  }
}

}  // namespace

DiffRange diff_range(const Context& ctx, std::size_t n, const double* a, const double* b) {
  if (n == 0) return {};
  const detail::CudaResources& resources = *ctx.cuda();
  const unsigned blocks = grid_stride_blocks(n);
  // Scratch: [blocks] partial extremes, then the final pair.
  auto* partial = reinterpret_cast<MinMax*>(scratch(ctx, 2 * (std::size_t{blocks} + 1)));
  MinMax* result = partial + blocks;
  diff_min_max_kernel<<<blocks, kBlockSize, 0, resources.stream>>>(n, a, b, partial);
  DYNHAT_CUDA_CHECK_LAUNCH();
  merge_min_max_kernel<<<1, kBlockSize, 0, resources.stream>>>(blocks, partial, result);
  DYNHAT_CUDA_CHECK_LAUNCH();
  static_assert(kHostScalars * sizeof(double) >= sizeof(MinMax));
  DYNHAT_CUDA_CHECK(cudaMemcpyAsync(resources.host_scalars, result, sizeof(MinMax),
                                    cudaMemcpyDeviceToHost, resources.stream));
  DYNHAT_CUDA_CHECK(cudaStreamSynchronize(resources.stream));
  return {resources.host_scalars[0], resources.host_scalars[1]};
}

void axpby(const Context& ctx, std::size_t n, double alpha, const double* x, double beta,
           double* y) {
  if (n == 0) return;
  axpby_kernel<<<grid_stride_blocks(n), kBlockSize, 0, ctx.cuda()->stream>>>(n, alpha, x, beta, y);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

void average_in_levels(const Context& ctx, std::size_t n, const double* x_new, double* x) {
  if (n == 0) return;
  average_in_levels_kernel<<<grid_stride_blocks(n), kBlockSize, 0, ctx.cuda()->stream>>>(n, x_new,
                                                                                         x);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

void dot_rows(const Context& ctx, std::size_t k, std::size_t n, const double* X, const double* y,
              double* out_host) {
  if (k == 0) return;
  if (n == 0) {
    std::fill(out_host, out_host + k, 0.0);  // empty sums
    return;
  }
  const detail::CudaResources& resources = *ctx.cuda();
  double* out = scratch(ctx, k);
  // The column-major view of row-major X [k][n] is the n x k matrix X^T: out = (X^T)^T y.
  const double one = 1.0;
  const double zero = 0.0;
  DYNHAT_CUBLAS_CHECK(cublasDgemv_64(resources.cublas, CUBLAS_OP_T, static_cast<std::int64_t>(n),
                                     static_cast<std::int64_t>(k), &one, X,
                                     static_cast<std::int64_t>(n), y, 1, &zero, out, 1));
  kernels::cuda::copy(ctx, out_host, out, k * sizeof(double), CopyKind::device_to_host);
}

void subtract_combination(const Context& ctx, std::size_t k, std::size_t n, const double* X,
                          const double* coef_host, double* y) {
  if (k == 0 || n == 0) return;
  for (std::size_t first = 0; first < k; first += kTermsPerLaunch) {
    const std::size_t count = std::min(kTermsPerLaunch, k - first);
    Coefficients coef{};
    std::copy(coef_host + first, coef_host + first + count, coef.value);
    subtract_combination_kernel<<<grid_stride_blocks(n), kBlockSize, 0, ctx.cuda()->stream>>>(
        count, n, X + first * n, coef, y);
    DYNHAT_CUDA_CHECK_LAUNCH();
  }
}

}  // namespace dynhat::kernels::cuda
