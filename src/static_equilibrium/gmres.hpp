// Restarted GMRES (Saad & Schultz 1986) for a batch of independent linear systems ("segments",
// stacked [segments][n]) with a matrix-free operator, on the context's backend.
#pragma once

#include <functional>
#include <vector>

#include "device_array.hpp"

namespace dynhat {

/// out = A v for the segments with active[b] != 0; v, out: [segments][n] and active: [segments],
/// all on the backend. The other segments of out may be left as they are.
using SegmentedOperator = std::function<void(const double* v, double* out, const double* active)>;

struct GmresReport {
  bool converged = false;
  int iterations = 0;              ///< operator applications
  double relative_residual = 0.0;  ///< |b - A x| / |b| at the end
};

/// Solves A x = b for the segments with solve[b] != 0, each from its initial guess in x,
/// restarting every `restart` iterations, until |b - A x|_2 <= tol[s] |b|_2 or `max_iterations`
/// operator applications. Segments are independent: each gets what it would get alone. The
/// other segments of x are left as they are.
std::vector<GmresReport> gmres(const Context& ctx, std::size_t segments, std::size_t n,
                               const SegmentedOperator& A, const DeviceArray& b, DeviceArray& x,
                               const std::vector<unsigned char>& solve,
                               const std::vector<double>& tol, int restart, int max_iterations);

}  // namespace dynhat
