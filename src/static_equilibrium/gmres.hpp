// Restarted GMRES (Saad & Schultz 1986) for a matrix-free linear operator on host vectors.
#pragma once

#include <functional>
#include <vector>

namespace dynhat {

/// y = A x for vectors of the operator's size.
using LinearOperator = std::function<void(const std::vector<double>& x, std::vector<double>& y)>;

struct GmresReport {
  bool converged = false;
  int iterations = 0;              ///< operator applications
  double relative_residual = 0.0;  ///< |b - A x| / |b| at the end
};

/// Solves A x = b from the initial guess in x, restarting every `restart` iterations, until
/// |b - A x|_2 <= tol |b|_2 or `max_iterations` operator applications.
GmresReport gmres(const LinearOperator& A, const std::vector<double>& b, std::vector<double>& x,
                  double tol, int restart, int max_iterations);

}  // namespace dynhat
