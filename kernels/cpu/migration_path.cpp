// Factorised migration path on the CPU (ARCHITECTURE.md 4.1, MODEL.md 5.5): every migration
// matrix of a path is mu0 with a column scaling c_t and a row normalisation 1/r_t.
//
// Costs (m markets, T slots):
//  column_scalings  T*m adds and exp();        bytes 16 T m
//  scaled_row_sums  2 T m^2 flops (one GEMM);  bytes 8 m^2 + 16 T m (blocked, mu0 read once
//                                              per cache block)
//  labor_chain      2 T m^2 flops;             bytes 8 T m^2 (mu0 streamed once per slot)
//  backward_value_sweep  the same, products with mu0 instead of mu0^T
//  value_update     T*m logs;                  bytes 24 T m
//  real_wage_changes  T*m divisions;           bytes 16 T m
//  news_block       2 m^2 flops;               bytes 16 m^2
//  news_block_apply 2 m^2 flops;               bytes 8 m^2 (one product with mu0)
// Numerics: c is shifted per slot so its largest entry is 1; the shift cancels between c_t and
// r_t and is added back in logs by value_update.
#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/element.hpp"
#include "kernels/kernels.hpp"

namespace dynhat::kernels::cpu {

namespace {
using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
constexpr std::size_t kColumnBlock = 512;  // 4 KiB row segments, as in logsumexp.cpp
/// Rows per pass of the backward sweep: one dot product alone is a single chain of dependent adds,
/// latency-bound (M = 1150, T = 200, 2-core EPYC: 66.7 ms a sweep, 29 GB/s); 4 interleaved ones
/// took 25.5 ms, 8 take 15.5 ms (126 GB/s from cache; at M = 4600 all are DRAM-bound).
constexpr std::size_t kRowGroup = 8;
}  // namespace

void column_scalings(const Context& /*ctx*/, std::size_t m, std::size_t slots, const double* log_y,
                     double beta, double* c, double* shift) {
  if (m == 0 || slots == 0) return;
    // Prefix sums over slots, parallel over columns; c holds log c until the shift is known.
#pragma omp parallel for schedule(static)
  for (std::size_t k = 0; k < m; ++k) {
    double acc = 0.0;
    for (std::size_t t = 0; t < slots; ++t) {
      if (t + 1 < slots) acc += beta * log_y[(t + 1) * m + k];
      c[t * m + k] = acc;
    }
  }
#pragma omp parallel for schedule(static)
  for (std::size_t t = 0; t < slots; ++t) {
    double* row = c + t * m;
    double top = -INFINITY;
    for (std::size_t k = 0; k < m; ++k) top = std::max(top, row[k]);
    shift[t] = top;
    for (std::size_t k = 0; k < m; ++k) row[k] = exp_vectorisable(row[k] - top);
  }
}

namespace {

/// Rows of a float mu0 widened to doubles per GEMM of scaled_row_sums: 256 x 20000 doubles is 41
/// MB.
constexpr std::size_t kWidenedRows = 256;

/// r[t][i] = sum over row i's entries of mu0[i][k] c[t][k], with c transposed to [m][slots] first
/// so that each entry adds to all slots with one contiguous pass.
void sparse_row_sums(std::size_t m, std::size_t slots, const Csr& mu0, const double* c, double* r) {
  std::vector<double> ct(m * slots);
#pragma omp parallel for schedule(static)
  for (std::size_t k = 0; k < m; ++k)
    for (std::size_t t = 0; t < slots; ++t) ct[k * slots + t] = c[t * m + k];
#pragma omp parallel
  {
    std::vector<double> acc(slots);
#pragma omp for schedule(dynamic, 64)
    for (std::size_t i = 0; i < m; ++i) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (std::int64_t e = mu0.start[i]; e < mu0.start[i + 1]; ++e) {
        const double v = mu0.values[e];
        const double* column = ct.data() + static_cast<std::size_t>(mu0.columns[e]) * slots;
#pragma omp simd
        for (std::size_t t = 0; t < slots; ++t) acc[t] += v * column[t];
      }
      for (std::size_t t = 0; t < slots; ++t) r[t * m + i] = acc[t];
    }
  }
}

}  // namespace

