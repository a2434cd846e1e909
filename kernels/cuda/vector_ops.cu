// Vector helpers of the outer iterations on the GPU, whole (n doubles) and segmented (a batch of
// `segments` problems of n unknowns stacked as [segments][n]; S = segments * n):
//  * diff_range: min and max of a - b, two-pass block reduction; reads 16n bytes. NaN kept.
//  * axpby: y = alpha x + beta y, 24n bytes; average_in_levels: x = log((e^x_new + e^x) / 2),
//    24n bytes and one exp and log1p per entry.
//  * segment_dots: out_host[j][b] = X[j][b] . y[b], one block per (row, chunk of 4096 entries)
//    and an in-order sum of the chunk partials; reads 8kS bytes of X and y once per j (from L2
//    after the first), 2kS flops, 8k segments bytes to the host.
//  * segment_combination: y -= sum_j coef[j][b] X[j][b], 8(k+2)S bytes, 2kS flops, after an
//    upload of 8k segments bytes. segment_scale: 16S bytes; segment_copy: up to 16S bytes;
//    segment_multiply: up to 24S bytes;
//    each after an upload of one factor (8 bytes) or mask byte per segment.
//  * segment_max_abs_diff: one block per segment, 16S bytes (8S without b), 8 segments bytes
//    to the host.
// Numerics: min/max are exact; log_mean_exp2 (element.hpp) cannot overflow; the NaN-aware max
// keeps a NaN of any entry. No atomics: every reduction has a fixed order (the dots' depends on
// n alone, not on k or the number of segments), so results are bitwise reproducible.
#include <algorithm>
#include <cub/block/block_reduce.cuh>

#include "kernels/cuda/check.cuh"
#include "kernels/cuda/resources.cuh"
#include "kernels/element.hpp"
#include "kernels/kernels.hpp"

