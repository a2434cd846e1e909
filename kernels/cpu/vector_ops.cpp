// Vector helpers of the outer iterations on the CPU, whole and segmented (a batch of problems
// stacked): O(n) or O(k n) flops, memory-bound.
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
/// Below this many entries a loop runs on one thread: waking a team costs more than it saves.
constexpr std::size_t kParallelThreshold = 1 << 15;
}  // namespace

DiffRange diff_range(const Context& /*ctx*/, std::size_t n, const double* a, const double* b) {
  count_host_transfer(sizeof(DiffRange));
  double lo = INFINITY;
  double hi = -INFINITY;
  int nan = 0;  // OpenMP's min/max reductions drop NaN: counted apart, so a NaN is never lost
#pragma omp parallel for simd reduction(min                               \
                                        : lo) reduction(max               \
                                                        : hi) reduction(| \
                                                                        : nan) schedule(static)
  for (std::size_t i = 0; i < n; ++i) {
    const double d = a[i] - b[i];
    lo = std::min(lo, d);
    hi = std::max(hi, d);
    nan |= d != d;
  }
  if (nan != 0) return {NAN, NAN};
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

void segment_dots(const Context& /*ctx*/, std::size_t k, std::size_t segments, std::size_t n,
                  const double* X, const double* y, double* out_host) {
  count_host_transfer(k * segments * sizeof(double));
  const std::size_t chunks = (n + kDotChunk - 1) / kDotChunk;
  const std::size_t rows = k * segments;  // row r = j * segments + b of X, against segment b of y
  std::vector<double> partial(rows * chunks);
#pragma omp parallel for collapse(2) schedule(static) if (rows * n > kParallelThreshold)
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t ch = 0; ch < chunks; ++ch) {
      const std::size_t i0 = ch * kDotChunk;
      const std::size_t i1 = std::min(n, i0 + kDotChunk);
      const double* row = X + r * n;
      const double* v = y + (r % segments) * n;
      double s = 0.0;
#pragma omp simd reduction(+ : s)
      for (std::size_t i = i0; i < i1; ++i) s += row[i] * v[i];
      partial[r * chunks + ch] = s;
    }
  }
  for (std::size_t r = 0; r < rows; ++r) {
    double s = 0.0;
    for (std::size_t ch = 0; ch < chunks; ++ch) s += partial[r * chunks + ch];
    out_host[r] = s;
  }
}

void segment_combination(const Context& /*ctx*/, std::size_t k, std::size_t segments, std::size_t n,
                         const double* X, const double* coef_host, double* y) {
  // Blocks of one segment, each updated by the k vectors in order j: every entry sees the same
  // subtractions in the same order as in one pass per entry, and the inner loop vectorises.
  constexpr std::size_t kBlock = 1024;
  const std::size_t blocks = (n + kBlock - 1) / kBlock;
#pragma omp parallel for collapse(2) schedule(static) if (segments * n > kParallelThreshold)
  for (std::size_t b = 0; b < segments; ++b) {
    for (std::size_t block = 0; block < blocks; ++block) {
      const std::size_t begin = block * kBlock, end = std::min(n, begin + kBlock);
      double* yb = y + b * n;
      for (std::size_t j = 0; j < k; ++j) {
        const double c = coef_host[j * segments + b];
        if (c == 0.0) continue;
        const double* x = X + (j * segments + b) * n;
#pragma omp simd
        for (std::size_t i = begin; i < end; ++i) yb[i] -= c * x[i];
      }
    }
  }
}

void segment_scale(const Context& /*ctx*/, std::size_t segments, std::size_t n,
                   const double* factor_host, double* x) {
  for (std::size_t b = 0; b < segments; ++b) {
    const double f = factor_host[b];
    if (f == 1.0) continue;
    for (std::size_t i = 0; i < n; ++i) x[b * n + i] *= f;
  }
}

void segment_copy(const Context& /*ctx*/, std::size_t segments, std::size_t n,
                  const unsigned char* mask_host, const double* src, double* dst) {
  for (std::size_t b = 0; b < segments; ++b) {
    if (mask_host[b] != 0) std::copy(src + b * n, src + (b + 1) * n, dst + b * n);
  }
}

void segment_multiply(const Context& /*ctx*/, std::size_t segments, std::size_t n,
                      const unsigned char* mask_host, const double* a, double* x) {
  for (std::size_t b = 0; b < segments; ++b) {
    if (mask_host[b] == 0) continue;
    for (std::size_t i = b * n; i < (b + 1) * n; ++i) x[i] *= a[i];
  }
}

void segment_max_abs_diff(const Context& /*ctx*/, std::size_t segments, std::size_t n,
                          const double* a, const double* b, double* out_host) {
  count_host_transfer(segments * sizeof(double));
  for (std::size_t s = 0; s < segments; ++s) {
    double worst = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double d = std::abs(a[s * n + i] - (b != nullptr ? b[s * n + i] : 0.0));
      if (std::isnan(d)) {
        worst = NAN;
        break;
      }
      worst = std::max(worst, d);
    }
    out_host[s] = worst;
  }
}

}  // namespace dynhat::kernels::cpu
