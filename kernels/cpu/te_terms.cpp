// Batched temporary-equilibrium terms on the CPU (MODEL.md 5.1): OpenMP over (problem, output
// row), each output written by one thread in a fixed order, so results depend neither on the
// thread count nor on the other problems of the batch. Costs per problem: unit costs N J^2 flops,
// price indices and trade shares J N^2 flops and J N exponentials (the effective shares in levels,
// kernels.hpp), sales J N^2, the IO product N J^2 flops.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/element.hpp"
#include "kernels/kernels.hpp"

namespace dynhat::kernels::cpu {

namespace {

/// Below this much work (flops or exponentials) a term runs on one thread.
constexpr std::size_t kParallelWork = 1 << 16;

bool skipped(const double* active, std::size_t b) {
  return active != nullptr && active[b] == 0.0;
}

/// Z[s][i] = sum_j G[i][s][j] Y[j][i] for one problem.
void io_product(std::size_t J, std::size_t N, const double* G, const double* Y, double* Z) {
  for (std::size_t i = 0; i < N; ++i) {
    const double* g = G + i * J * J;
    for (std::size_t s = 0; s < J; ++s) {
      double acc = 0.0;
      for (std::size_t j = 0; j < J; ++j) acc += g[s * J + j] * Y[j * N + i];
      Z[s * N + i] = acc;
    }
  }
}

/// Price sweeps in levels (te_log_price_indices): a row's sum of q c below kLevelsFloor
/// (~e^-kLevelsExponent) is redone from the logs, so that no term that matters is a subnormal;
/// trade shares q c e^f are formed in levels while f <= kLevelsExponent.
constexpr double kLevelsExponent = 300.0;
constexpr double kLevelsFloor = 5.1e-131;  // just below e^-300 = 5.148e-131

/// c[i] = exp(-t cost[i] - a) with a = max_i (-t cost[i]): one sector's cost factors, the largest
/// 1. Returns a.
double cost_factors(std::size_t N, double t, const double* cost, double* c) {
  double a = -INFINITY;
#pragma omp simd reduction(max : a)
  for (std::size_t i = 0; i < N; ++i) {
    c[i] = -t * cost[i];
    a = c[i] > a ? c[i] : a;
  }
#pragma omp simd
  for (std::size_t i = 0; i < N; ++i) c[i] = exp_vectorisable(c[i] - a);
  return a;
}

/// log sum_i exp(log q[i] + scale - t cost[i]) by a shifted log-sum-exp: a row whose sum in
/// levels fell below kLevelsFloor (a large theta with costs far apart).
double row_logsumexp_of_logs(std::size_t N, double t, const double* q, double scale,
                             const double* cost) {
  double top = -INFINITY;
  for (std::size_t i = 0; i < N; ++i) top = std::max(top, std::log(q[i]) - t * cost[i]);
  double sum = 0.0;
  for (std::size_t i = 0; i < N; ++i) sum += std::exp(std::log(q[i]) - t * cost[i] - top);
  return scale + top + std::log(sum);
}

/// body(row0, theta_j, cost, a, c, work) for every active problem b and sector j: row0 =
/// b J N + j N (row n of the sector is row0 + n), cost = log_xhat of the sector, c its cost
/// factors and a their shift (cost_factors), work 2 N doubles of scratch; c and work are the
/// thread's. The (b, j) pairs are spread over the OpenMP threads when the batch is large.
template <class Body>
void for_each_sector(std::size_t batch, std::size_t J, std::size_t N, const double* theta,
                     const double* active, const double* log_xhat, Body body) {
  const std::size_t jn = J * N;
#pragma omp parallel if (batch * jn * N > kParallelWork)
  {
    std::vector<double> scratch(3 * N);
#pragma omp for collapse(2) schedule(static)
    for (std::size_t b = 0; b < batch; ++b) {
      for (std::size_t j = 0; j < J; ++j) {
        if (skipped(active, b)) continue;
        const double* cost = log_xhat + b * jn + j * N;
        const double a = cost_factors(N, theta[j], cost, scratch.data());
        body(b * jn + j * N, theta[j], cost, a, scratch.data(), scratch.data() + N);
      }
    }
  }
}

}  // namespace

std::size_t te_group_size(const Context& /*ctx*/, std::size_t /*batch*/,
                          double /*bytes_per_problem*/) {
  return 1;
}

std::size_t te_concurrent_groups(const Context& /*ctx*/) {
  return static_cast<std::size_t>(std::max(omp_get_max_threads(), 1));
}

void te_log_unit_costs(const Context& /*ctx*/, std::size_t batch, std::size_t J, std::size_t N,
                       const double* G, const double* gamma, const double* active,
                       const double* log_omega_rel, const double* log_phat, double* log_xhat) {
  const std::size_t jn = J * N;
#pragma omp parallel if (batch * jn * J > kParallelWork)
  {
    std::vector<double> acc(J);
#pragma omp for collapse(2) schedule(static)
    for (std::size_t b = 0; b < batch; ++b) {
      for (std::size_t n = 0; n < N; ++n) {
        if (skipped(active, b)) continue;
        const double* g = G + n * J * J;  // g[s * J + k]
        const double* rel = log_omega_rel + b * jn;
        const double* phat = log_phat + b * jn;
        for (std::size_t k = 0; k < J; ++k) acc[k] = gamma[k * N + n] * rel[k * N + n];
        // Row s of G[n] at once (contiguous in k): each acc[k] still adds its terms in order s.
        for (std::size_t s = 0; s < J; ++s) {
          const double p = phat[s * N + n];
#pragma omp simd
          for (std::size_t k = 0; k < J; ++k) acc[k] += g[s * J + k] * p;
        }
        for (std::size_t k = 0; k < J; ++k) log_xhat[b * jn + k * N + n] = acc[k];
      }
    }
  }
}

void te_log_price_indices(const Context& /*ctx*/, std::size_t batch, std::size_t J, std::size_t N,
                          const double* theta, const double* active, const double* q,
                          const double* log_q_scale, const double* log_xhat, double* log_phat) {
  for_each_sector(
      batch, J, N, theta, active, log_xhat,
      [&](std::size_t row0, double t, const double* cost, double a, const double* c, double* work) {
        double* sum = work;
        double* log_sum = work + N;
        for (std::size_t n = 0; n < N; ++n) {
          const double* qr = q + (row0 + n) * N;
          double s = 0.0;
#pragma omp simd reduction(+ : s)
          for (std::size_t i = 0; i < N; ++i) s += qr[i] * c[i];
          sum[n] = s;
        }
#pragma omp simd
        for (std::size_t n = 0; n < N; ++n) log_sum[n] = log_vectorisable(sum[n]);
        for (std::size_t n = 0; n < N; ++n) {
          const double scale = log_q_scale[row0 + n];
          if (scale == -INFINITY) {  // nothing absorbed (X0 = 0): never used
            log_phat[row0 + n] = 0.0;
            continue;
          }
          const double lse = sum[n] >= kLevelsFloor
                                 ? scale + a + log_sum[n]
                                 : row_logsumexp_of_logs(N, t, q + (row0 + n) * N, scale, cost);
          log_phat[row0 + n] = -lse / t;
        }
      });
}

void te_trade_shares(const Context& /*ctx*/, std::size_t batch, std::size_t J, std::size_t N,
                     const double* theta, const double* active, const double* q,
                     const double* log_q_scale, const double* log_xhat, const double* log_phat,
                     double* pi) {
  for_each_sector(
      batch, J, N, theta, active, log_xhat,
      [&](std::size_t row0, double t, const double* cost, double a, const double* c, double*) {
        for (std::size_t n = 0; n < N; ++n) {
          const std::size_t row = row0 + n;
          const double* qr = q + row * N;
          double* out = pi + row * N;
          // pi = q c exp(f): exact in levels while f <= kLevelsExponent (every share that matters
          // has q c above the subnormals); beyond, from the logs.
          const double f = log_q_scale[row] + a + t * log_phat[row];
          if (f <= kLevelsExponent) {
            const double scale = std::exp(f);  // 0 for a row of zeros
#pragma omp simd
            for (std::size_t i = 0; i < N; ++i) out[i] = qr[i] * c[i] * scale;
          } else {
            const double shift = log_q_scale[row] + t * log_phat[row];
#pragma omp simd
            for (std::size_t i = 0; i < N; ++i)
              out[i] = exp_vectorisable(std::log(qr[i]) + shift - t * cost[i]);
          }
        }
      });
}

void te_sales(const Context& /*ctx*/, std::size_t batch, std::size_t J, std::size_t N,
              const double* active, const double* pi, const double* X, double* Y) {
  const std::size_t jn = J * N;
#pragma omp parallel for collapse(2) schedule(static) if (batch * jn * N > kParallelWork)
  for (std::size_t b = 0; b < batch; ++b) {
    for (std::size_t j = 0; j < J; ++j) {  // (b, j) writes only row j of problem b's Y
      if (skipped(active, b)) continue;
      double* y = Y + b * jn + j * N;
      std::fill(y, y + N, 0.0);
      const double* x = X + b * jn + j * N;
      const double* rows = pi + (b * jn + j * N) * N;
      // Eight rows per pass over y (one load and store of it per 8 products), each y[i] still
      // summed in order n.
      std::size_t n = 0;
      for (; n + 8 <= N; n += 8) {
        const double* row = rows + n * N;
        const double x0 = x[n], x1 = x[n + 1], x2 = x[n + 2], x3 = x[n + 3], x4 = x[n + 4],
                     x5 = x[n + 5], x6 = x[n + 6], x7 = x[n + 7];
#pragma omp simd
        for (std::size_t i = 0; i < N; ++i) {
          double a = y[i];
          a += row[i] * x0;
          a += row[N + i] * x1;
          a += row[2 * N + i] * x2;
          a += row[3 * N + i] * x3;
          a += row[4 * N + i] * x4;
          a += row[5 * N + i] * x5;
          a += row[6 * N + i] * x6;
          a += row[7 * N + i] * x7;
          y[i] = a;
        }
      }
      for (; n < N; ++n) {
        const double* row = rows + n * N;
        const double xn = x[n];
#pragma omp simd
        for (std::size_t i = 0; i < N; ++i) y[i] += row[i] * xn;
      }
    }
  }
}

void te_expenditure_apply(const Context& ctx, std::size_t batch, std::size_t J, std::size_t N,
                          const double* G, const double* active, const double* pi,
                          const double* scale, const double* v, double* work, double* out) {
  const std::size_t jn = J * N;
  double* x = work;
  double* y = work + batch * jn;
  for (std::size_t k = 0; k < batch * jn; ++k) x[k] = scale[k] * v[k];
  te_sales(ctx, batch, J, N, active, pi, x, y);
#pragma omp parallel for schedule(static) if (batch * jn * J > kParallelWork)
  for (std::size_t b = 0; b < batch; ++b) {
    if (skipped(active, b)) continue;
    double* z = out + b * jn;
    io_product(J, N, G, y + b * jn, z);
    for (std::size_t k = 0; k < jn; ++k) z[k] = v[b * jn + k] - z[k] / scale[b * jn + k];
  }
}

}  // namespace dynhat::kernels::cpu
