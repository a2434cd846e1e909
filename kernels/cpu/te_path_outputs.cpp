// The inputs and outputs of a path's temporary equilibria on the CPU (kernels.hpp): labor
// changes from the labor path, and the solutions' factor prices, price indices, real wages and
// market-clearing residuals, so that the batch of a path never brings a [J][N] array to the
// host. O(J N) per problem; the sums run in the order of te::finish and
// te::market_clearing_residual (static_equilibrium/te_terms.cpp).
#include <algorithm>
#include <cmath>

#include "kernels/kernels.hpp"

namespace dynhat::kernels::cpu {

std::size_t te_labor_inputs(const Context& /*ctx*/, std::size_t batch, std::size_t J, std::size_t N,
                            std::size_t R, const double* L, const double* L0, const double* xi,
                            double* labor, double* labor_factor) {
  const std::size_t jn = J * N, M = R * (J + 1);
  std::size_t unresolved = 0;
  for (std::size_t b = 0; b < batch; ++b) {
    for (std::size_t j = 0; j < J; ++j) {
      for (std::size_t n = 0; n < N; ++n) {
        const std::size_t k = b * jn + j * N + n;
        labor[k] = 1.0;
        labor_factor[k] = 1.0;
        if (n >= R) continue;
        const std::size_t m = n * (J + 1) + 1 + j;
        if (!(L0[m] > 0.0)) continue;  // empty at slot 0: mu0 rows scale, never create, labor
        const double l = L[b * M + m];
        if (!(l > 0.0 && std::isfinite(l))) ++unresolved;
        labor[k] = l / L0[m];
        labor_factor[k] = std::pow(labor[k], 1.0 - xi[n]);
      }
    }
  }
  count_host_transfer(sizeof(std::size_t));
  return unresolved;
}

void te_path_outputs(const Context& /*ctx*/, std::size_t batch, std::size_t J, std::size_t N,
                     std::size_t R, const double* alpha, const double* gamma, const double* xi,
                     const double* VAL, const double* VAR, const double* labor,
                     const double* labor_factor, const double* wage_ref, const double* log_omega,
                     const double* log_phat, const double* Y, double world_va, double* omega,
                     double* price_index, double* real_wage, std::size_t stride,
                     double* residual_host) {
  const std::size_t jn = J * N;
  for (std::size_t b = 0; b < batch; ++b) {
    const std::size_t o = b * jn;
    const auto va = [&](std::size_t k) {
      return (VAL[o + k] + VAR[o + k]) * labor_factor[o + k] * std::exp(log_omega[o + k]);
    };
    double total = 0.0;
    for (std::size_t k = 0; k < jn; ++k) total += va(k);
    const double s = world_va / total, log_s = std::log(s);
    for (std::size_t k = 0; k < jn; ++k) omega[o + k] = s * std::exp(log_omega[o + k]);
    double worst = 0.0;
    for (std::size_t n = 0; n < N; ++n) {
      double log_p = 0.0, supplied = 0.0, paid = 0.0;
      for (std::size_t j = 0; j < J; ++j) {
        const std::size_t k = j * N + n;
        log_p += alpha[j] * (log_s + log_phat[o + k]);
        const double v = va(k);
        if (n < R && v > 0.0) worst = std::max(worst, std::abs(gamma[k] * Y[o + k] - v) / v);
        supplied += gamma[k] * Y[o + k];
        paid += v;
      }
      if (n >= R && paid > 0.0) worst = std::max(worst, std::abs(supplied - paid) / paid);
      const double p = std::exp(log_p);
      price_index[b * N + n] = p;
      if (n >= R) continue;
      for (std::size_t j = 0; j < J; ++j) {
        const std::size_t k = o + j * N + n;
        const double wage = omega[k] * std::pow(labor[k], -xi[n]);
        real_wage[b * stride + n * (J + 1) + 1 + j] = wage / wage_ref[k] / p;
      }
    }
    residual_host[b] = worst;
  }
  count_host_transfer(batch * sizeof(double));
}

}  // namespace dynhat::kernels::cpu
