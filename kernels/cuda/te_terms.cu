// Batched temporary-equilibrium terms on the GPU (MODEL.md 5.1; ARCHITECTURE.md 4.2): `batch`
// problems of J sectors and N countries sharing G [N][J][J], gamma [J][N] and theta [J]. Per
// problem (arrays [J][N] or [J][N][N], laid out as on the CPU):
//  * te_log_unit_costs: one thread per (b, k, n), 2 N J^2 flops; reads 8 J N bytes of log_phat
//    J times (L1/L2) and G (8 N J^2 bytes, shared by the batch and L2-resident).
//  * te_log_price_indices: one warp per (b, j, n) row, an online log-sum-exp over the N origins
//    of log q + log_q_scale - theta log_xhat; reads 8 J N^2 bytes of q (coalesced), J N^2
//    logarithms and exponentials (the CPU's levels form saves the transcendentals; here they are
//    cheap next to the bytes, and the logs need no underflow rule).
//  * te_trade_shares: one thread per (b, j, n, i), J N^2 logarithms and exponentials, reads and
//    writes 8 J N^2 bytes.
//  * te_sales: one thread per (b, j, i) summing over n (pi read coalesced along i), 2 J N^2 flops,
//    8 J N^2 bytes read.
//  * te_expenditure_apply: X = scale v, the sales of X, then one thread per (b, s, i) for
//    Z[s][i] = sum_j G[i][s][j] Y[j][i] and out = v - Z / scale: te_sales' cost plus 2 N J^2
//    flops.
// Problems with active[b] == 0 return at once in every thread (outputs untouched).
// Numerics: the log-sum-exp rescales to the running max (element.hpp's LseState), so every
// exponent is <= 0; a row whose logits are all -inf gets log_phat = 0, as on the CPU. Every
// output is written by one thread (or warp) with a fixed summation order (sales and the IO
// product in the CPU's order; the warp's states merged by a fixed butterfly), no atomics, so
// results are bitwise reproducible and independent of the other problems of the batch. exp() is
// CUDA's (within 1 ulp) where the CPU uses exp_vectorisable (2 ulp), hence not bitwise CPU-equal.
#include <algorithm>

#include "kernels/cuda/check.cuh"
#include "kernels/cuda/resources.cuh"
#include "kernels/element.hpp"
#include "kernels/kernels.hpp"

