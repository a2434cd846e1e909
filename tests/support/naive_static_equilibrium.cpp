#include "support/naive_static_equilibrium.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "support/naive_te_terms.hpp"

namespace dynhat::naive {

namespace {

std::vector<double> ones_if_empty(const std::vector<double>& x, std::size_t size) {
  return x.empty() ? std::vector<double>(size, 1.0) : x;
}

/// A x = b by Gaussian elimination with partial pivoting; A: [n][n] row-major.
std::vector<double> gaussian_solve(std::vector<double> A, std::vector<double> b) {
  const std::size_t n = b.size();
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t pivot = c;
    for (std::size_t r = c + 1; r < n; ++r)
      if (std::abs(A[r * n + c]) > std::abs(A[pivot * n + c])) pivot = r;
    for (std::size_t k = 0; k < n; ++k) std::swap(A[c * n + k], A[pivot * n + k]);
    std::swap(b[c], b[pivot]);
    for (std::size_t r = c + 1; r < n; ++r) {
      const double f = A[r * n + c] / A[c * n + c];
      for (std::size_t k = c; k < n; ++k) A[r * n + k] -= f * A[c * n + k];
      b[r] -= f * b[c];
    }
  }
  std::vector<double> x(n);
  for (std::size_t r = n; r-- > 0;) {
    double s = b[r];
    for (std::size_t k = r + 1; k < n; ++k) s -= A[r * n + k] * x[k];
    x[r] = s / A[r * n + r];
  }
  return x;
}

}  // namespace

