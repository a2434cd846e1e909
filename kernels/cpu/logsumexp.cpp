// Row log-sum-exp (E1/E2) and the fused softmax-transpose product (E3) on the CPU.
//
// Cost per call: rows*cols exp() and 2-3 flops per entry; bytes: one read of a (8 rows*cols),
// plus one write of the shares when asked. Rows are independent: OpenMP over rows for the
// log-sum-exp. The transpose product is parallel over column blocks, each thread sweeping all
// rows of its block, so no two threads write the same output and every out[c] is summed in
// row order whatever the thread count (results independent of OMP_NUM_THREADS).
// Numerics: two passes per row (max, then sum of exp(z - max)); every exponent is <= 0. exp is
// element.hpp's exp_vectorisable (within 2 ulp; glibc's exp is a scalar call and made these
// kernels compute-bound at 5 ns per entry).
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/element.hpp"
#include "kernels/kernels.hpp"

namespace dynhat::kernels::cpu {

namespace {

/// Column block of the transpose product: 512 doubles = 4 KiB per row segment, so a thread's
/// partial sums stay in L1 while it streams through the rows.
constexpr std::size_t kColumnBlock = 512;

/// z[c] = a_scale * a_row[c] + v_scale * v[c] for one row, into a buffer; returns max_c z[c].
/// One pass over the row (it streams from memory; the buffer stays in L1/L2).
double row_logits_max(std::size_t cols, const double* a_row, double a_scale, const double* v,
                      double v_scale, double* z) {
  double top = -INFINITY;
  if (v == nullptr) {
#pragma omp simd reduction(max : top)
    for (std::size_t c = 0; c < cols; ++c) {
      z[c] = a_scale * a_row[c];
      top = std::max(top, z[c]);
    }
  } else {
#pragma omp simd reduction(max : top)
    for (std::size_t c = 0; c < cols; ++c) {
      z[c] = logit(a_row[c], a_scale, v_scale * v[c]);
      top = std::max(top, z[c]);
    }
  }
  return top;
}

/// Overwrites z with exp(z - shift) and returns the sum (every exponent <= 0), in one pass.
double exp_shifted_sum(std::size_t cols, double* z, double shift) {
  double s = 0.0;
#pragma omp simd reduction(+ : s)
  for (std::size_t c = 0; c < cols; ++c) {
    z[c] = exp_vectorisable(z[c] - shift);
    s += z[c];
  }
  return s;
}

}  // namespace

void row_logsumexp(const Context& /*ctx*/, std::size_t rows, std::size_t cols, const double* a,
                   double a_scale, const double* v, double v_scale, double* lse, double* shares) {
#pragma omp parallel
  {
    std::vector<double> z(cols);
#pragma omp for schedule(static)
    for (std::size_t r = 0; r < rows; ++r) {
      const double m = row_logits_max(cols, a + r * cols, a_scale, v, v_scale, z.data());
      if (m == -INFINITY) {  // no admissible destination
        lse[r] = -INFINITY;
        if (shares != nullptr) std::fill(shares + r * cols, shares + (r + 1) * cols, 0.0);
        continue;
      }
      const double sum = exp_shifted_sum(cols, z.data(), m);  // z now holds exp(z - m)
      lse[r] = m + std::log(sum);
      if (shares != nullptr) {
        double* out = shares + r * cols;
        const double inv = 1.0 / sum;
#pragma omp simd
        for (std::size_t c = 0; c < cols; ++c) out[c] = z[c] * inv;
      }
    }
  }
}

void softmax_transpose_apply(const Context& /*ctx*/, std::size_t rows, std::size_t cols,
                             const double* a, double a_scale, const double* v, double v_scale,
                             const double* lse, const double* w, double* out) {
  const std::size_t blocks = (cols + kColumnBlock - 1) / kColumnBlock;
#pragma omp parallel for schedule(static)
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t c0 = b * kColumnBlock;
    const std::size_t n = std::min(kColumnBlock, cols - c0);
    double acc[kColumnBlock];
    double v_term[kColumnBlock];
    for (std::size_t c = 0; c < n; ++c) {
      acc[c] = 0.0;
      v_term[c] = v == nullptr ? 0.0 : v_scale * v[c0 + c];
    }
    for (std::size_t r = 0; r < rows; ++r) {
      if (lse[r] == -INFINITY || w[r] == 0.0) continue;
      const double* a_row = a + r * cols + c0;
      const double shift = lse[r];
      const double weight = w[r];
#pragma omp simd
      for (std::size_t c = 0; c < n; ++c) {
        acc[c] += weight * exp_vectorisable(logit(a_row[c], a_scale, v_term[c]) - shift);
      }
    }
    for (std::size_t c = 0; c < n; ++c) out[c0 + c] = acc[c];
  }
}

}  // namespace dynhat::kernels::cpu
