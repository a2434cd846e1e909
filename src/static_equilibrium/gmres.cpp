// Restarted GMRES with modified Gram-Schmidt and Givens rotations. Cost per iteration: one
// operator application and k dot products of length n at Krylov step k.
#include "static_equilibrium/gmres.hpp"

#include <cmath>

namespace dynhat {

namespace {

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

}  // namespace

GmresReport gmres(const LinearOperator& A, const std::vector<double>& b, std::vector<double>& x,
                  double tol, int restart, int max_iterations) {
  const std::size_t n = b.size();
  const auto m = static_cast<std::size_t>(restart);
  GmresReport report;
  const double b_norm = std::sqrt(dot(b, b));
  if (b_norm == 0.0) {
    x.assign(n, 0.0);
    report.converged = true;
    return report;
  }
  std::vector<std::vector<double>> basis(m + 1, std::vector<double>(n));
  std::vector<double> h((m + 1) * m), cs(m), sn(m), g(m + 1), w(n);
  while (true) {
    // r = b - A x
    A(x, w);
    for (std::size_t i = 0; i < n; ++i) basis[0][i] = b[i] - w[i];
    double beta = std::sqrt(dot(basis[0], basis[0]));
    report.relative_residual = beta / b_norm;
    if (report.relative_residual <= tol) {
      report.converged = true;
      return report;
    }
    if (report.iterations >= max_iterations) return report;
    for (double& v : basis[0]) v /= beta;
    std::fill(g.begin(), g.end(), 0.0);
    g[0] = beta;
    std::size_t k = 0;
    for (; k < m && report.iterations < max_iterations; ++k) {
      A(basis[k], basis[k + 1]);
      ++report.iterations;
      for (std::size_t j = 0; j <= k; ++j) {  // modified Gram-Schmidt
        const double hjk = dot(basis[k + 1], basis[j]);
        h[j * m + k] = hjk;
        for (std::size_t i = 0; i < n; ++i) basis[k + 1][i] -= hjk * basis[j][i];
      }
      const double next = std::sqrt(dot(basis[k + 1], basis[k + 1]));
      h[(k + 1) * m + k] = next;
      if (next > 0.0) {
        for (double& v : basis[k + 1]) v /= next;
      }
      for (std::size_t j = 0; j < k; ++j) {  // earlier rotations on the new column
        const double a = h[j * m + k], c = h[(j + 1) * m + k];
        h[j * m + k] = cs[j] * a + sn[j] * c;
        h[(j + 1) * m + k] = -sn[j] * a + cs[j] * c;
      }
      const double a = h[k * m + k], c = h[(k + 1) * m + k];
      const double r = std::hypot(a, c);
      cs[k] = r > 0.0 ? a / r : 1.0;
      sn[k] = r > 0.0 ? c / r : 0.0;
      h[k * m + k] = r;
      h[(k + 1) * m + k] = 0.0;
      g[k + 1] = -sn[k] * g[k];
      g[k] = cs[k] * g[k];
      if (std::abs(g[k + 1]) <= tol * b_norm || next == 0.0) {
        ++k;
        break;
      }
    }
    // x += V y with H y = g (upper triangular k x k)
    std::vector<double> y(k);
    for (std::size_t i = k; i-- > 0;) {
      double s = g[i];
      for (std::size_t j = i + 1; j < k; ++j) s -= h[i * m + j] * y[j];
      y[i] = s / h[i * m + i];
    }
    for (std::size_t j = 0; j < k; ++j)
      for (std::size_t i = 0; i < n; ++i) x[i] += y[j] * basis[j][i];
  }
}

}  // namespace dynhat
