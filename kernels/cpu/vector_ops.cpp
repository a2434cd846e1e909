// Vector helpers of the outer iterations on the CPU: O(n) or O(k n) flops, memory-bound.
// Dot products are summed in fixed chunks and the chunk sums in order, so the result depends on
// n alone, not on the number of OpenMP threads.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/element.hpp"
#include "kernels/kernels.hpp"

namespace dynhat::kernels::cpu {

namespace {
constexpr std::size_t kDotChunk = 4096;
}

DiffRange diff_range(const Context& /*ctx*/, std::size_t n, const double* a, const double* b) {
  double lo = INFINITY;
  double hi = -INFINITY;
#pragma omp parallel for simd reduction(min : lo) reduction(max : hi) schedule(static)
  for (std::size_t i = 0; i < n; ++i) {
    const double d = a[i] - b[i];
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  return n == 0 ? DiffRange{} : DiffRange{lo, hi};
}

void axpby(const Context& /*ctx*/, std::size_t n, double alpha, const double* x, double beta,
           double* y) {
#pragma omp parallel for simd schedule(static)
  for (std::size_t i = 0; i < n; ++i) y[i] = alpha * x[i] + beta * y[i];
}

void average_in_levels(const Context& /*ctx*/, std::size_t n, const double* x_new, double* x) {
#pragma omp parallel for schedule(static)
  for (std::size_t i = 0; i < n; ++i) x[i] = log_mean_exp2(x_new[i], x[i]);
}

void dot_rows(const Context& /*ctx*/, std::size_t k, std::size_t n, const double* X,
              const double* y, double* out_host) {
  const std::size_t chunks = (n + kDotChunk - 1) / kDotChunk;
  std::vector<double> partial(k * chunks);
#pragma omp parallel for collapse(2) schedule(static)
  for (std::size_t j = 0; j < k; ++j) {
    for (std::size_t ch = 0; ch < chunks; ++ch) {
      const std::size_t i0 = ch * kDotChunk;
      const std::size_t i1 = std::min(n, i0 + kDotChunk);
      const double* row = X + j * n;
      double s = 0.0;
#pragma omp simd reduction(+ : s)
      for (std::size_t i = i0; i < i1; ++i) s += row[i] * y[i];
      partial[j * chunks + ch] = s;
    }
  }
  for (std::size_t j = 0; j < k; ++j) {
    double s = 0.0;
    for (std::size_t ch = 0; ch < chunks; ++ch) s += partial[j * chunks + ch];
    out_host[j] = s;
  }
}

void subtract_combination(const Context& /*ctx*/, std::size_t k, std::size_t n, const double* X,
                          const double* coef_host, double* y) {
#pragma omp parallel for schedule(static)
  for (std::size_t i = 0; i < n; ++i) {
    double s = y[i];
    for (std::size_t j = 0; j < k; ++j) s -= coef_host[j] * X[j * n + i];
    y[i] = s;
  }
}

}  // namespace dynhat::kernels::cpu
