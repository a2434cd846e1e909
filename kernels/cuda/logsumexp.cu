// E1/E2/E3 on the GPU. row_logsumexp: lse[r] = log sum_c exp(z[r][c]) of the logits
// z[r][c] = a_scale * a[r][c] + v_scale * v[c], with the softmax shares exp(z - lse) optionally
// stored. softmax_transpose_apply: out[c] = sum_r exp(z[r][c] - lse[r]) * w[r], the shares never
// stored (the levels-form labor update L_{t+1} = mu_t^T L_t).
// Cost for R x C logits: row_logsumexp reads 8RC bytes and takes one exp per entry; with shares
// it reads a again (from L2 when the row is still there) and writes 8RC more, one more exp.
// softmax_transpose_apply reads 8RC bytes, one exp and ~5 flops per entry, and writes then
// re-reads 8 * chunks * C bytes of partial sums (chunks <= R / 32, so at most 1/4 of a's bytes).
// Numerics: online (max, sum) states from element.hpp merged by CUB's fixed tree, so every
// exponent is <= 0 and logits beyond 700 stay finite. No atomics: partial sums are added in a
// fixed order that depends on (rows, cols) alone, so results are bitwise reproducible.
#include <algorithm>
#include <cub/block/block_reduce.cuh>

#include "kernels/cuda/check.cuh"
#include "kernels/cuda/resources.cuh"
#include "kernels/element.hpp"
#include "kernels/kernels.hpp"

