// Restarted GMRES (Saad & Schultz 1986) for a batch of independent linear systems ("segments",
// stacked [segments][n]) with a matrix-free operator, on the context's backend.
#pragma once

#include <functional>
#include <vector>

#include "runtime/device_array.hpp"

namespace dynhat {

/// out = A v for the segments with active[b] != 0; v, out: [segments][n] and active: [segments],
/// all on the backend. The other segments of out may be left as they are.
using SegmentedOperator = std::function<void(const double* v, double* out, const double* active)>;

struct GmresReport {
  bool converged = false;
  int iterations = 0;              ///< operator applications
  double relative_residual = 0.0;  ///< |b - A x| / |b| at the end
};

/// Restarted GMRES for `segments` systems of n unknowns, with its Krylov basis and work vectors
/// allocated once, so repeated solves (one per outer iteration) allocate nothing on the backend.
class SegmentedGmres {
 public:
  /// Restarting every `restart` iterations; ctx must outlive the solver.
  SegmentedGmres(const Context& ctx, std::size_t segments, std::size_t n, int restart);

  /// Solves A x = b for the segments with solve[s] != 0, each from its initial guess in x, until
  /// |b - A x|_2 <= tol[s] |b|_2 or `max_iterations` operator applications. Segments are
  /// independent: each gets what it would get alone. The other segments of x are left as they
  /// are.
  std::vector<GmresReport> solve(const SegmentedOperator& A, const DeviceArray& b, DeviceArray& x,
                                 const std::vector<unsigned char>& solve,
                                 const std::vector<double>& tol, int max_iterations);

 private:
  /// Starts a restart cycle: v_0 = r / beta with r = b - A x, beta = |r|, for the running
  /// segments, their residuals in `reports`. Stops the segments that converged, ran out of
  /// iterations or broke down; g ([restart + 1][segments]) = beta e_1 for the others. Returns
  /// the segments that cycle.
  std::vector<unsigned char> start_cycle(const SegmentedOperator& A, const DeviceArray& b,
                                         const DeviceArray& x, const std::vector<double>& b_norm,
                                         const std::vector<double>& tol, int max_iterations,
                                         std::vector<unsigned char>& running,
                                         std::vector<GmresReport>& reports, std::vector<double>& g);

  const Context& ctx_;
  std::size_t segments_, n_, restart_;
  DeviceArray zeros_;  // [segments][n]
  DeviceArray w_;      // [segments][n] A x
  DeviceArray mask_;   // [segments] the segments the operator applies to
  DeviceArray basis_;  // [restart + 1][segments][n] Krylov basis
};

}  // namespace dynhat
