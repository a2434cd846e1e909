// The per-problem helper steps of the fast solver's factor-price pass on the GPU (kernels.hpp),
// so that a pass brings back only per-problem scalars:
//  * te_expenditure_system: one block per problem; its threads sum each region's labor income
//    over sectors (in order j, as on the CPU) into device scratch, a CUB block reduction adds
//    chi = sum VAR VA'/VA and sum |X|, then each thread writes the scaled system for its
//    entries. 8 * 6 J N bytes per problem.
//  * te_factor_price_excess: one thread per (problem, region), the sector sums in order j.
// Numerics: the block reductions have a fixed tree (bitwise reproducible, not CPU-bitwise: the
// CPU sums in order k); exp and log are CUDA's (within 1 ulp).
#include <cub/block/block_reduce.cuh>

#include "kernels/cuda/check.cuh"
#include "kernels/cuda/resources.cuh"
#include "kernels/kernels.hpp"

namespace dynhat::kernels::cuda {
namespace {

__device__ __forceinline__ bool skipped(const double* active, std::size_t b) {
  return active != nullptr && active[b] == 0.0;
}

/// Sums of one problem's block: chi (capital income) and sum |X|.
struct IncomeSums {
  double chi;
  double absolute_x;
};

struct AddIncomeSums {
  __device__ IncomeSums operator()(const IncomeSums& a, const IncomeSums& b) const {
    return {a.chi + b.chi, a.absolute_x + b.absolute_x};
  }
};

/// Block b = problem b; labor_income: [batch][N] scratch.
__global__ void __launch_bounds__(kBlockSize)
    te_expenditure_system_kernel(std::size_t batch, std::size_t J, std::size_t N,
                                 const double* active, const double* alpha, const double* iota,
                                 const double* VAL, const double* VAR, const double* labor_factor,
                                 const double* log_omega, const double* X, double* labor_income,
                                 double* scale, double* y, double* rhs) {
  using BlockReduce = cub::BlockReduce<IncomeSums, kBlockSize>;
  __shared__ typename BlockReduce::TempStorage temp;
  __shared__ IncomeSums sums;
  const std::size_t jn = J * N;
  for (std::size_t b = blockIdx.x; b < batch; b += gridDim.x) {  // uniform per block
    if (skipped(active, b)) continue;
    const std::size_t o = b * jn;
    IncomeSums local{0.0, 0.0};
    for (std::size_t n = threadIdx.x; n < N; n += kBlockSize) {
      double labor = 0.0;
      for (std::size_t j = 0; j < J; ++j) {
        const std::size_t i = o + j * N + n;
        const double va_scale = exp(log_omega[i]) * labor_factor[i];
        labor += VAL[i] * va_scale;
        local.chi += VAR[i] * va_scale;
        local.absolute_x += fabs(X[i]);
      }
      labor_income[b * N + n] = labor;
    }
    const IncomeSums total = BlockReduce(temp).Reduce(local, AddIncomeSums{});
    if (threadIdx.x == 0) sums = total;
    __syncthreads();  // sums and labor_income visible to the block
    const double mean = sums.absolute_x / static_cast<double>(jn);
    for (std::size_t k = threadIdx.x; k < jn; k += kBlockSize) {
      const std::size_t i = o + k, n = k % N;
      const double s = mean > 0.0 ? fmax(fabs(X[i]), 1e-12 * mean) : 1.0;
      scale[i] = s;
      y[i] = X[i] / s;
      rhs[i] = alpha[k / N] * (labor_income[b * N + n] + iota[n] * sums.chi) / s;
    }
    __syncthreads();  // temp and sums are reused by the block's next problem
  }
}

/// Thread (b, n).
__global__ void __launch_bounds__(kBlockSize)
    te_factor_price_excess_kernel(std::size_t batch, std::size_t J, std::size_t N, std::size_t R,
                                  const double* active, const double* gamma, const double* VAL,
                                  const double* VAR, const double* labor_factor, const double* Y,
                                  const double* log_omega, double* excess) {
  const std::size_t jn = J * N;
  for (std::size_t e = grid_stride_first(); e < batch * N; e += grid_stride_step()) {
    const std::size_t b = e / N, n = e % N, o = b * jn;
    if (skipped(active, b)) continue;
    if (n < R) {
      for (std::size_t j = 0; j < J; ++j) {
        const std::size_t k = j * N + n, i = o + k;
        const double va = (VAL[i] + VAR[i]) * labor_factor[i];
        excess[i] = log(va > 0.0 ? gamma[k] * Y[i] / va : 1.0) - log_omega[i];
      }
      continue;
    }
    double supplied = 0.0, paid = 0.0;
    for (std::size_t j = 0; j < J; ++j) {
      supplied += gamma[j * N + n] * Y[o + j * N + n];
      paid += VAL[o + j * N + n] + VAR[o + j * N + n];
    }
    const double log_implied = log(supplied / paid);
    for (std::size_t j = 0; j < J; ++j)
      excess[o + j * N + n] = log_implied - log_omega[o + j * N + n];
  }
}

}  // namespace

void te_expenditure_system(const Context& ctx, std::size_t batch, std::size_t J, std::size_t N,
                           const double* active, const double* alpha, const double* iota,
                           const double* VAL, const double* VAR, const double* labor_factor,
                           const double* log_omega, const double* X, double* scale, double* y,
                           double* rhs) {
  if (batch == 0 || J * N == 0) return;
  double* labor_income = scratch(ctx, batch * N);
  const auto blocks = static_cast<unsigned>(std::min(batch, kMaxGridStrideBlocks));
  te_expenditure_system_kernel<<<blocks, kBlockSize, 0, ctx.cuda()->stream>>>(
      batch, J, N, active, alpha, iota, VAL, VAR, labor_factor, log_omega, X, labor_income, scale,
      y, rhs);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

void te_factor_price_excess(const Context& ctx, std::size_t batch, std::size_t J, std::size_t N,
                            std::size_t R, const double* active, const double* gamma,
                            const double* VAL, const double* VAR, const double* labor_factor,
                            const double* Y, const double* log_omega, double* excess) {
  if (batch * N == 0) return;
  te_factor_price_excess_kernel<<<grid_stride_blocks(batch * N), kBlockSize, 0,
                                  ctx.cuda()->stream>>>(batch, J, N, R, active, gamma, VAL, VAR,
                                                        labor_factor, Y, log_omega, excess);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

}  // namespace dynhat::kernels::cuda
