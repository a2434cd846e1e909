// Batched temporary-equilibrium terms on the CPU (MODEL.md 5.1): OpenMP over (problem, output
// row), each output written by one thread in a fixed order, so results depend neither on the
// thread count nor on the other problems of the batch. Costs per problem: unit costs N J^2,
// price indices and trade shares J N^2 exponentials, sales J N^2, the IO product N J^2 flops.
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

}  // namespace

std::size_t te_group_size(const Context& /*ctx*/, std::size_t /*batch*/) {
  return 1;
}

std::size_t te_concurrent_groups(const Context& /*ctx*/) {
  return static_cast<std::size_t>(std::max(omp_get_max_threads(), 1));
}

void te_log_unit_costs(const Context& /*ctx*/, std::size_t batch, std::size_t J, std::size_t N,
                       const double* G, const double* gamma, const double* active,
                       const double* log_omega_rel, const double* log_phat, double* log_xhat) {
  const std::size_t jn = J * N;
#pragma omp parallel for collapse(2) schedule(static) if (batch * jn * J > kParallelWork)
  for (std::size_t b = 0; b < batch; ++b) {
    for (std::size_t n = 0; n < N; ++n) {
      if (skipped(active, b)) continue;
      const double* g = G + n * J * J;  // g[s * J + k]
      const double* rel = log_omega_rel + b * jn;
      const double* phat = log_phat + b * jn;
      for (std::size_t k = 0; k < J; ++k) {
        double acc = gamma[k * N + n] * rel[k * N + n];
        for (std::size_t s = 0; s < J; ++s) acc += g[s * J + k] * phat[s * N + n];
        log_xhat[b * jn + k * N + n] = acc;
      }
    }
  }
}

void te_log_price_indices(const Context& /*ctx*/, std::size_t batch, std::size_t J, std::size_t N,
                          const double* theta, const double* active, const double* log_q,
                          const double* log_xhat, double* log_phat) {
  const std::size_t jn = J * N;
#pragma omp parallel if (batch * jn * N > kParallelWork)
  {
    std::vector<double> z(N);
#pragma omp for collapse(2) schedule(static)
    for (std::size_t b = 0; b < batch; ++b) {
      for (std::size_t row = 0; row < jn; ++row) {
        if (skipped(active, b)) continue;
        const std::size_t j = row / N;
        const double t = theta[j];
        const double* cost = log_xhat + b * jn + j * N;
        const double* q = log_q + (b * jn + row) * N;
        double top = -INFINITY;
#pragma omp simd reduction(max : top)
        for (std::size_t i = 0; i < N; ++i) {
          z[i] = q[i] - t * cost[i];  // -inf for a permanent zero share
          top = z[i] > top ? z[i] : top;
        }
        if (top == -INFINITY) {  // nothing absorbed (X0 = 0): the price is never used
          log_phat[b * jn + row] = 0.0;
          continue;
        }
        double sum = 0.0;
#pragma omp simd reduction(+ : sum)
        for (std::size_t i = 0; i < N; ++i) sum += exp_vectorisable(z[i] - top);
        log_phat[b * jn + row] = -(top + std::log(sum)) / t;
      }
    }
  }
}

void te_trade_shares(const Context& /*ctx*/, std::size_t batch, std::size_t J, std::size_t N,
                     const double* theta, const double* active, const double* log_q,
                     const double* log_xhat, const double* log_phat, double* pi) {
  const std::size_t jn = J * N;
#pragma omp parallel for collapse(2) schedule(static) if (batch * jn * N > kParallelWork)
  for (std::size_t b = 0; b < batch; ++b) {
    for (std::size_t row = 0; row < jn; ++row) {
      if (skipped(active, b)) continue;
      const std::size_t j = row / N;
      const double t = theta[j];
      const double* cost = log_xhat + b * jn + j * N;
      const double price = log_phat[b * jn + row];
      const double* q = log_q + (b * jn + row) * N;
      double* out = pi + (b * jn + row) * N;
#pragma omp simd
      for (std::size_t i = 0; i < N; ++i) out[i] = exp_vectorisable(q[i] - t * (cost[i] - price));
    }
  }
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
      for (std::size_t n = 0; n < N; ++n) {
        const double x = X[b * jn + j * N + n];
        const double* row = pi + (b * jn + j * N + n) * N;
#pragma omp simd
        for (std::size_t i = 0; i < N; ++i) y[i] += row[i] * x;
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
