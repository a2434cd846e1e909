// Newton-Krylov on the value path with fixed real wages: the fallback of solve_value_path_from
// where the preconditioned Anderson iteration diverges (household/migration_path.hpp).
#include <algorithm>
#include <cmath>

#include "household/migration_path.hpp"
#include "kernels/kernels.hpp"
#include "runtime/stopwatch.hpp"
#include "solvers/gmres.hpp"

namespace dynhat {

namespace {

constexpr int kNewtonSteps = 50;
constexpr int kKrylovRestart = 30;
constexpr int kKrylovIterations = 120;
constexpr double kKrylovTolerance = 1e-3;  // relative: inexact Newton, the residual is exact
/// Newton hands back to Anderson when its residual is this fraction of the one it started from.
constexpr double kHandOff = 1e-3;
constexpr int kRounds = 6;
constexpr int kHalvings = 10;
constexpr double kDifferenceStep = 1e-7;  // ~sqrt(eps) relative to log Y, whose entries are O(1)

class ValuePathNewton {
 public:
  ValuePathNewton(const Context& ctx, MigrationPath& path, const DeviceArray& real_wage,
                  double inv_nu)
      : ctx_(ctx),
        path_(path),
        wage_(real_wage),
        inv_nu_(inv_nu),
        n_(real_wage.size()),
        g_(ctx, n_),
        f_(ctx, n_),
        trial_(ctx, n_),
        trial_g_(ctx, n_),
        step_(ctx, n_),
        trial_f_(ctx, n_),
        w_(ctx, n_),
        u_(ctx, n_),
        zeros_(ctx, n_),
        gmres_(ctx, 1, n_, kKrylovRestart) {
    zeros_.fill(0.0);
  }

  /// Newton steps from x until max |G(x) - x| <= tol (converged: x = G(x) then) or a step fails.
  IterationReport solve(DeviceArray& x, double tol) {
    IterationReport report;
    double residual = evaluate(x, g_, f_);
    for (int it = 1; it <= kNewtonSteps; ++it) {
      report.iterations = it;
      report.residual = residual;
      report.residual_history.push_back(residual);
      if (!std::isfinite(residual)) break;
      if (residual <= tol) {
        report.converged = true;
        x.copy_from(g_);
        break;
      }
      if (!newton_step(x, residual)) break;
    }
    path_.factorise(x);
    return report;
  }

 private:
  /// out_g = G(x), out_f = G(x) - x; returns max |G(x) - x|. Leaves the path factorised at x.
  double evaluate(const DeviceArray& x, DeviceArray& out_g, DeviceArray& out_f) {
    path_.factorise(x);
    path_.value_update(wage_, inv_nu_, out_g);
    out_f.copy_from(out_g);
    kernels::axpby(ctx_, n_, -1.0, x.data(), 1.0, out_f.data());
    return kernels::diff_range(ctx_, n_, out_f.data(), zeros_.data()).max_abs();
  }

  /// w = (I - beta S)^{-1} u at the factorisation of x.
  void precondition(const DeviceArray& x, const double* u, DeviceArray& w) {
    path_.factorise(x);
    kernels::copy(ctx_, w.data(), u, n_ * sizeof(double), kernels::CopyKind::device_to_device);
    path_.precondition(w);
  }

  /// x <- x + lambda d, d ~ (I - J)^{-1} f, lambda the first of 1, 1/2, ... that lowers the
  /// residual; false when none does.
  bool newton_step(DeviceArray& x, double& residual) {
    path_.factorise(x);
    path_.refresh_preconditioner();
    // (I - J) P u: P u = w_, then w_ - (G(x + h w_) - G(x)) / h.
    const SegmentedOperator A = [&](const double* u, double* out, const double*) {
      precondition(x, u, w_);
      const double size = kernels::diff_range(ctx_, n_, w_.data(), zeros_.data()).max_abs();
      const double h = kDifferenceStep / std::max(size, 1e-300);
      trial_.copy_from(x);
      kernels::axpby(ctx_, n_, h, w_.data(), 1.0, trial_.data());
      path_.factorise(trial_);
      path_.value_update(wage_, inv_nu_, trial_g_);
      kernels::axpby(ctx_, n_, -1.0 / h, g_.data(), 1.0 / h, trial_g_.data());  // J w
      kernels::copy(ctx_, out, w_.data(), n_ * sizeof(double), kernels::CopyKind::device_to_device);
      kernels::axpby(ctx_, n_, -1.0, trial_g_.data(), 1.0, out);
    };
    u_.fill(0.0);
    gmres_.solve(A, f_, u_, {1}, {kKrylovTolerance}, kKrylovIterations);
    precondition(x, u_.data(), step_);
    double lambda = 1.0;
    for (int k = 0; k <= kHalvings; ++k, lambda *= 0.5) {
      trial_.copy_from(x);
      kernels::axpby(ctx_, n_, lambda, step_.data(), 1.0, trial_.data());
      const double r = evaluate(trial_, trial_g_, trial_f_);
      if (r < residual) {
        x.copy_from(trial_);
        g_.copy_from(trial_g_);
        f_.copy_from(trial_f_);
        residual = r;
        return true;
      }
    }
    return false;
  }

  const Context& ctx_;
  MigrationPath& path_;
  const DeviceArray& wage_;
  const double inv_nu_;
  const std::size_t n_;
  DeviceArray g_, f_, trial_, trial_g_, step_, trial_f_, w_, u_, zeros_;
  SegmentedGmres gmres_;
};

void append(IterationReport& total, const IterationReport& part) {
  total.iterations += part.iterations;
  total.residual = part.residual;
  total.residual_history.insert(total.residual_history.end(), part.residual_history.begin(),
                                part.residual_history.end());
}

}  // namespace

IterationReport solve_value_path_from(const Context& ctx, MigrationPath& path,
                                      const DeviceArray& real_wage, double inv_nu,
                                      DeviceArray& log_y, const HatOptions& options) {
  const Stopwatch stopwatch;
  DeviceArray start(ctx, log_y.size());
  start.copy_from(log_y);
  IterationReport report = solve_value_path(ctx, path, real_wage, inv_nu, log_y, options);
  if (report.converged || options.method != OuterMethod::anderson) return report;
  // Newton from the start until the residual has fallen kHandOff-fold, then Anderson again
  // (cheaper per step, and convergent near the solution), and so on.
  log_y.copy_from(start);
  ValuePathNewton newton(ctx, path, real_wage, inv_nu);
  double target = report.residual_history.front();
  for (int round = 0; round < kRounds && !report.converged; ++round) {
    target = std::max(options.tol, kHandOff * target);
    const IterationReport steps = newton.solve(log_y, target);
    append(report, steps);
    if (!steps.converged || target == options.tol) {
      report.converged = steps.converged;
      break;
    }
    start.copy_from(log_y);
    const IterationReport near = solve_value_path(ctx, path, real_wage, inv_nu, start, options);
    append(report, near);
    if (near.converged) {
      log_y.copy_from(start);
      report.converged = true;
    }
  }
  path.factorise(log_y);
  report.seconds = stopwatch.seconds();
  return report;
}

}  // namespace dynhat
