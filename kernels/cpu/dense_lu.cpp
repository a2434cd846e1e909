// Dense LU with partial pivoting on the CPU (kernels.hpp lu_factor, lu_solve): Eigen's
// PartialPivLU in place on the row-major matrix (blocked, 2/3 n^3 flops), its row permutation
// kept as Eigen's indices; the solve permutes, then two triangular solves (2 n^2 flops).
#include <Eigen/LU>
#include <algorithm>

#include "kernels/kernels.hpp"

namespace dynhat::kernels::cpu {

namespace {
using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
}  // namespace

int lu_factor(const Context& /*ctx*/, std::size_t n, double* A, int* pivots) {
  if (n == 0) return 0;
  const auto size = static_cast<Eigen::Index>(n);
  Eigen::Map<RowMajor> a(A, size, size);
  const Eigen::PartialPivLU<Eigen::Ref<RowMajor>> lu(a);
  const auto& indices = lu.permutationP().indices();
  std::copy(indices.data(), indices.data() + size, pivots);
  count_host_transfer(sizeof(int));
  for (Eigen::Index i = 0; i < size; ++i)
    if (a(i, i) == 0.0) return static_cast<int>(i + 1);
  return 0;
}

void lu_solve(const Context& /*ctx*/, std::size_t n, const double* A, const int* pivots,
              double* x) {
  if (n == 0) return;
  const auto size = static_cast<Eigen::Index>(n);
  const Eigen::Map<const RowMajor> a(A, size, size);
  Eigen::Map<Eigen::VectorXd> v(x, size);
  Eigen::VectorXd permuted(size);  // P x: row i of x goes to row pivots[i]
  for (Eigen::Index i = 0; i < size; ++i) permuted(pivots[i]) = v(i);
  a.triangularView<Eigen::UnitLower>().solveInPlace(permuted);
  a.triangularView<Eigen::Upper>().solveInPlace(permuted);
  v = permuted;
}

}  // namespace dynhat::kernels::cpu
