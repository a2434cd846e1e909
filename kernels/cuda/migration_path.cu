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
__global__ void news_block_kernel(std::size_t m, const double* mu0, const double* c,
                                  const double* r, double beta, double* A) {
  for (std::size_t e = grid_stride_first(); e < m * m; e += grid_stride_step()) {
    const std::size_t i = e / m, k = e % m;
    const double scale = r[i] > 0.0 ? beta / r[i] : 0.0;
    A[e] = (i == k ? 1.0 : 0.0) - scale * mu0[e] * c[k];
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

void scaled_row_sums(const Context& ctx, std::size_t m, std::size_t slots, const double* mu0,
                     const double* c, double* r) {
  if (m == 0 || slots == 0) return;
  // Column-major views of the row-major arrays: r^T (m x slots), mu0^T (m x m), c^T (m x slots).
  // r^T = mu0 c^T = (mu0^T)^T c^T: A = the mu0^T view transposed, B = the c^T view.
  const auto n = static_cast<std::int64_t>(m);
  const auto t = static_cast<std::int64_t>(slots);
  const double one = 1.0;
  const double zero = 0.0;
  DYNHAT_CUBLAS_CHECK(cublasDgemm_64(ctx.cuda()->cublas, CUBLAS_OP_T, CUBLAS_OP_N, n, t, n, &one,
                                     mu0, n, c, n, &zero, r, n));
}

void labor_chain(const Context& ctx, std::size_t m, std::size_t slots, const double* mu0,
                 const double* c, const double* r, double* L) {
  if (m == 0 || slots == 0) return;
  const auto n = static_cast<std::int64_t>(m);
  const double one = 1.0;
  const double zero = 0.0;
  double* w = scratch(ctx, m);  // [m] labor per unit of row sum, L_t / r_t
  launch_labor_step(ctx, m, nullptr, r, L, w);
  for (std::size_t t = 0; t < slots; ++t) {
    double* next = L + (t + 1) * m;
    // mu0^T w: the column-major view of row-major mu0 is mu0^T, used untransposed.
    DYNHAT_CUBLAS_CHECK(
        cublasDgemv_64(ctx.cuda()->cublas, CUBLAS_OP_N, n, n, &one, mu0, n, w, 1, &zero, next, 1));
    launch_labor_step(ctx, m, c + t * m, t + 1 < slots ? r + (t + 1) * m : nullptr, next, w);
  }
}

void backward_value_sweep(const Context& ctx, std::size_t m, std::size_t slots, const double* mu0,
                          const double* c, const double* r, double beta, double* d) {
  if (m == 0 || slots < 3) return;
  const cudaStream_t stream = ctx.cuda()->stream;
  const auto n = static_cast<std::int64_t>(m);
  const double one = 1.0;
  const double zero = 0.0;
  double* w = scratch(ctx, 2 * m);  // [m] c_t * d_{t+1}, then [m] y = mu0 w
  double* y = w + m;
  sweep_scale_kernel<<<grid_stride_blocks(m), kBlockSize, 0, stream>>>(m, c + (slots - 2) * m,
                                                                       d + (slots - 1) * m, w);
  DYNHAT_CUDA_CHECK_LAUNCH();
  for (std::size_t t = slots - 2; t >= 1; --t) {
    // mu0 w: the column-major view of row-major mu0 is mu0^T, so transpose it back.
    DYNHAT_CUBLAS_CHECK(
        cublasDgemv_64(ctx.cuda()->cublas, CUBLAS_OP_T, n, n, &one, mu0, n, w, 1, &zero, y, 1));
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

void news_block(const Context& ctx, std::size_t m, const double* mu0, const double* c,
                const double* r, double beta, double* A) {
  if (m == 0) return;
  news_block_kernel<<<grid_stride_blocks(m * m), kBlockSize, 0, ctx.cuda()->stream>>>(m, mu0, c, r,
                                                                                      beta, A);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

void news_block_apply(const Context& ctx, std::size_t m, const double* mu0, const double* c,
                      const double* r, double beta, const double* v, double* out) {
  if (m == 0) return;
  const cudaStream_t stream = ctx.cuda()->stream;
  const auto n = static_cast<std::int64_t>(m);
  const double one = 1.0;
  const double zero = 0.0;
  double* w = scratch(ctx, 2 * m);  // [m] c * v, then [m] y = mu0 w
  double* y = w + m;
  sweep_scale_kernel<<<grid_stride_blocks(m), kBlockSize, 0, stream>>>(m, c, v, w);
  DYNHAT_CUDA_CHECK_LAUNCH();
  // mu0 w: the column-major view of row-major mu0 is mu0^T, so transpose it back.
  DYNHAT_CUBLAS_CHECK(
      cublasDgemv_64(ctx.cuda()->cublas, CUBLAS_OP_T, n, n, &one, mu0, n, w, 1, &zero, y, 1));
  news_block_apply_kernel<<<grid_stride_blocks(m), kBlockSize, 0, stream>>>(m, beta, v, y, r, out);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

}  // namespace dynhat::kernels::cuda
