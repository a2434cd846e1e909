// The inputs and outputs of a path's temporary equilibria on the CPU (kernels.hpp): labor
// changes from the labor path, and the solutions' factor prices, price indices, real wages and
// market-clearing residuals, so that the batch of a path never brings a [J][N] array to the
// host. O(J N) per problem; the sums run in the order of te::finish and
// te::market_clearing_residual (static_equilibrium/te_terms.cpp).
#include <cmath>

#include "kernels/element.hpp"
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
        const std::size_t k = b * jn + j * N + n, m = n * (J + 1) + 1 + j;
        labor[k] = 1.0;
        labor_factor[k] = 1.0;
        // A market empty at slot 0 stays empty (mu0 rows scale, never create, labor).
        if (n >= R || !(L0[m] > 0.0)) continue;
        const LaborInput in = labor_input(L[b * M + m], L0[m], xi[n]);
        if (!in.resolved) ++unresolved;
        labor[k] = in.labor;
        labor_factor[k] = in.factor;
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
    double total = 0.0;
    for (std::size_t k = 0; k < jn; ++k)
      total += (VAL[o + k] + VAR[o + k]) * labor_factor[o + k] * std::exp(log_omega[o + k]);
    const double s = world_va / total;
    for (std::size_t k = 0; k < jn; ++k) omega[o + k] = s * std::exp(log_omega[o + k]);
    double worst = 0.0;
    for (std::size_t n = 0; n < N; ++n) {
      worst = std::fmax(
          worst, te_region_outputs(J, N, R, n, alpha, gamma, xi[n], VAL + o, VAR + o, labor + o,
                                   labor_factor + o, wage_ref + o, log_omega + o, log_phat + o,
                                   Y + o, s, price_index + b * N, real_wage + b * stride));
    }
    residual_host[b] = worst;
  }
  count_host_transfer(batch * sizeof(double));
}

}  // namespace dynhat::kernels::cpu