namespace dynhat::kernels::cuda {
namespace {

/// Blocks softmax_transpose_apply aims for: two waves of 8 resident blocks on each of the
/// 132 SMs of an H100. A constant rather than the device's SM count, so that the summation order
/// depends on the sizes alone.
constexpr std::size_t kTargetBlocks = 2 * 8 * 132;
/// Shorter row chunks would make the partial sums cost more than the parallelism they buy.
constexpr std::size_t kMinRowsPerChunk = 32;

/// v_scale * v[c], or 0 without v (element.hpp's logit takes it as v_term).
__device__ __forceinline__ double v_term_at(const double* v, double v_scale, std::size_t c) {
  return v == nullptr ? 0.0 : v_scale * v[c];
}

struct LseMerge {
  __device__ LseState operator()(const LseState& x, const LseState& y) const {
    return lse_merge(x, y);
  }
};

/// One block per row r (blockIdx.x): threads stride over the columns (coalesced), pushing
/// their logits into a private state; a CUB block reduction merges the states. Shares, when
/// asked for, take a second sweep over the row once lse is known.
__global__ void __launch_bounds__(kBlockSize)
    row_logsumexp_kernel(std::size_t cols, const double* a, double a_scale, const double* v,
                         double v_scale, double* lse, double* shares) {
  using BlockReduce = cub::BlockReduce<LseState, kBlockSize>;
  __shared__ typename BlockReduce::TempStorage temp;
  __shared__ double row_lse;
  const std::size_t r = blockIdx.x;
  const double* a_row = a + r * cols;
  LseState state = lse_empty();
  for (std::size_t c = threadIdx.x; c < cols; c += kBlockSize) {
    state = lse_push(state, logit(a_row[c], a_scale, v_term_at(v, v_scale, c)));
  }
  const LseState total = BlockReduce(temp).Reduce(state, LseMerge{});
  if (threadIdx.x == 0) {
    row_lse = lse_value(total);
    lse[r] = row_lse;
  }
  if (shares == nullptr) return;  // uniform over the block
  __syncthreads();
  double* shares_row = shares + r * cols;
  for (std::size_t c = threadIdx.x; c < cols; c += kBlockSize) {
    shares_row[c] = softmax_share(logit(a_row[c], a_scale, v_term_at(v, v_scale, c)), row_lse);
  }
}

/// blockIdx.x: a tile of kBlockSize consecutive columns, one per thread, so each row of a is
/// read coalesced; blockIdx.y: a chunk of rows_per_chunk rows, whose lse and w are staged in
/// shared memory kBlockSize rows at a time. partial[blockIdx.y][c] = the chunk's sum, in row
/// order.
__global__ void __launch_bounds__(kBlockSize)
    softmax_transpose_partials_kernel(std::size_t rows, std::size_t cols,
                                      std::size_t rows_per_chunk, const double* a, double a_scale,
                                      const double* v, double v_scale, const double* lse,
                                      const double* w, double* partial) {
  __shared__ double lse_tile[kBlockSize];
  __shared__ double w_tile[kBlockSize];
  const std::size_t c = static_cast<std::size_t>(blockIdx.x) * kBlockSize + threadIdx.x;
  const bool active = c < cols;
  const double v_term = active ? v_term_at(v, v_scale, c) : 0.0;
  const std::size_t first = blockIdx.y * rows_per_chunk;
  const std::size_t end = std::min(rows, first + rows_per_chunk);
  double sum = 0.0;
  for (std::size_t tile = first; tile < end; tile += kBlockSize) {
    const std::size_t count = std::min<std::size_t>(kBlockSize, end - tile);
    if (threadIdx.x < count) {
      lse_tile[threadIdx.x] = lse[tile + threadIdx.x];
      w_tile[threadIdx.x] = w[tile + threadIdx.x];
    }
    __syncthreads();
    if (active) {
      const double* a_column = a + tile * cols + c;
      for (std::size_t k = 0; k < count; ++k) {
        sum += softmax_share(logit(a_column[k * cols], a_scale, v_term), lse_tile[k]) * w_tile[k];
      }
    }
    __syncthreads();  // the tile is overwritten next round
  }
  if (active) partial[blockIdx.y * cols + c] = sum;
}

/// out[c] = sum over chunks of partial[chunk][c], chunk 0 first; one thread per column.
__global__ void sum_chunks_kernel(std::size_t chunks, std::size_t cols, const double* partial,
                                  double* out) {
  for (std::size_t c = grid_stride_first(); c < cols; c += grid_stride_step()) {
    double sum = 0.0;
    for (std::size_t chunk = 0; chunk < chunks; ++chunk) sum += partial[chunk * cols + c];
    out[c] = sum;
  }
}

}  // namespace

void row_logsumexp(const Context& ctx, std::size_t rows, std::size_t cols, const double* a,
                   double a_scale, const double* v, double v_scale, double* lse, double* shares) {
  if (rows == 0) return;  // cols == 0 is served by the kernel: lse = -inf, no shares
  row_logsumexp_kernel<<<static_cast<unsigned>(rows), kBlockSize, 0, ctx.cuda()->stream>>>(
      cols, a, a_scale, v, v_scale, lse, shares);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

void softmax_transpose_apply(const Context& ctx, std::size_t rows, std::size_t cols,
                             const double* a, double a_scale, const double* v, double v_scale,
                             const double* lse, const double* w, double* out) {
  if (cols == 0) return;
  if (rows == 0) {
    kernels::cuda::fill(ctx, cols, 0.0, out);  // an empty sum
    return;
  }
  const std::size_t column_tiles = ceil_div(cols, kBlockSize);
  const std::size_t max_chunks = std::max<std::size_t>(1, rows / kMinRowsPerChunk);
  const std::size_t wanted_chunks = std::min(ceil_div(kTargetBlocks, column_tiles), max_chunks);
  const std::size_t rows_per_chunk = ceil_div(rows, wanted_chunks);
  const std::size_t chunks = ceil_div(rows, rows_per_chunk);  // no empty chunk
  const cudaStream_t stream = ctx.cuda()->stream;
  // A single chunk writes out directly; otherwise chunk partials go to scratch [chunks][cols].
  double* partial = chunks == 1 ? out : scratch(ctx, chunks * cols);
  const dim3 grid(static_cast<unsigned>(column_tiles), static_cast<unsigned>(chunks));
  softmax_transpose_partials_kernel<<<grid, kBlockSize, 0, stream>>>(
      rows, cols, rows_per_chunk, a, a_scale, v, v_scale, lse, w, partial);
  DYNHAT_CUDA_CHECK_LAUNCH();
  if (chunks == 1) return;
  sum_chunks_kernel<<<grid_stride_blocks(cols), kBlockSize, 0, stream>>>(chunks, cols, partial,
                                                                         out);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

}  // namespace dynhat::kernels::cuda