void scaled_row_sums(const Context& /*ctx*/, std::size_t m, std::size_t slots, const Mu0& mu0,
                     const double* c, double* r) {
  if (m == 0 || slots == 0) return;
  const Eigen::Index mi = static_cast<Eigen::Index>(m);
  const Eigen::Index ti = static_cast<Eigen::Index>(slots);
  Eigen::Map<const RowMajor> scalings(c, ti, mi);
  switch (mu0.storage) {
    case Mu0::Storage::dense: {
      Eigen::Map<const RowMajor> mu(mu0.dense, mi, mi);
      Eigen::Map<RowMajor> sums(r, ti, mi);
      sums.noalias() = scalings * mu.transpose();
      return;
    }
    case Mu0::Storage::dense_float: {
      // Blocks of rows widened to doubles, then the same GEMM on them: the products and sums are
      // in double, only the entries were rounded when stored.
      RowMajor widened(static_cast<Eigen::Index>(std::min(kWidenedRows, m)), mi);
      for (std::size_t i0 = 0; i0 < m; i0 += kWidenedRows) {
        const auto rows = static_cast<Eigen::Index>(std::min(kWidenedRows, m - i0));
        const float* block = mu0.dense_float + i0 * m;
#pragma omp parallel for schedule(static)
        for (Eigen::Index i = 0; i < rows; ++i)
          for (Eigen::Index k = 0; k < mi; ++k)
            widened(i, k) = block[static_cast<std::size_t>(i) * m + static_cast<std::size_t>(k)];
        Eigen::Map<RowMajor, 0, Eigen::OuterStride<>> sums(r + i0, ti, rows,
                                                           Eigen::OuterStride<>(mi));
        sums.noalias() = scalings * widened.topRows(rows).transpose();
      }
      return;
    }
    case Mu0::Storage::sparse:
      sparse_row_sums(m, slots, mu0.rows, c, r);
      return;
  }
}

namespace {

/// The chain L[t+1] = c[t] * mu0^T (L[t] / r[t]) with `transposed_times(sent, scale, next)`
/// writing next = scale * mu0^T sent for one slot.
template <class TransposedTimes>
void chain(std::size_t m, std::size_t slots, const double* c, const double* r, double* L,
           TransposedTimes transposed_times) {
  std::vector<double> sent(m);
  for (std::size_t t = 0; t < slots; ++t) {
    const double* labor = L + t * m;
    const double* row_sum = r + t * m;
    for (std::size_t i = 0; i < m; ++i) sent[i] = labor_per_row_sum(labor[i], row_sum[i]);
    transposed_times(sent.data(), c + t * m, L + (t + 1) * m);
  }
}

/// The labor chain on a dense mu0 of doubles or floats (products and sums in double).
template <class Element>
void dense_labor_chain(std::size_t m, std::size_t slots, const Element* mu0, const double* c,
                       const double* r, double* L) {
  // Column blocks of at most kColumnBlock, as many as a multiple of the threads (an even
  // split), each a multiple of 8 wide: at M = 1150, 2 threads, 4 blocks of 288 (3 blocks of 512
  // left one thread idle a third of the time).
  const auto threads = static_cast<std::size_t>(std::max(1, omp_get_max_threads()));
  const std::size_t parts =
      (std::max(threads, (m + kColumnBlock - 1) / kColumnBlock) + threads - 1) / threads * threads;
  const std::size_t width = std::min(kColumnBlock, ((m + parts - 1) / parts + 7) / 8 * 8);
  const std::size_t blocks = (m + width - 1) / width;
  chain(m, slots, c, r, L, [&](const double* sent, const double* scale, double* next) {
  // mu0^T * sent by column blocks: each output summed in row order by one thread, kRowGroup
  // rows per pass over its accumulators (one load and store of them per 8 products; adding a
  // zero weight's 0 * mu0 leaves a sum as it is, so the result is that of the plain loop).
#pragma omp parallel for schedule(static)
    for (std::size_t b = 0; b < blocks; ++b) {
      const std::size_t k0 = b * width;
      const std::size_t n = std::min(width, m - k0);
      double acc[kColumnBlock] = {};
      std::size_t i = 0;
      for (; i + kRowGroup <= m; i += kRowGroup) {
        const Element* row = mu0 + i * m + k0;
        const double* w = sent + i;
#pragma omp simd
        for (std::size_t k = 0; k < n; ++k) {
          double a = acc[k];
          a += row[k] * w[0];
          a += row[m + k] * w[1];
          a += row[2 * m + k] * w[2];
          a += row[3 * m + k] * w[3];
          a += row[4 * m + k] * w[4];
          a += row[5 * m + k] * w[5];
          a += row[6 * m + k] * w[6];
          a += row[7 * m + k] * w[7];
          acc[k] = a;
        }
      }
      for (; i < m; ++i) {
        const Element* row = mu0 + i * m + k0;
#pragma omp simd
        for (std::size_t k = 0; k < n; ++k) acc[k] += row[k] * sent[i];
      }
      for (std::size_t k = 0; k < n; ++k) next[k0 + k] = scale[k0 + k] * acc[k];
    }
  });
}

/// The labor chain on CSR: next[k] = c[k] * (row k of mu0^T) . sent, each sum in row order i as
/// the dense loop's (a stored entry is added as there; a missing one is the dense loop's 0 * w,
/// which leaves its sum as it is): the dense chain's result for finite labor, bit for bit where
/// the compiler fuses the multiply-adds of both loops alike (not so with AVX-512).
void sparse_labor_chain(std::size_t m, std::size_t slots, const Csr& mu0t, const double* c,
                        const double* r, double* L) {
  chain(m, slots, c, r, L, [&](const double* sent, const double* scale, double* next) {
#pragma omp parallel for schedule(dynamic, 64)
    for (std::size_t k = 0; k < m; ++k) {
      double acc = 0.0;
      for (std::int64_t e = mu0t.start[k]; e < mu0t.start[k + 1]; ++e)
        acc += mu0t.values[e] * sent[static_cast<std::size_t>(mu0t.columns[e])];
      next[k] = scale[k] * acc;
    }
  });
}

}  // namespace

