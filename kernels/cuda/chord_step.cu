// The chord step g += K F of the factor-price iteration on the GPU (kernels.hpp): the residuals
// gathered onto the reduced unknowns in single precision (one thread per (problem, unknown)),
// one cuBLAS SGEMM for all `count` problems (K, 4 nz^2 bytes, read once), the product scattered
// back and added (one thread per (problem, market)). Scratch: 2 nz count floats.
// Numerics: SGEMM's summation order is cuBLAS's, so the step differs from the CPU's Eigen
// product by single-precision rounding (~1e-7 relative); it only preconditions.
#include "kernels/cuda/check.cuh"
#include "kernels/cuda/resources.cuh"
#include "kernels/kernels.hpp"

namespace dynhat::kernels::cuda {
namespace {

/// Thread (b, z): Fz[b][z] = F[b] at the market of reduced unknown z.
__global__ void __launch_bounds__(kBlockSize)
    chord_gather_kernel(std::size_t count, std::size_t J, std::size_t N, std::size_t R,
                        std::size_t nz, const double* F, float* Fz) {
  for (std::size_t e = grid_stride_first(); e < count * nz; e += grid_stride_step()) {
    const std::size_t b = e / nz, z = e % nz;
    const std::size_t j = z < R * J ? z / R : 0, n = z < R * J ? z % R : R + (z - R * J);
    Fz[e] = static_cast<float>(F[b * J * N + j * N + n]);
  }
}

/// Thread (b, j, n): g += step at the reduced unknown of (j, n).
__global__ void __launch_bounds__(kBlockSize)
    chord_scatter_kernel(std::size_t count, std::size_t J, std::size_t N, std::size_t R,
                         std::size_t nz, const float* step, double* g) {
  const std::size_t jn = J * N;
  for (std::size_t e = grid_stride_first(); e < count * jn; e += grid_stride_step()) {
    const std::size_t b = e / jn, j = (e % jn) / N, n = e % N;
    const std::size_t z = n < R ? j * R + n : R * J + n - R;
    g[e] += static_cast<double>(step[b * nz + z]);
  }
}

}  // namespace

void te_chord_step(const Context& ctx, std::size_t count, std::size_t J, std::size_t N,
                   std::size_t R, const float* K, const double* F, double* g) {
  const std::size_t nz = R * J + N - R;
  if (count == 0 || nz == 0) return;
  const cudaStream_t stream = ctx.cuda()->stream;
  // 2 nz count floats in nz count scratch doubles (cudaMalloc memory is aligned for both).
  auto* Fz = reinterpret_cast<float*>(scratch(ctx, nz * count));
  float* step = Fz + nz * count;
  chord_gather_kernel<<<grid_stride_blocks(count * nz), kBlockSize, 0, stream>>>(count, J, N, R, nz,
                                                                                 F, Fz);
  DYNHAT_CUDA_CHECK_LAUNCH();
  const float one = 1.0f, zero = 0.0f;
  const auto n = static_cast<std::int64_t>(nz), c = static_cast<std::int64_t>(count);
  DYNHAT_CUBLAS_CHECK(cublasSgemm_64(ctx.cuda()->cublas, CUBLAS_OP_N, CUBLAS_OP_N, n, c, n, &one, K,
                                     n, Fz, n, &zero, step, n));
  chord_scatter_kernel<<<grid_stride_blocks(count * J * N), kBlockSize, 0, stream>>>(count, J, N, R,
                                                                                     nz, step, g);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

}  // namespace dynhat::kernels::cuda
