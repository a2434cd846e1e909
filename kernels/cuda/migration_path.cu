// The factorised migration path on the GPU (ARCHITECTURE.md 4.1, MODEL.md 5.5), m markets and
// T = slots slots, with the one stored mu0 [m][m]:
//  * column_scalings: log c_t = beta * cumulative sum of log Y, shifted per slot so c <= 1;
//    reads and writes 8mT bytes twice, one exp per entry.
//  * scaled_row_sums: r = c mu0^T, one DGEMM, 2 m^2 T flops (compute bound at CDP size).
//  * labor_chain: T matrix-vector products L_{t+1} = c_t * mu0^T (L_t / r_t), 2 m^2 T flops and
//    8 m^2 T bytes read (bandwidth bound), no host synchronisation inside the chain.
//  * backward_value_sweep: the outer iteration's preconditioner, T products mu0 (c_t * d_{t+1})
//    with the same cost as the labor chain.
//  * value_update: E12/E28 factorised, elementwise, 24mT bytes read, 2 logs per entry;
//    real_wage_changes: its input W_t / W_{t-1}, elementwise, 16mT bytes.
//  * news_block: I - beta mu_news for the pinned path's dense LU (dense_lu.cu), 16m^2 bytes;
//    news_block_apply: that block times a vector, one cuBLAS DGEMV (8m^2 bytes).
// Numerics: the per-slot shift keeps every c in (0, 1], so the GEMM cannot overflow however large
// the cumulative log Y; the shift cancels in L / r. Summation orders inside cuBLAS are fixed for
// a given GPU and cuBLAS version (no atomics), hence reproducible run to run.
#include <cstdint>
#include <cub/block/block_reduce.cuh>
#include <cuda/functional>

#include "kernels/cuda/check.cuh"
#include "kernels/cuda/resources.cuh"
#include "kernels/element.hpp"
#include "kernels/kernels.hpp"