void labor_chain(const Context& /*ctx*/, std::size_t m, std::size_t slots, const Mu0& mu0,
                 const double* c, const double* r, double* L) {
  switch (mu0.storage) {
    case Mu0::Storage::dense:
      return dense_labor_chain(m, slots, mu0.dense, c, r, L);
    case Mu0::Storage::dense_float:
      return dense_labor_chain(m, slots, mu0.dense_float, c, r, L);
    case Mu0::Storage::sparse:
      return sparse_labor_chain(m, slots, mu0.transposed, c, r, L);
  }
}

namespace {

/// emit(i, row i of mu0 . w) for every row i of a dense mu0, in parallel: kRowGroup dot products
/// per pass over w (rows of mu0 are contiguous), each summed by one thread in the same order
/// whatever its group (the last group repeats row m-1 to fill up).
template <class Element, class Emit>
void dense_times(std::size_t m, const Element* mu0, const double* w, Emit emit) {
  const std::size_t groups = (m + kRowGroup - 1) / kRowGroup;
#pragma omp parallel for schedule(static)
  for (std::size_t g = 0; g < groups; ++g) {
    const std::size_t i0 = g * kRowGroup;
    const Element* row[kRowGroup];
    for (std::size_t q = 0; q < kRowGroup; ++q) row[q] = mu0 + std::min(i0 + q, m - 1) * m;
    double p0 = 0.0, p1 = 0.0, p2 = 0.0, p3 = 0.0, p4 = 0.0, p5 = 0.0, p6 = 0.0, p7 = 0.0;
#pragma omp simd reduction(+ : p0, p1, p2, p3, p4, p5, p6, p7)
    for (std::size_t k = 0; k < m; ++k) {
      p0 += row[0][k] * w[k];
      p1 += row[1][k] * w[k];
      p2 += row[2][k] * w[k];
      p3 += row[3][k] * w[k];
      p4 += row[4][k] * w[k];
      p5 += row[5][k] * w[k];
      p6 += row[6][k] * w[k];
      p7 += row[7][k] * w[k];
    }
    const double pushed[kRowGroup] = {p0, p1, p2, p3, p4, p5, p6, p7};
    for (std::size_t q = 0; q < kRowGroup && i0 + q < m; ++q) emit(i0 + q, pushed[q]);
  }
}

/// emit(i, row i of mu0 . w) for every row i, whatever the storage.
template <class Emit>
void mu0_times(std::size_t m, const Mu0& mu0, const double* w, Emit emit) {
  switch (mu0.storage) {
    case Mu0::Storage::dense:
      return dense_times(m, mu0.dense, w, emit);
    case Mu0::Storage::dense_float:
      return dense_times(m, mu0.dense_float, w, emit);
    case Mu0::Storage::sparse: {
      const Csr& a = mu0.rows;
#pragma omp parallel for schedule(dynamic, 64)
      for (std::size_t i = 0; i < m; ++i) {
        double sum = 0.0;
        for (std::int64_t e = a.start[i]; e < a.start[i + 1]; ++e)
          sum += a.values[e] * w[static_cast<std::size_t>(a.columns[e])];
        emit(i, sum);
      }
      return;
    }
  }
}

}  // namespace