StaticSolution static_equilibrium(const Economy& e, const ReferenceState& ref,
                                  const StaticShock& shock,
                                  const StaticEquilibriumOptions& options) {
  const std::size_t J = e.sectors, N = e.regions, R = e.mobile_regions, JN = J * N;
  const std::vector<double> labor = ones_if_empty(shock.labor, JN);
  const std::vector<double> tfp = ones_if_empty(shock.productivity, JN);
  const std::vector<double> kappa = ones_if_empty(shock.trade_costs, JN * N);
  const std::vector<double> rho = ones_if_empty(shock.share_shifter, JN * N);
  const std::vector<double> omega0 = ones_if_empty(shock.omega_ref, JN);
  const std::vector<double> wage0 = ones_if_empty(shock.wage_ref, JN);
  // Step 1 with Ahat folded in: q = pi rho kappahat^-theta Ahat^(theta gamma), NaN -> 0.
  std::vector<double> q(JN * N);
  for (std::size_t j = 0; j < J; ++j) {
    for (std::size_t n = 0; n < N; ++n) {
      for (std::size_t i = 0; i < N; ++i) {
        const std::size_t k = (j * N + n) * N + i;
        const double x = ref.trade_shares[k] * rho[k] * std::pow(kappa[k], -e.theta[j]) *
                         std::pow(tfp[j * N + i], e.theta[j] * e.gamma[j * N + i]);
        q[k] = std::isnan(x) ? 0.0 : x;
      }
    }
  }
  // L^(1-xi): value added scales by omega times this (E17).
  std::vector<double> labor_va(JN);
  for (std::size_t j = 0; j < J; ++j)
    for (std::size_t n = 0; n < N; ++n)
      labor_va[j * N + n] = std::pow(labor[j * N + n], 1.0 - e.xi[n]);

  StaticSolution out;
  std::vector<double> omega = shock.omega_init.empty() ? omega0 : shock.omega_init;
  std::vector<double> omega_rel(JN), phat(JN, 1.0), xhat, pi, X;
  for (int pass = 1; pass <= options.max_iterations; ++pass) {
    for (std::size_t k = 0; k < JN; ++k) omega_rel[k] = omega[k] / omega0[k];
    // (a) Jacobi sweeps of E14-E15 from the last prices.
    for (int it = 0; it < options.max_price_iterations; ++it) {
      const std::vector<double> next =
          price_indices(J, N, e.theta, q, unit_costs(J, N, e.G, e.gamma, omega_rel, phat));
      double change = 0.0;
      for (std::size_t k = 0; k < JN; ++k) change = std::max(change, std::abs(next[k] - phat[k]));
      phat = next;
      if (change <= options.price_tol) break;
    }
    xhat = unit_costs(J, N, e.G, e.gamma, omega_rel, phat);
    pi = trade_shares(J, N, e.theta, q, xhat, phat);  // (b) E16
    // (c) income I^n = VAL'^n + iota_n chi', chi' = sum VAR' (E17-E18), then
    // X^{is} - sum_{n,k} G[i][s][k] pi'[k][n][i] X^{nk} = alpha_s I^i as a dense system whose
    // column (n, k) is Z of a unit expenditure X^{nk} = 1.
    std::vector<double> income(N, 0.0);
    double chi = 0.0;
    for (std::size_t j = 0; j < J; ++j) {
      for (std::size_t n = 0; n < N; ++n) {
        income[n] += ref.VAL[j * N + n] * omega[j * N + n] * labor_va[j * N + n];
        chi += ref.VAR[j * N + n] * omega[j * N + n] * labor_va[j * N + n];
      }
    }
    std::vector<double> A(JN * JN, 0.0), b(JN);
    for (std::size_t c = 0; c < JN; ++c) {
      std::vector<double> unit(JN, 0.0);
      unit[c] = 1.0;
      const std::vector<double> Z = input_purchases(J, N, e.G, pi, unit);
      for (std::size_t r = 0; r < JN; ++r) A[r * JN + c] = (r == c ? 1.0 : 0.0) - Z[r];
    }
    for (std::size_t s = 0; s < J; ++s)
      for (std::size_t i = 0; i < N; ++i) b[s * N + i] = e.alpha[s] * (income[i] + e.iota[i] * chi);
    X = gaussian_solve(A, b);
    // (d) implied factor prices from sales (E19).
    const std::vector<double> Y = sales(J, N, pi, X);
    std::vector<double> implied(JN);
    for (std::size_t n = 0; n < N; ++n) {
      double supplied = 0.0, paid = 0.0;
      for (std::size_t j = 0; j < J; ++j) {
        const std::size_t k = j * N + n;
        const double va = ref.VAL[k] + ref.VAR[k];
        implied[k] = e.gamma[k] * Y[k] / (labor_va[k] * va);
        supplied += e.gamma[k] * Y[k];
        paid += va;
      }
      if (n >= R)
        for (std::size_t j = 0; j < J; ++j) implied[j * N + n] = supplied / paid;
    }
    // (e) damped step, (f) squared step over mobile markets and one entry per country.
    double step = 0.0;
    for (std::size_t j = 0; j < J; ++j) {
      for (std::size_t n = 0; n < N; ++n) {
        const double delta = options.damping * (implied[j * N + n] - omega[j * N + n]);
        if (n < R || j == 0) step += delta * delta;
        omega[j * N + n] += delta;
      }
    }
    out.report.iterations = pass;
    out.report.residual = step;
    out.report.residual_history.push_back(step);
    if (step <= options.tol) {
      out.report.converged = true;
      break;
    }
  }
  // Step 3: outputs from the final omega and the last pass's prices, shares and expenditure.
  out.omega = omega;
  out.sector_prices = phat;
  out.trade_shares = pi;
  out.expenditure = X;
  out.price_index.assign(N, 1.0);
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t j = 0; j < J; ++j) out.price_index[n] *= std::pow(phat[j * N + n], e.alpha[j]);
  out.wage.resize(JN);
  out.VAL.resize(JN);
  out.VAR.resize(JN);
  out.real_wage.resize(JN);
  for (std::size_t j = 0; j < J; ++j) {
    for (std::size_t n = 0; n < N; ++n) {
      const std::size_t k = j * N + n;
      out.wage[k] = n < R ? omega[k] * std::pow(labor[k], -e.xi[n]) : omega[k];
      out.VAL[k] = ref.VAL[k] * omega[k] * labor_va[k];
      out.VAR[k] = ref.VAR[k] * omega[k] * labor_va[k];
      out.real_wage[k] = out.wage[k] / wage0[k] / out.price_index[n];
    }
  }
  return out;
}

}  // namespace dynhat::naive
