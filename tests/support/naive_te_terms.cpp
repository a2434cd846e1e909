#include "support/naive_te_terms.hpp"

#include <cmath>

namespace dynhat::naive {

using Real = long double;

std::vector<double> unit_costs(std::size_t J, std::size_t N, const std::vector<double>& G,
                               const std::vector<double>& gamma,
                               const std::vector<double>& omega_rel,
                               const std::vector<double>& phat) {
  std::vector<double> xhat(J * N);
  for (std::size_t j = 0; j < J; ++j) {
    for (std::size_t n = 0; n < N; ++n) {
      Real x = std::pow(static_cast<Real>(omega_rel[j * N + n]), gamma[j * N + n]);
      for (std::size_t s = 0; s < J; ++s)
        x *= std::pow(static_cast<Real>(phat[s * N + n]), G[(n * J + s) * J + j]);
      xhat[j * N + n] = static_cast<double>(x);
    }
  }
  return xhat;
}

std::vector<double> price_indices(std::size_t J, std::size_t N, const std::vector<double>& theta,
                                  const std::vector<double>& q, const std::vector<double>& xhat) {
  std::vector<double> phat(J * N);
  for (std::size_t j = 0; j < J; ++j) {
    for (std::size_t n = 0; n < N; ++n) {
      Real sum = 0.0L;
      for (std::size_t i = 0; i < N; ++i)
        sum += q[(j * N + n) * N + i] * std::pow(static_cast<Real>(xhat[j * N + i]), -theta[j]);
      phat[j * N + n] = sum > 0.0L ? static_cast<double>(std::pow(sum, -1.0L / theta[j])) : 1.0;
    }
  }
  return phat;
}

std::vector<double> trade_shares(std::size_t J, std::size_t N, const std::vector<double>& theta,
                                 const std::vector<double>& q, const std::vector<double>& xhat,
                                 const std::vector<double>& phat) {
  std::vector<double> pi(J * N * N);
  for (std::size_t j = 0; j < J; ++j) {
    for (std::size_t n = 0; n < N; ++n) {
      for (std::size_t i = 0; i < N; ++i) {
        const Real relative = static_cast<Real>(xhat[j * N + i]) / phat[j * N + n];
        pi[(j * N + n) * N + i] =
            static_cast<double>(q[(j * N + n) * N + i] * std::pow(relative, -theta[j]));
      }
    }
  }
  return pi;
}

std::vector<double> sales(std::size_t J, std::size_t N, const std::vector<double>& pi,
                          const std::vector<double>& X) {
  std::vector<double> Y(J * N);
  for (std::size_t j = 0; j < J; ++j) {
    for (std::size_t i = 0; i < N; ++i) {
      Real y = 0.0L;
      for (std::size_t n = 0; n < N; ++n)
        y += static_cast<Real>(pi[(j * N + n) * N + i]) * X[j * N + n];
      Y[j * N + i] = static_cast<double>(y);
    }
  }
  return Y;
}

std::vector<double> input_purchases(std::size_t J, std::size_t N, const std::vector<double>& G,
                                    const std::vector<double>& pi, const std::vector<double>& X) {
  std::vector<double> Z(J * N);
  for (std::size_t s = 0; s < J; ++s) {
    for (std::size_t i = 0; i < N; ++i) {
      Real z = 0.0L;
      for (std::size_t n = 0; n < N; ++n)
        for (std::size_t k = 0; k < J; ++k)
          z += static_cast<Real>(G[(i * J + s) * J + k]) * pi[(k * N + n) * N + i] * X[k * N + n];
      Z[s * N + i] = static_cast<double>(z);
    }
  }
  return Z;
}

std::vector<double> expenditure_apply(std::size_t J, std::size_t N, const std::vector<double>& G,
                                      const std::vector<double>& pi,
                                      const std::vector<double>& scale,
                                      const std::vector<double>& v) {
  std::vector<double> X(J * N);
  for (std::size_t k = 0; k < J * N; ++k) X[k] = scale[k] * v[k];
  const std::vector<double> Z = input_purchases(J, N, G, pi, X);
  std::vector<double> out(J * N);
  for (std::size_t k = 0; k < J * N; ++k) out[k] = v[k] - Z[k] / scale[k];
  return out;
}

}  // namespace dynhat::naive
