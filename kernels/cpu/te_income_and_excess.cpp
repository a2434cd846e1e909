// The per-problem helper steps of the fast solver's factor-price pass on the CPU (kernels.hpp):
// the expenditure system's right-hand side and scaling from income (E17-E18), and the excess
// demand from sales (E19). O(J N) per problem, one thread per problem; the sums run in the
// order of te::income and te::implied_omega (static_equilibrium/te_terms.cpp), so the results
// are bitwise theirs.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/kernels.hpp"

namespace dynhat::kernels::cpu {

namespace {
bool skipped(const double* active, std::size_t b) {
  return active != nullptr && active[b] == 0.0;
}
}  // namespace

void te_expenditure_system(const Context& /*ctx*/, std::size_t batch, std::size_t J, std::size_t N,
                           const double* active, const double* alpha, const double* iota,
                           const double* VAL, const double* VAR, const double* labor_factor,
                           const double* log_omega, const double* X, double* scale, double* y,
                           double* rhs) {
  const std::size_t jn = J * N;
  std::vector<double> income(N);
  for (std::size_t b = 0; b < batch; ++b) {
    if (skipped(active, b)) continue;
    const std::size_t o = b * jn;
    std::fill(income.begin(), income.end(), 0.0);
    double chi = 0.0, mean = 0.0;
    for (std::size_t k = 0; k < jn; ++k) {
      const double va_scale = std::exp(log_omega[o + k]) * labor_factor[o + k];
      income[k % N] += VAL[o + k] * va_scale;
      chi += VAR[o + k] * va_scale;
      mean += std::abs(X[o + k]) / static_cast<double>(jn);
    }
    for (std::size_t n = 0; n < N; ++n) income[n] += iota[n] * chi;
    for (std::size_t k = 0; k < jn; ++k) {
      const std::size_t i = o + k;
      scale[i] = mean > 0.0 ? std::max(std::abs(X[i]), 1e-12 * mean) : 1.0;
      y[i] = X[i] / scale[i];
      rhs[i] = alpha[k / N] * income[k % N] / scale[i];
    }
  }
}

void te_factor_price_excess(const Context& /*ctx*/, std::size_t batch, std::size_t J, std::size_t N,
                            std::size_t R, const double* active, const double* gamma,
                            const double* VAL, const double* VAR, const double* labor_factor,
                            const double* Y, const double* log_omega, double* excess) {
  const std::size_t jn = J * N;
  for (std::size_t b = 0; b < batch; ++b) {
    if (skipped(active, b)) continue;
    const std::size_t o = b * jn;
    for (std::size_t n = 0; n < N; ++n) {
      if (n < R) {
        for (std::size_t j = 0; j < J; ++j) {
          const std::size_t k = j * N + n, i = o + k;
          const double va = (VAL[i] + VAR[i]) * labor_factor[i];
          excess[i] = std::log(va > 0.0 ? gamma[k] * Y[i] / va : 1.0) - log_omega[i];
        }
        continue;
      }
      double supplied = 0.0, paid = 0.0;
      for (std::size_t j = 0; j < J; ++j) {
        supplied += gamma[j * N + n] * Y[o + j * N + n];
        paid += VAL[o + j * N + n] + VAR[o + j * N + n];
      }
      const double log_implied = std::log(supplied / paid);
      for (std::size_t j = 0; j < J; ++j)
        excess[o + j * N + n] = log_implied - log_omega[o + j * N + n];
    }
  }
}

}  // namespace dynhat::kernels::cpu
