// The inputs and outputs of a path's temporary equilibria on the GPU (kernels.hpp), so that the
// batch of a path brings back per-problem scalars only:
//  * te_labor_inputs: one thread per (problem, sector, region); the occupied markets whose labor
//    is not positive and finite counted by an integer atomic (exact, order-free); 8 bytes back.
//  * te_path_outputs: one block per problem; a CUB block reduction sums the world value added,
//    then one thread per region sums its sectors in order j (the price index, the residual) and
//    writes its real wages (element.hpp te_region_outputs, as on the CPU), and a second block
//    reduction takes the largest residual. Reads 8 * 10 J N bytes per problem; 8 bytes per
//    problem back.
// Numerics: the block sums have a fixed tree (bitwise reproducible, not CPU-bitwise: the CPU sums
// in order k); exp, log and pow are CUDA's (within 2 ulp).
#include <cub/block/block_reduce.cuh>

#include "kernels/cuda/check.cuh"
#include "kernels/cuda/resources.cuh"
#include "kernels/element.hpp"
#include "kernels/kernels.hpp"

namespace dynhat::kernels::cuda {
namespace {

/// The larger of two residuals, a NaN ignored (std::max on the CPU keeps the running value).
struct Larger {
  __device__ double operator()(double a, double b) const { return fmax(a, b); }
};

__global__ void __launch_bounds__(kBlockSize)
    te_labor_inputs_kernel(std::size_t batch, std::size_t J, std::size_t N, std::size_t R,
                           const double* L, const double* L0, const double* xi, double* labor,
                           double* labor_factor, unsigned long long* unresolved) {
  const std::size_t jn = J * N, M = R * (J + 1);
  for (std::size_t e = grid_stride_first(); e < batch * jn; e += grid_stride_step()) {
    const std::size_t b = e / jn, j = (e % jn) / N, n = e % N, m = n * (J + 1) + 1 + j;
    labor[e] = 1.0;
    labor_factor[e] = 1.0;
    // A market empty at slot 0 stays empty (mu0 rows scale, never create, labor).
    if (n >= R || !(L0[m] > 0.0)) continue;
    const LaborInput in = labor_input(L[b * M + m], L0[m], xi[n]);
    if (!in.resolved) atomicAdd(unresolved, 1ULL);
    labor[e] = in.labor;
    labor_factor[e] = in.factor;
  }
}

/// Block b = problem b; the block's value-added total is shared through `total`.
__global__ void __launch_bounds__(kBlockSize)
    te_path_outputs_kernel(std::size_t batch, std::size_t J, std::size_t N, std::size_t R,
                           const double* alpha, const double* gamma, const double* xi,
                           const double* VAL, const double* VAR, const double* labor,
                           const double* labor_factor, const double* wage_ref,
                           const double* log_omega, const double* log_phat, const double* Y,
                           double world_va, double* omega, double* price_index, double* real_wage,
                           std::size_t stride, double* residual) {
  using BlockReduce = cub::BlockReduce<double, kBlockSize>;
  __shared__ typename BlockReduce::TempStorage temp;
  __shared__ double total;
  const std::size_t jn = J * N;
  for (std::size_t b = blockIdx.x; b < batch; b += gridDim.x) {  // uniform per block
    const std::size_t o = b * jn;
    double local = 0.0;
    for (std::size_t k = threadIdx.x; k < jn; k += kBlockSize)
      local += (VAL[o + k] + VAR[o + k]) * labor_factor[o + k] * exp(log_omega[o + k]);
    const double sum = BlockReduce(temp).Sum(local);
    if (threadIdx.x == 0) total = sum;
    __syncthreads();  // total visible to the block
    const double s = world_va / total;
    for (std::size_t k = threadIdx.x; k < jn; k += kBlockSize)
      omega[o + k] = s * exp(log_omega[o + k]);
    double worst = 0.0;
    for (std::size_t n = threadIdx.x; n < N; n += kBlockSize) {
      worst = fmax(worst,
                   te_region_outputs(J, N, R, n, alpha, gamma, xi[n], VAL + o, VAR + o, labor + o,
                                     labor_factor + o, wage_ref + o, log_omega + o, log_phat + o,
                                     Y + o, s, price_index + b * N, real_wage + b * stride));
    }
    __syncthreads();  // temp is reused
    const double largest = BlockReduce(temp).Reduce(worst, Larger{});
    if (threadIdx.x == 0) residual[b] = largest;
    __syncthreads();  // temp and total are reused by the block's next problem
  }
}

}  // namespace

std::size_t te_labor_inputs(const Context& ctx, std::size_t batch, std::size_t J, std::size_t N,
                            std::size_t R, const double* L, const double* L0, const double* xi,
                            double* labor, double* labor_factor) {
  if (batch * J * N == 0) return 0;
  auto* unresolved = reinterpret_cast<unsigned long long*>(scratch(ctx, 1));
  DYNHAT_CUDA_CHECK(cudaMemsetAsync(unresolved, 0, sizeof(unsigned long long), ctx.cuda()->stream));
  te_labor_inputs_kernel<<<grid_stride_blocks(batch * J * N), kBlockSize, 0, ctx.cuda()->stream>>>(
      batch, J, N, R, L, L0, xi, labor, labor_factor, unresolved);
  DYNHAT_CUDA_CHECK_LAUNCH();
  unsigned long long count = 0;
  kernels::cuda::copy(ctx, &count, unresolved, sizeof(count), CopyKind::device_to_host);
  return static_cast<std::size_t>(count);
}

void te_path_outputs(const Context& ctx, std::size_t batch, std::size_t J, std::size_t N,
                     std::size_t R, const double* alpha, const double* gamma, const double* xi,
                     const double* VAL, const double* VAR, const double* labor,
                     const double* labor_factor, const double* wage_ref, const double* log_omega,
                     const double* log_phat, const double* Y, double world_va, double* omega,
                     double* price_index, double* real_wage, std::size_t stride,
                     double* residual_host) {
  if (batch == 0) return;
  double* residual = scratch(ctx, batch);
  const auto blocks = static_cast<unsigned>(std::min(batch, kMaxGridStrideBlocks));
  te_path_outputs_kernel<<<blocks, kBlockSize, 0, ctx.cuda()->stream>>>(
      batch, J, N, R, alpha, gamma, xi, VAL, VAR, labor, labor_factor, wage_ref, log_omega,
      log_phat, Y, world_va, omega, price_index, real_wage, stride, residual);
  DYNHAT_CUDA_CHECK_LAUNCH();
  kernels::cuda::copy(ctx, residual_host, residual, batch * sizeof(double),
                      CopyKind::device_to_host);
}

}  // namespace dynhat::kernels::cuda
