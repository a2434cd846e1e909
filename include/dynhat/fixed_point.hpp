// What every iterative solver reports.
#pragma once

#include <functional>
#include <vector>

namespace dynhat {

/// Convergence record of one fixed-point or outer iteration.
struct IterationReport {
  bool converged = false;
  int iterations = 0;
  /// Final residual in the solver's stated norm (see each solver).
  double residual = 0.0;
  /// Residual after every iteration, first iteration first.
  std::vector<double> residual_history;
  double seconds = 0.0;
};

/// Called after every outer iteration with (iteration, residual, seconds since start).
using ProgressCallback = std::function<void(int iteration, double residual, double seconds)>;

}  // namespace dynhat