namespace dynhat::kernels::cuda {
namespace {

struct MinMax {
  double min;
  double max;
};

struct MinMaxMerge {
  __device__ MinMax operator()(const MinMax& x, const MinMax& y) const {
    return {min_keeping_nan(x.min, y.min), max_keeping_nan(x.max, y.max)};
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

/// Entries of X summed into one partial of segment_dots, as on the CPU: the chunking, hence the
/// summation order, depends on n alone.
constexpr std::size_t kDotChunk = 4096;

/// Device doubles holding `count` bytes (the mask of segment_copy is uploaded as bytes).
constexpr std::size_t doubles_for_bytes(std::size_t count) {
  return ceil_div(count, sizeof(double));
}

/// Queues the copy of a small host array into device scratch on ctx's stream. The host arrays
/// of the segment entries are pageable (std::vector, the stack): the runtime stages a pageable
/// source before cudaMemcpyAsync returns, so the caller may reuse it at once; stream order
/// makes the kernels that read dst wait for the copy.
void upload(const Context& ctx, void* dst, const void* src_host, std::size_t bytes) {
  DYNHAT_CUDA_CHECK(
      cudaMemcpyAsync(dst, src_host, bytes, cudaMemcpyHostToDevice, ctx.cuda()->stream));
}

/// max that propagates NaN from either side (fmax would drop it).
struct MaxPropagatingNan {
  __device__ double operator()(double x, double y) const { return max_keeping_nan(x, y); }
};

/// Task t = r * chunks + ch (row r = j * segments + b of X against segment b of y, chunk ch of
/// kDotChunk entries) of a block-stride loop: the block's threads sum the chunk with stride
/// kBlockSize, a CUB block reduction (fixed tree) adds their sums, partial[t] = the result.
__global__ void __launch_bounds__(kBlockSize)
    segment_dot_partials_kernel(std::size_t segments, std::size_t n, std::size_t chunks,
                                std::size_t tasks, const double* X, const double* y,
                                double* partial) {
  using BlockReduce = cub::BlockReduce<double, kBlockSize>;
  __shared__ typename BlockReduce::TempStorage temp;
  for (std::size_t task = blockIdx.x; task < tasks; task += gridDim.x) {  // uniform per block
    const std::size_t r = task / chunks;
    const std::size_t first = (task % chunks) * kDotChunk;
    const std::size_t end = first + kDotChunk < n ? first + kDotChunk : n;
    const double* row = X + r * n;
    const double* v = y + (r % segments) * n;
    double sum = 0.0;
    for (std::size_t i = first + threadIdx.x; i < end; i += kBlockSize) sum += row[i] * v[i];
    const double total = BlockReduce(temp).Sum(sum);
    if (threadIdx.x == 0) partial[task] = total;
    __syncthreads();  // temp is reused by the block's next task
  }
}

/// out[r] = sum over ch of partial[r][ch], in chunk order; one thread per row.
__global__ void __launch_bounds__(kBlockSize)
    sum_dot_chunks_kernel(std::size_t rows, std::size_t chunks, const double* partial,
                          double* out) {
  for (std::size_t r = grid_stride_first(); r < rows; r += grid_stride_step()) {
    double sum = 0.0;
    for (std::size_t ch = 0; ch < chunks; ++ch) sum += partial[r * chunks + ch];
    out[r] = sum;
  }
}

/// Flat index over [segments][n]: y[b][i] -= coef[j][b] * X[j][b][i] in order j, zero
/// coefficients skipped (their X never read).
__global__ void __launch_bounds__(kBlockSize)
    segment_combination_kernel(std::size_t k, std::size_t segments, std::size_t n, const double* X,
                               const double* coef, double* y) {
  const std::size_t total = segments * n;
  for (std::size_t e = grid_stride_first(); e < total; e += grid_stride_step()) {
    const std::size_t b = e / n;
    double s = y[e];
    for (std::size_t j = 0; j < k; ++j) {
      const double c = coef[j * segments + b];
      if (c != 0.0) s -= c * X[j * total + e];
    }
    y[e] = s;
  }
}

/// Flat index over [segments][n]: x[b][i] *= factor[b] unless factor[b] == 1.
__global__ void __launch_bounds__(kBlockSize)
    segment_scale_kernel(std::size_t segments, std::size_t n, const double* factor, double* x) {
  const std::size_t total = segments * n;
  for (std::size_t e = grid_stride_first(); e < total; e += grid_stride_step()) {
    const double f = factor[e / n];
    if (f != 1.0) x[e] *= f;
  }
}

/// Flat index over [segments][n]: dst[b][i] = src[b][i] where mask[b] != 0.
__global__ void __launch_bounds__(kBlockSize)
    segment_copy_kernel(std::size_t segments, std::size_t n, const unsigned char* mask,
                        const double* src, double* dst) {
  const std::size_t total = segments * n;
  for (std::size_t e = grid_stride_first(); e < total; e += grid_stride_step()) {
    if (mask[e / n] != 0) dst[e] = src[e];
  }
}

__global__ void __launch_bounds__(kBlockSize)
    segment_multiply_kernel(std::size_t segments, std::size_t n, const unsigned char* mask,
                            const double* a, double* x) {
  const std::size_t total = segments * n;
  for (std::size_t e = grid_stride_first(); e < total; e += grid_stride_step()) {
    if (mask[e / n] != 0) x[e] *= a[e];
  }
}

/// Block-stride over segments s: out[s] = max_i |a[s][i] - b[s][i]| (b nullptr: |a|), the
/// threads' maxima merged by a CUB block reduction; NaN propagates.
__global__ void __launch_bounds__(kBlockSize)
    segment_max_abs_diff_kernel(std::size_t segments, std::size_t n, const double* a,
                                const double* b, double* out) {
  using BlockReduce = cub::BlockReduce<double, kBlockSize>;
  __shared__ typename BlockReduce::TempStorage temp;
  const MaxPropagatingNan max_op;
  for (std::size_t s = blockIdx.x; s < segments; s += gridDim.x) {  // uniform per block
    double local = 0.0;
    for (std::size_t i = s * n + threadIdx.x; i < (s + 1) * n; i += kBlockSize) {
      local = max_op(local, fabs(a[i] - (b != nullptr ? b[i] : 0.0)));
    }
    const double worst = BlockReduce(temp).Reduce(local, max_op);
    if (threadIdx.x == 0) out[s] = worst;
    __syncthreads();  // temp is reused by the block's next segment
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
  count_host_transfer(sizeof(MinMax));
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

void segment_dots(const Context& ctx, std::size_t k, std::size_t segments, std::size_t n,
                  const double* X, const double* y, double* out_host) {
  const std::size_t rows = k * segments;  // row r = j * segments + b
  if (rows == 0) return;
  if (n == 0) {
    std::fill(out_host, out_host + rows, 0.0);  // empty sums
    return;
  }
  const cudaStream_t stream = ctx.cuda()->stream;
  const std::size_t chunks = ceil_div(n, kDotChunk);
  const std::size_t tasks = rows * chunks;
  // Scratch: [rows][chunks] partials, then [rows] sums (a single chunk is the sum itself).
  double* partial = scratch(ctx, tasks + (chunks > 1 ? rows : 0));
  double* out = chunks > 1 ? partial + tasks : partial;
  const auto blocks = static_cast<unsigned>(std::min(tasks, kMaxGridStrideBlocks));
  segment_dot_partials_kernel<<<blocks, kBlockSize, 0, stream>>>(segments, n, chunks, tasks, X, y,
                                                                 partial);
  DYNHAT_CUDA_CHECK_LAUNCH();
  if (chunks > 1) {
    sum_dot_chunks_kernel<<<grid_stride_blocks(rows), kBlockSize, 0, stream>>>(rows, chunks,
                                                                               partial, out);
    DYNHAT_CUDA_CHECK_LAUNCH();
  }
  kernels::cuda::copy(ctx, out_host, out, rows * sizeof(double), CopyKind::device_to_host);
}

void segment_combination(const Context& ctx, std::size_t k, std::size_t segments, std::size_t n,
                         const double* X, const double* coef_host, double* y) {
  if (k == 0 || segments == 0 || n == 0) return;
  double* coef = scratch(ctx, k * segments);
  upload(ctx, coef, coef_host, k * segments * sizeof(double));
  const std::size_t total = segments * n;
  segment_combination_kernel<<<grid_stride_blocks(total), kBlockSize, 0, ctx.cuda()->stream>>>(
      k, segments, n, X, coef, y);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

void segment_scale(const Context& ctx, std::size_t segments, std::size_t n,
                   const double* factor_host, double* x) {
  if (segments == 0 || n == 0) return;
  double* factor = scratch(ctx, segments);
  upload(ctx, factor, factor_host, segments * sizeof(double));
  const std::size_t total = segments * n;
  segment_scale_kernel<<<grid_stride_blocks(total), kBlockSize, 0, ctx.cuda()->stream>>>(
      segments, n, factor, x);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

namespace {
/// The [segments] mask bytes on the device, in scratch doubles reinterpreted (cudaMalloc memory
/// is aligned); valid until the next use of the scratch.
const unsigned char* upload_mask(const Context& ctx, std::size_t segments,
                                 const unsigned char* mask_host) {
  auto* mask = reinterpret_cast<unsigned char*>(scratch(ctx, doubles_for_bytes(segments)));
  upload(ctx, mask, mask_host, segments);
  return mask;
}
}  // namespace

void segment_copy(const Context& ctx, std::size_t segments, std::size_t n,
                  const unsigned char* mask_host, const double* src, double* dst) {
  if (segments == 0 || n == 0) return;
  const unsigned char* mask = upload_mask(ctx, segments, mask_host);
  const std::size_t total = segments * n;
  segment_copy_kernel<<<grid_stride_blocks(total), kBlockSize, 0, ctx.cuda()->stream>>>(
      segments, n, mask, src, dst);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

void segment_multiply(const Context& ctx, std::size_t segments, std::size_t n,
                      const unsigned char* mask_host, const double* a, double* x) {
  if (segments == 0 || n == 0) return;
  const unsigned char* mask = upload_mask(ctx, segments, mask_host);
  const std::size_t total = segments * n;
  segment_multiply_kernel<<<grid_stride_blocks(total), kBlockSize, 0, ctx.cuda()->stream>>>(
      segments, n, mask, a, x);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

void segment_max_abs_diff(const Context& ctx, std::size_t segments, std::size_t n, const double* a,
                          const double* b, double* out_host) {
  if (segments == 0) return;
  if (n == 0) {
    std::fill(out_host, out_host + segments, 0.0);  // max over no entries, as on the CPU
    return;
  }
  double* out = scratch(ctx, segments);
  const auto blocks = static_cast<unsigned>(std::min(segments, kMaxGridStrideBlocks));
  segment_max_abs_diff_kernel<<<blocks, kBlockSize, 0, ctx.cuda()->stream>>>(segments, n, a, b,
                                                                             out);
  DYNHAT_CUDA_CHECK_LAUNCH();
  kernels::cuda::copy(ctx, out_host, out, segments * sizeof(double), CopyKind::device_to_host);
}

}  // namespace dynhat::kernels::cuda