void backward_value_sweep(const Context& /*ctx*/, std::size_t m, std::size_t slots, const Mu0& mu0,
                          const double* c, const double* r, double beta, double* d) {
  if (m == 0) return;
  std::vector<double> w(m);
  for (std::size_t t = slots >= 2 ? slots - 2 : 0; t >= 1; --t) {
    const double* next = d + (t + 1) * m;
    const double* scale = c + t * m;
    for (std::size_t k = 0; k < m; ++k) w[k] = scale[k] * next[k];
    double* out = d + t * m;
    const double* row_sum = r + t * m;
    mu0_times(m, mu0, w.data(), [&](std::size_t i, double pushed) {
      out[i] = sweep_value(out[i], beta, pushed, row_sum[i]);
    });
  }
}

void news_block_apply(const Context& /*ctx*/, std::size_t m, const Mu0& mu0, const double* c,
                      const double* r, double beta, const double* v, double* out) {
  if (m == 0) return;
  std::vector<double> w(m);
  for (std::size_t k = 0; k < m; ++k) w[k] = c[k] * v[k];
  mu0_times(m, mu0, w.data(),
            [&](std::size_t i, double pushed) { out[i] = sweep_value(v[i], -beta, pushed, r[i]); });
}

void value_update(const Context& /*ctx*/, std::size_t m, std::size_t slots, const double* real_wage,
                  const double* r, const double* shift, double inv_nu, double* log_y) {
  if (slots == 0) return;
#pragma omp parallel for schedule(static)
  for (std::size_t t = 0; t < slots; ++t) {
    double* out = log_y + t * m;
    if (t == 0 || t + 1 == slots) {
      for (std::size_t i = 0; i < m; ++i) out[i] = 0.0;
      continue;
    }
    const double* wage = real_wage + t * m;
    const double* now = r + t * m;
    const double* before = r + (t - 1) * m;
    for (std::size_t i = 0; i < m; ++i) {
      out[i] = log_value_change(wage[i], inv_nu, now[i], before[i], shift[t], shift[t - 1]);
    }
  }
}

void news_block(const Context& /*ctx*/, std::size_t m, const Mu0& mu0, const double* c,
                const double* r, double beta, double* A) {
  if (mu0.storage == Mu0::Storage::sparse) {
    const Csr& a = mu0.rows;
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < m; ++i) {
      double* row = A + i * m;
      for (std::size_t k = 0; k < m; ++k) row[k] = i == k ? 1.0 : 0.0;
      const double scale = r[i] > 0.0 ? beta / r[i] : 0.0;
      for (std::int64_t e = a.start[i]; e < a.start[i + 1]; ++e) {
        const auto k = static_cast<std::size_t>(a.columns[e]);
        row[k] = (i == k ? 1.0 : 0.0) - scale * a.values[e] * c[k];
      }
    }
    return;
  }
  const auto entry = [&](std::size_t e) {
    return mu0.storage == Mu0::Storage::dense ? mu0.dense[e]
                                              : static_cast<double>(mu0.dense_float[e]);
  };
#pragma omp parallel for schedule(static)
  for (std::size_t i = 0; i < m; ++i) {
    const double scale = r[i] > 0.0 ? beta / r[i] : 0.0;
    for (std::size_t k = 0; k < m; ++k)
      A[i * m + k] = (i == k ? 1.0 : 0.0) - scale * entry(i * m + k) * c[k];
  }
}

void real_wage_changes(const Context& /*ctx*/, std::size_t m, std::size_t slots, const double* W,
                       double* cdot) {
  for (std::size_t t = 0; t < slots; ++t) {
    double* out = cdot + t * m;
    for (std::size_t k = 0; k < m; ++k)
      out[k] = t == 0 || t + 1 == slots ? 1.0 : W[t * m + k] / W[(t - 1) * m + k];
  }
}

}  // namespace dynhat::kernels::cpu
