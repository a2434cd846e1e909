// Dense LU with partial pivoting on the GPU (kernels.hpp lu_factor, lu_solve): cuSOLVER's getrf
// on the row-major A read as the column-major A^T (so A^T = P L U; 2/3 n^3 flops), the solve by
// getrs with the transpose (A x = b is (A^T)^T x = b; 2 n^2 flops). Workspace and the info word
// in the context's scratch; one int comes back per factorisation.
#include "kernels/cuda/check.cuh"
#include "kernels/cuda/resources.cuh"
#include "kernels/kernels.hpp"

namespace dynhat::kernels::cuda {

int lu_factor(const Context& ctx, std::size_t n, double* A, int* pivots) {
  if (n == 0) return 0;
  const detail::CudaResources& resources = *ctx.cuda();
  const int size = static_cast<int>(n);
  int lwork = 0;
  DYNHAT_CUSOLVER_CHECK(
      cusolverDnDgetrf_bufferSize(resources.cusolver, size, size, A, size, &lwork));
  double* work = scratch(ctx, static_cast<std::size_t>(lwork) + 1);
  int* info = reinterpret_cast<int*>(work + lwork);
  DYNHAT_CUSOLVER_CHECK(
      cusolverDnDgetrf(resources.cusolver, size, size, A, size, work, pivots, info));
  int singular = 0;
  kernels::cuda::copy(ctx, &singular, info, sizeof(int), CopyKind::device_to_host);
  return singular;
}

void lu_solve(const Context& ctx, std::size_t n, const double* A, const int* pivots, double* x) {
  if (n == 0) return;
  const int size = static_cast<int>(n);
  int* info = reinterpret_cast<int*>(scratch(ctx, 1));
  DYNHAT_CUSOLVER_CHECK(
      cusolverDnDgetrs(ctx.cuda()->cusolver, CUBLAS_OP_T, size, 1, A, size, pivots, x, size, info));
}

}  // namespace dynhat::kernels::cuda