namespace dynhat::kernels::cuda {
namespace {

constexpr unsigned kWarpSize = 32;
constexpr unsigned kWarpsPerBlock = kBlockSize / kWarpSize;
constexpr unsigned kFullMask = 0xffffffffu;

/// Problem b is skipped (its outputs left as they are).
__device__ __forceinline__ bool skipped(const double* active, std::size_t b) {
  return active != nullptr && active[b] == 0.0;
}

/// Flat index e = b * JN + k * N + n (E14):
/// log_xhat = gamma log_omega_rel + sum_s G[n][s][k] log_phat[s][n], in order s.
__global__ void __launch_bounds__(kBlockSize)
    te_log_unit_costs_kernel(std::size_t batch, std::size_t J, std::size_t N, const double* G,
                             const double* gamma, const double* active, const double* log_omega_rel,
                             const double* log_phat, double* log_xhat) {
  const std::size_t jn = J * N;
  const std::size_t total = batch * jn;
  for (std::size_t e = grid_stride_first(); e < total; e += grid_stride_step()) {
    const std::size_t b = e / jn;
    if (skipped(active, b)) continue;
    const std::size_t rem = e % jn;  // k * N + n
    const std::size_t k = rem / N;
    const std::size_t n = rem % N;
    const double* g = G + n * J * J;  // g[s * J + k]
    const double* phat = log_phat + b * jn;
    double acc = gamma[rem] * log_omega_rel[e];
    for (std::size_t s = 0; s < J; ++s) acc += g[s * J + k] * phat[s * N + n];
    log_xhat[e] = acc;
  }
}

/// Warp w = row r = b * JN + j * N + n: the lanes push log q[r][i] - theta_j log_xhat[b][j][i]
/// (i = lane, lane + 32, ...) into private states, merged by a butterfly of shuffles; lane 0
/// writes -(lse) / theta_j, or 0 for a row of -inf logits.
__global__ void __launch_bounds__(kBlockSize)
    te_log_price_indices_kernel(std::size_t batch, std::size_t J, std::size_t N,
                                const double* theta, const double* active, const double* q,
                                const double* log_q_scale, const double* log_xhat,
                                double* log_phat) {
  const std::size_t jn = J * N;
  const std::size_t rows = batch * jn;
  const unsigned lane = threadIdx.x % kWarpSize;
  // Warp-uniform loop: every lane of a warp has the same r (kBlockSize is a multiple of 32).
  for (std::size_t r = grid_stride_first() / kWarpSize; r < rows;
       r += grid_stride_step() / kWarpSize) {
    const std::size_t b = r / jn;
    if (skipped(active, b)) continue;
    const std::size_t j = (r % jn) / N;
    const double t = theta[j];
    const double* cost = log_xhat + b * jn + j * N;
    const double* qr = q + r * N;
    LseState state = lse_empty();
    for (std::size_t i = lane; i < N; i += kWarpSize)
      state = lse_push(state, log(qr[i]) - t * cost[i]);
    for (unsigned offset = kWarpSize / 2; offset > 0; offset /= 2) {
      const LseState other{__shfl_xor_sync(kFullMask, state.max, offset),
                           __shfl_xor_sync(kFullMask, state.sum, offset)};
      state = lse_merge(state, other);
    }
    // Nothing absorbed (X0 = 0): the price is never used, 0 as on the CPU.
    if (lane == 0) {
      log_phat[r] = state.max == -INFINITY ? 0.0 : -(log_q_scale[r] + lse_value(state)) / t;
    }
  }
}

/// Flat index e = (b * JN + j * N + n) * N + i:
/// pi = exp(log q + log_q_scale - theta_j (log_xhat[b][j][i] - log_phat[b][j][n])).
__global__ void __launch_bounds__(kBlockSize)
    te_trade_shares_kernel(std::size_t batch, std::size_t J, std::size_t N, const double* theta,
                           const double* active, const double* q, const double* log_q_scale,
                           const double* log_xhat, const double* log_phat, double* pi) {
  const std::size_t jn = J * N;
  const std::size_t total = batch * jn * N;
  for (std::size_t e = grid_stride_first(); e < total; e += grid_stride_step()) {
    const std::size_t r = e / N;  // b * JN + j * N + n
    const std::size_t b = r / jn;
    if (skipped(active, b)) continue;
    const std::size_t i = e % N;
    const std::size_t j = (r % jn) / N;
    pi[e] =
        exp(log(q[e]) + log_q_scale[r] - theta[j] * (log_xhat[b * jn + j * N + i] - log_phat[r]));
  }
}

/// Flat index e = b * JN + j * N + i: Y[b][j][i] = sum_n pi[b][j][n][i] X[b][j][n], in order n
/// (neighbouring threads read neighbouring i: coalesced).
__global__ void __launch_bounds__(kBlockSize)
    te_sales_kernel(std::size_t batch, std::size_t J, std::size_t N, const double* active,
                    const double* pi, const double* X, double* Y) {
  const std::size_t jn = J * N;
  const std::size_t total = batch * jn;
  for (std::size_t e = grid_stride_first(); e < total; e += grid_stride_step()) {
    const std::size_t b = e / jn;
    if (skipped(active, b)) continue;
    const std::size_t i = e % N;
    const std::size_t row0 = e - i;  // b * JN + j * N: X[b][j][0], pi[b][j][0][0] / N
    const double* p = pi + row0 * N + i;
    double y = 0.0;
    for (std::size_t n = 0; n < N; ++n) y += p[n * N] * X[row0 + n];
    Y[e] = y;
  }
}

/// x = scale * v over the active problems.
__global__ void __launch_bounds__(kBlockSize)
    te_scaled_kernel(std::size_t batch, std::size_t jn, const double* active, const double* scale,
                     const double* v, double* x) {
  const std::size_t total = batch * jn;
  for (std::size_t e = grid_stride_first(); e < total; e += grid_stride_step()) {
    if (skipped(active, e / jn)) continue;
    x[e] = scale[e] * v[e];
  }
}

/// Flat index e = b * JN + s * N + i: Z = sum_j G[i][s][j] Y[b][j][i] in order j, then
/// out = v - Z / scale.
__global__ void __launch_bounds__(kBlockSize)
    te_expenditure_out_kernel(std::size_t batch, std::size_t J, std::size_t N, const double* G,
                              const double* active, const double* Y, const double* scale,
                              const double* v, double* out) {
  const std::size_t jn = J * N;
  const std::size_t total = batch * jn;
  for (std::size_t e = grid_stride_first(); e < total; e += grid_stride_step()) {
    const std::size_t b = e / jn;
    if (skipped(active, b)) continue;
    const std::size_t rem = e % jn;
    const std::size_t s = rem / N;
    const std::size_t i = rem % N;
    const double* g = G + (i * J + s) * J;
    const double* y = Y + b * jn + i;
    double z = 0.0;
    for (std::size_t j = 0; j < J; ++j) z += g[j] * y[j * N];
    out[e] = v[e] - z / scale[e];
  }
}

}  // namespace

std::size_t te_group_size(const Context& /*ctx*/, std::size_t batch, double bytes_per_problem) {
  std::size_t free = 0, total = 0;
  DYNHAT_CUDA_CHECK(cudaMemGetInfo(&free, &total));
  // Half of what is free: the batch's problem arrays, outputs and chord matrices live beside it.
  const double fit = 0.5 * static_cast<double>(free) / std::max(bytes_per_problem, 1.0);
  return fit >= static_cast<double>(batch)
             ? batch
             : std::max<std::size_t>(1, static_cast<std::size_t>(fit));
}

std::size_t te_concurrent_groups(const Context& /*ctx*/) {
  return 1;
}

void te_log_unit_costs(const Context& ctx, std::size_t batch, std::size_t J, std::size_t N,
                       const double* G, const double* gamma, const double* active,
                       const double* log_omega_rel, const double* log_phat, double* log_xhat) {
  const std::size_t total = batch * J * N;
  if (total == 0) return;
  te_log_unit_costs_kernel<<<grid_stride_blocks(total), kBlockSize, 0, ctx.cuda()->stream>>>(
      batch, J, N, G, gamma, active, log_omega_rel, log_phat, log_xhat);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

void te_log_price_indices(const Context& ctx, std::size_t batch, std::size_t J, std::size_t N,
                          const double* theta, const double* active, const double* q,
                          const double* log_q_scale, const double* log_xhat, double* log_phat) {
  const std::size_t rows = batch * J * N;
  if (rows == 0) return;
  const auto blocks = static_cast<unsigned>(
      std::min(ceil_div(rows, std::size_t{kWarpsPerBlock}), kMaxGridStrideBlocks));
  te_log_price_indices_kernel<<<blocks, kBlockSize, 0, ctx.cuda()->stream>>>(
      batch, J, N, theta, active, q, log_q_scale, log_xhat, log_phat);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

void te_trade_shares(const Context& ctx, std::size_t batch, std::size_t J, std::size_t N,
                     const double* theta, const double* active, const double* q,
                     const double* log_q_scale, const double* log_xhat, const double* log_phat,
                     double* pi) {
  const std::size_t total = batch * J * N * N;
  if (total == 0) return;
  te_trade_shares_kernel<<<grid_stride_blocks(total), kBlockSize, 0, ctx.cuda()->stream>>>(
      batch, J, N, theta, active, q, log_q_scale, log_xhat, log_phat, pi);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

void te_sales(const Context& ctx, std::size_t batch, std::size_t J, std::size_t N,
              const double* active, const double* pi, const double* X, double* Y) {
  const std::size_t total = batch * J * N;
  if (total == 0) return;
  te_sales_kernel<<<grid_stride_blocks(total), kBlockSize, 0, ctx.cuda()->stream>>>(
      batch, J, N, active, pi, X, Y);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

void te_expenditure_apply(const Context& ctx, std::size_t batch, std::size_t J, std::size_t N,
                          const double* G, const double* active, const double* pi,
                          const double* scale, const double* v, double* work, double* out) {
  const std::size_t jn = J * N;
  const std::size_t total = batch * jn;
  if (total == 0) return;
  const cudaStream_t stream = ctx.cuda()->stream;
  double* x = work;          // [batch][J][N]: X = scale * v
  double* y = work + total;  // [batch][J][N]: its sales
  te_scaled_kernel<<<grid_stride_blocks(total), kBlockSize, 0, stream>>>(batch, jn, active, scale,
                                                                         v, x);
  DYNHAT_CUDA_CHECK_LAUNCH();
  kernels::cuda::te_sales(ctx, batch, J, N, active, pi, x, y);
  te_expenditure_out_kernel<<<grid_stride_blocks(total), kBlockSize, 0, stream>>>(
      batch, J, N, G, active, y, scale, v, out);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

}  // namespace dynhat::kernels::cuda
