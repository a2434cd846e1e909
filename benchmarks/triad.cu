// STREAM triad on the GPU: a[i] = b[i] + scalar * c[i], grid-stride. Cost: 2n flops, 24n bytes
// (STREAM convention: two reads and one write per entry). Numerics: one fused multiply-add.
#include "benchmarks/triad.hpp"
#include "kernels/cuda/check.cuh"
#include "kernels/cuda/resources.cuh"

namespace dynhat::bench::cuda {
namespace {

using kernels::cuda::grid_stride_first;
using kernels::cuda::grid_stride_step;

__global__ void triad_kernel(std::size_t n, double scalar, const double* __restrict__ b,
                             const double* __restrict__ c, double* __restrict__ a) {
  for (std::size_t i = grid_stride_first(); i < n; i += grid_stride_step()) {
    a[i] = b[i] + scalar * c[i];
  }
}

}  // namespace

void triad(const Context& ctx, std::size_t n, double scalar, const double* b, const double* c,
           double* a) {
  if (n == 0) return;
  triad_kernel<<<kernels::cuda::grid_stride_blocks(n), kernels::cuda::kBlockSize, 0,
                 ctx.cuda()->stream>>>(n, scalar, b, c, a);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

}  // namespace dynhat::bench::cuda