namespace dynhat::kernels::cuda {
namespace {

/// One thread per column k: log c[t][k] = sum_{q=1}^{t+1} beta * log_y[q][k], a running sum down
/// the slots (each step a coalesced row access); log_y[slots] = 0 adds nothing to the last slot.
/// The terms are beta * log_y summed, in the CPU's order (kernels/cpu/migration_path.cpp), so the
/// two backends round alike and the parity bound keeps its headroom.
__global__ void log_column_scalings_kernel(std::size_t m, std::size_t slots, const double* log_y,
                                           double beta, double* log_c) {
  for (std::size_t k = grid_stride_first(); k < m; k += grid_stride_step()) {
    double sum = 0.0;
    for (std::size_t t = 0; t + 1 < slots; ++t) {
      sum += beta * log_y[(t + 1) * m + k];
      log_c[t * m + k] = sum;
    }
    log_c[(slots - 1) * m + k] = sum;
  }
}

/// One block per slot t = blockIdx.x: shift[t] = max_k log c[t][k] by a CUB block reduction,
/// then c[t][k] = exp(log c[t][k] - shift[t]) in place.
__global__ void __launch_bounds__(kBlockSize)
    shift_column_scalings_kernel(std::size_t m, double* c, double* shift) {
  using BlockReduce = cub::BlockReduce<double, kBlockSize>;
  __shared__ typename BlockReduce::TempStorage temp;
  __shared__ double row_shift;
  const ::cuda::maximum<> max_op;
  double* row = c + blockIdx.x * m;
  double local = -INFINITY;
  for (std::size_t k = threadIdx.x; k < m; k += kBlockSize) local = max_op(local, row[k]);
  const double top = BlockReduce(temp).Reduce(local, max_op);
  if (threadIdx.x == 0) {
    row_shift = top;
    shift[blockIdx.x] = top;
  }
  __syncthreads();
  for (std::size_t k = threadIdx.x; k < m; k += kBlockSize) row[k] = exp(row[k] - row_shift);
}

/// One step of the labor chain around the product y = mu0^T w, which cuBLAS has written into
/// labor: labor[k] = c[k] * y[k] (skipped when c is nullptr, before the first product), then
/// w[k] = labor[k] / r[k] for the next product (skipped when r is nullptr, after the last).
__global__ void labor_step_kernel(std::size_t m, const double* c, const double* r, double* labor,
                                  double* w) {
  for (std::size_t k = grid_stride_first(); k < m; k += grid_stride_step()) {
    double value = labor[k];
    if (c != nullptr) {
      value *= c[k];
      labor[k] = value;
    }
    if (r != nullptr) w[k] = labor_per_row_sum(value, r[k]);
  }
}

/// Flat index over [slots][m]; rows 0 and slots-1 are zero, the others E12 factorised.
__global__ void value_update_kernel(std::size_t m, std::size_t slots, const double* real_wage,
                                    const double* r, const double* shift, double inv_nu,
                                    double* log_y) {
  const std::size_t n = m * slots;
  for (std::size_t i = grid_stride_first(); i < n; i += grid_stride_step()) {
    const std::size_t t = i / m;
    log_y[i] = t == 0 || t + 1 == slots
                   ? 0.0
                   : log_value_change(real_wage[i], inv_nu, r[i], r[i - m], shift[t], shift[t - 1]);
  }
}

/// cdot[t][k] = W[t][k] / W[t-1][k] inside the horizon, 1 at its ends.
__global__ void real_wage_changes_kernel(std::size_t m, std::size_t slots, const double* W,
                                         double* cdot) {
  for (std::size_t i = grid_stride_first(); i < m * slots; i += grid_stride_step()) {
    const std::size_t t = i / m;
    cdot[i] = t == 0 || t + 1 == slots ? 1.0 : W[i] / W[i - m];
  }
}

/// Entry (i, k) of I - beta diag(1/r) mu0 diag(c).
template <class Element>
__global__ void news_block_kernel(std::size_t m, const Element* mu0, const double* c,
                                  const double* r, double beta, double* A) {
  for (std::size_t e = grid_stride_first(); e < m * m; e += grid_stride_step()) {
    const std::size_t i = e / m, k = e % m;
    const double scale = r[i] > 0.0 ? beta / r[i] : 0.0;
    A[e] = (i == k ? 1.0 : 0.0) - scale * static_cast<double>(mu0[e]) * c[k];
  }
}

/// out[i] = v[i] - beta y[i] / r[i] (v[i] where r[i] = 0), y = mu0 (c * v) written by cuBLAS.
__global__ void news_block_apply_kernel(std::size_t m, double beta, const double* v,
                                        const double* y, const double* r, double* out) {
  for (std::size_t i = grid_stride_first(); i < m; i += grid_stride_step()) {
    out[i] = sweep_value(v[i], -beta, y[i], r[i]);
  }
}

/// w[k] = c[k] * d_next[k]: the vector the first sweep product multiplies.
__global__ void sweep_scale_kernel(std::size_t m, const double* c, const double* d_next,
                                   double* w) {
  for (std::size_t k = grid_stride_first(); k < m; k += grid_stride_step()) {
    w[k] = c[k] * d_next[k];
  }
}

/// One step of the backward value sweep around y = mu0 w (written by cuBLAS):
/// d[i] = sweep_value(d[i], beta, y[i], r[i]), then w[i] = c_prev[i] * d[i] for the next
/// (earlier) slot, skipped when c_prev is nullptr (after the last product).
__global__ void sweep_step_kernel(std::size_t m, double beta, const double* y, const double* r,
                                  const double* c_prev, double* d, double* w) {
  for (std::size_t i = grid_stride_first(); i < m; i += grid_stride_step()) {
    const double value = sweep_value(d[i], beta, y[i], r[i]);
    d[i] = value;
    if (c_prev != nullptr) w[i] = c_prev[i] * value;
  }
}

void launch_labor_step(const Context& ctx, std::size_t m, const double* c, const double* r,
                       double* labor, double* w) {
  labor_step_kernel<<<grid_stride_blocks(m), kBlockSize, 0, ctx.cuda()->stream>>>(m, c, r, labor,
                                                                                  w);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

/// Rows of a float mu0 widened to doubles per DGEMM of scaled_row_sums (256 x 20000: 41 MB).
constexpr std::size_t kWidenedRows = 256;
/// Row chunks of the float mu0^T product: partial sums [kColumnChunks][m], then one pass adds
/// them in chunk order (deterministic, no atomics), so that m threads per chunk keep HBM busy.
constexpr std::size_t kColumnChunks = 32;

/// out[e] = in[e] widened, e < n.
__global__ void widen_kernel(std::size_t n, const float* in, double* out) {
  for (std::size_t e = grid_stride_first(); e < n; e += grid_stride_step()) out[e] = in[e];
}

/// y[i] = row i of a float mu0 . w: one warp per row, lanes striding the row (coalesced), the
/// lanes' sums added by shuffles in a fixed tree (deterministic).
__global__ void float_rows_times_kernel(std::size_t m, const float* mu0, const double* w,
                                        double* y) {
  const std::size_t lane = threadIdx.x % 32;
  const std::size_t warps = static_cast<std::size_t>(gridDim.x) * (blockDim.x / 32);
  for (std::size_t i = (static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
       i < m; i += warps) {
    const float* row = mu0 + i * m;
    double sum = 0.0;
    for (std::size_t k = lane; k < m; k += 32) sum += static_cast<double>(row[k]) * w[k];
    for (int offset = 16; offset > 0; offset /= 2)
      sum += __shfl_down_sync(0xffffffffu, sum, offset);
    if (lane == 0) y[i] = sum;
  }
}

/// partial[chunk][k] = sum over the chunk's rows i of mu0[i][k] w[i] (float mu0): threads over
/// columns k, so each row is read coalesced; blockIdx.y is the chunk.
__global__ void float_columns_partial_kernel(std::size_t m, std::size_t rows_per_chunk,
                                             const float* mu0, const double* w, double* partial) {
  const std::size_t first = blockIdx.y * rows_per_chunk;
  const std::size_t last = min(m, first + rows_per_chunk);
  for (std::size_t k = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; k < m;
       k += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    double sum = 0.0;
    for (std::size_t i = first; i < last; ++i) sum += static_cast<double>(mu0[i * m + k]) * w[i];
    partial[blockIdx.y * m + k] = sum;
  }
}

/// y[k] = sum of partial[chunk][k] over the chunks, in chunk order.
__global__ void add_chunks_kernel(std::size_t m, std::size_t chunks, const double* partial,
                                  double* y) {
  for (std::size_t k = grid_stride_first(); k < m; k += grid_stride_step()) {
    double sum = 0.0;
    for (std::size_t q = 0; q < chunks; ++q) sum += partial[q * m + k];
    y[k] = sum;
  }
}

/// y[i] = row i of a CSR matrix . w: one thread per row, the entries in column order.
__global__ void csr_times_kernel(std::size_t m, Csr a, const double* w, double* y) {
  for (std::size_t i = grid_stride_first(); i < m; i += grid_stride_step()) {
    double sum = 0.0;
    for (std::int64_t e = a.start[i]; e < a.start[i + 1]; ++e) {
      sum += a.values[e] * w[a.columns[e]];
    }
    y[i] = sum;
  }
}

/// r[t][i] = sum over row i's entries of mu0[i][k] c[t][k], one thread per (t, i).
__global__ void csr_row_sums_kernel(std::size_t m, std::size_t slots, Csr a, const double* c,
                                    double* r) {
  for (std::size_t e = grid_stride_first(); e < m * slots; e += grid_stride_step()) {
    const std::size_t t = e / m, i = e % m;
    const double* scalings = c + t * m;
    double sum = 0.0;
    for (std::int64_t q = a.start[i]; q < a.start[i + 1]; ++q) {
      sum += a.values[q] * scalings[a.columns[q]];
    }
    r[e] = sum;
  }
}

/// Row i of I - beta diag(1/r) mu0 diag(c) from CSR: the identity's row, then the stored
/// entries (one thread per row).
__global__ void csr_news_block_kernel(std::size_t m, Csr a, const double* c, const double* r,
                                      double beta, double* A) {
  for (std::size_t i = grid_stride_first(); i < m; i += grid_stride_step()) {
    double* row = A + i * m;
    for (std::size_t k = 0; k < m; ++k) row[k] = i == k ? 1.0 : 0.0;
    const double scale = r[i] > 0.0 ? beta / r[i] : 0.0;
    for (std::int64_t q = a.start[i]; q < a.start[i + 1]; ++q) {
      const auto k = static_cast<std::size_t>(a.columns[q]);
      row[k] = (i == k ? 1.0 : 0.0) - scale * a.values[q] * c[k];
    }
  }
}

/// Scratch doubles product() needs beside the caller's own.
std::size_t product_scratch(const Mu0& mu0, std::size_t m) {
  return mu0.storage == Mu0::Storage::dense_float ? kColumnChunks * m : 0;
}

/// y = mu0 w, or mu0^T w when `transposed`, whatever the storage; `partial` holds
/// product_scratch(mu0, m) doubles.
void product(const Context& ctx, std::size_t m, const Mu0& mu0, bool transposed, const double* w,
             double* y, double* partial) {
  const cudaStream_t stream = ctx.cuda()->stream;
  switch (mu0.storage) {
    case Mu0::Storage::dense: {
      const auto n = static_cast<std::int64_t>(m);
      const double one = 1.0;
      const double zero = 0.0;
      // The column-major view of row-major mu0 is mu0^T: untransposed for mu0^T w.
      DYNHAT_CUBLAS_CHECK(cublasDgemv_64(ctx.cuda()->cublas, transposed ? CUBLAS_OP_N : CUBLAS_OP_T,
                                         n, n, &one, mu0.dense, n, w, 1, &zero, y, 1));
      return;
    }
    case Mu0::Storage::dense_float:
      if (transposed) {
        const std::size_t rows = ceil_div(m, kColumnChunks);
        const dim3 grid(static_cast<unsigned>(std::min<std::size_t>(ceil_div(m, kBlockSize), 4096)),
                        static_cast<unsigned>(kColumnChunks));
        float_columns_partial_kernel<<<grid, kBlockSize, 0, stream>>>(m, rows, mu0.dense_float, w,
                                                                      partial);
        DYNHAT_CUDA_CHECK_LAUNCH();
        add_chunks_kernel<<<grid_stride_blocks(m), kBlockSize, 0, stream>>>(m, kColumnChunks,
                                                                            partial, y);
      } else {
        float_rows_times_kernel<<<grid_stride_blocks(32 * m), kBlockSize, 0, stream>>>(
            m, mu0.dense_float, w, y);
      }
      DYNHAT_CUDA_CHECK_LAUNCH();
      return;
    case Mu0::Storage::sparse:
      csr_times_kernel<<<grid_stride_blocks(m), kBlockSize, 0, stream>>>(
          m, transposed ? mu0.transposed : mu0.rows, w, y);
      DYNHAT_CUDA_CHECK_LAUNCH();
      return;
  }
}

}  // namespace

void column_scalings(const Context& ctx, std::size_t m, std::size_t slots, const double* log_y,
                     double beta, double* c, double* shift) {
  if (m == 0 || slots == 0) return;
  const cudaStream_t stream = ctx.cuda()->stream;
  log_column_scalings_kernel<<<grid_stride_blocks(m), kBlockSize, 0, stream>>>(m, slots, log_y,
                                                                               beta, c);
  DYNHAT_CUDA_CHECK_LAUNCH();
  shift_column_scalings_kernel<<<static_cast<unsigned>(slots), kBlockSize, 0, stream>>>(m, c,
                                                                                        shift);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

void scaled_row_sums(const Context& ctx, std::size_t m, std::size_t slots, const Mu0& mu0,
                     const double* c, double* r) {
  if (m == 0 || slots == 0) return;
  // Column-major views of the row-major arrays: r^T (m x slots), mu0^T (m x m), c^T (m x slots).
  // r^T = mu0 c^T = (mu0^T)^T c^T: A = the mu0^T view transposed, B = the c^T view.
  const auto n = static_cast<std::int64_t>(m);
  const auto t = static_cast<std::int64_t>(slots);
  const double one = 1.0;
  const double zero = 0.0;
  switch (mu0.storage) {
    case Mu0::Storage::dense:
      DYNHAT_CUBLAS_CHECK(cublasDgemm_64(ctx.cuda()->cublas, CUBLAS_OP_T, CUBLAS_OP_N, n, t, n,
                                         &one, mu0.dense, n, c, n, &zero, r, n));
      return;
    case Mu0::Storage::dense_float: {
      // Blocks of rows widened to doubles, then the same DGEMM on each: products and sums in
      // double, only the entries were rounded when stored.
      double* widened = scratch(ctx, std::min(kWidenedRows, m) * m);
      for (std::size_t i0 = 0; i0 < m; i0 += kWidenedRows) {
        const std::size_t rows = std::min(kWidenedRows, m - i0);
        widen_kernel<<<grid_stride_blocks(rows * m), kBlockSize, 0, ctx.cuda()->stream>>>(
            rows * m, mu0.dense_float + i0 * m, widened);
        DYNHAT_CUDA_CHECK_LAUNCH();
        DYNHAT_CUBLAS_CHECK(cublasDgemm_64(ctx.cuda()->cublas, CUBLAS_OP_T, CUBLAS_OP_N,
                                           static_cast<std::int64_t>(rows), t, n, &one, widened, n,
                                           c, n, &zero, r + i0, n));
      }
      return;
    }
    case Mu0::Storage::sparse:
      csr_row_sums_kernel<<<grid_stride_blocks(m * slots), kBlockSize, 0, ctx.cuda()->stream>>>(
          m, slots, mu0.rows, c, r);
      DYNHAT_CUDA_CHECK_LAUNCH();
      return;
  }
}

void labor_chain(const Context& ctx, std::size_t m, std::size_t slots, const Mu0& mu0,
                 const double* c, const double* r, double* L) {
  if (m == 0 || slots == 0) return;
  // [m] labor per unit of row sum, L_t / r_t; then the product's partial sums.
  double* w = scratch(ctx, m + product_scratch(mu0, m));
  launch_labor_step(ctx, m, nullptr, r, L, w);
  for (std::size_t t = 0; t < slots; ++t) {
    double* next = L + (t + 1) * m;
    product(ctx, m, mu0, true, w, next, w + m);
    launch_labor_step(ctx, m, c + t * m, t + 1 < slots ? r + (t + 1) * m : nullptr, next, w);
  }
}

void backward_value_sweep(const Context& ctx, std::size_t m, std::size_t slots, const Mu0& mu0,
                          const double* c, const double* r, double beta, double* d) {
  if (m == 0 || slots < 3) return;
  const cudaStream_t stream = ctx.cuda()->stream;
  // [m] c_t * d_{t+1}, then [m] y = mu0 w, then the product's partial sums.
  double* w = scratch(ctx, 2 * m + product_scratch(mu0, m));
  double* y = w + m;
  sweep_scale_kernel<<<grid_stride_blocks(m), kBlockSize, 0, stream>>>(m, c + (slots - 2) * m,
                                                                       d + (slots - 1) * m, w);
  DYNHAT_CUDA_CHECK_LAUNCH();
  for (std::size_t t = slots - 2; t >= 1; --t) {
    product(ctx, m, mu0, false, w, y, y + m);
    sweep_step_kernel<<<grid_stride_blocks(m), kBlockSize, 0, stream>>>(
        m, beta, y, r + t * m, t > 1 ? c + (t - 1) * m : nullptr, d + t * m, w);
    DYNHAT_CUDA_CHECK_LAUNCH();
  }
}

void value_update(const Context& ctx, std::size_t m, std::size_t slots, const double* real_wage,
                  const double* r, const double* shift, double inv_nu, double* log_y) {
  if (m == 0 || slots == 0) return;
  value_update_kernel<<<grid_stride_blocks(m * slots), kBlockSize, 0, ctx.cuda()->stream>>>(
      m, slots, real_wage, r, shift, inv_nu, log_y);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

void real_wage_changes(const Context& ctx, std::size_t m, std::size_t slots, const double* W,
                       double* cdot) {
  if (m == 0 || slots == 0) return;
  real_wage_changes_kernel<<<grid_stride_blocks(m * slots), kBlockSize, 0, ctx.cuda()->stream>>>(
      m, slots, W, cdot);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

void news_block(const Context& ctx, std::size_t m, const Mu0& mu0, const double* c, const double* r,
                double beta, double* A) {
  if (m == 0) return;
  const cudaStream_t stream = ctx.cuda()->stream;
  switch (mu0.storage) {
    case Mu0::Storage::dense:
      news_block_kernel<<<grid_stride_blocks(m * m), kBlockSize, 0, stream>>>(m, mu0.dense, c, r,
                                                                              beta, A);
      break;
    case Mu0::Storage::dense_float:
      news_block_kernel<<<grid_stride_blocks(m * m), kBlockSize, 0, stream>>>(m, mu0.dense_float, c,
                                                                              r, beta, A);
      break;
    case Mu0::Storage::sparse:
      csr_news_block_kernel<<<grid_stride_blocks(m), kBlockSize, 0, stream>>>(m, mu0.rows, c, r,
                                                                              beta, A);
      break;
  }
  DYNHAT_CUDA_CHECK_LAUNCH();
}

void news_block_apply(const Context& ctx, std::size_t m, const Mu0& mu0, const double* c,
                      const double* r, double beta, const double* v, double* out) {
  if (m == 0) return;
  const cudaStream_t stream = ctx.cuda()->stream;
  // [m] c * v, then [m] y = mu0 w, then the product's partial sums.
  double* w = scratch(ctx, 2 * m + product_scratch(mu0, m));
  double* y = w + m;
  sweep_scale_kernel<<<grid_stride_blocks(m), kBlockSize, 0, stream>>>(m, c, v, w);
  DYNHAT_CUDA_CHECK_LAUNCH();
  product(ctx, m, mu0, false, w, y, y + m);
  news_block_apply_kernel<<<grid_stride_blocks(m), kBlockSize, 0, stream>>>(m, beta, v, y, r, out);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

}  // namespace dynhat::kernels::cuda
