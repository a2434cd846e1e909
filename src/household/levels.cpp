// Levels household problem (E1-E3): stationary V by fixed-point iteration, the backward V path,
// the shares and the forward labor path. Logits z[m][m'] = (beta V_m' - tau_m,m')/nu, i.e. the
// kernels' affine form with a_scale = -1/nu on tau and v_scale = beta/nu on V.
#include <algorithm>
#include <cmath>

#include "dynhat/household.hpp"
#include "dynhat/validate.hpp"
#include "kernels/kernels.hpp"
#include "runtime/device_array.hpp"
#include "runtime/stopwatch.hpp"

namespace dynhat {

namespace {

/// out = U + nu * lse_rows((beta V - tau)/nu) (E1); lse kept in `lse`, shares optional.
void bellman(const Context& ctx, std::size_t m, const DeviceArray& tau, const double* utility,
             const double* value_next, double beta, double nu, double* lse, double* out,
             double* shares) {
  kernels::row_logsumexp(ctx, m, m, tau.data(), -1.0 / nu, value_next, beta / nu, lse, shares);
  kernels::copy(ctx, out, utility, m * sizeof(double), kernels::CopyKind::device_to_device);
  kernels::axpby(ctx, m, nu, lse, 1.0, out);
}

std::vector<double> stationary_on_device(const Context& ctx, const DeviceArray& tau,
                                         const DeviceArray& utility, double beta, double nu,
                                         const LevelsOptions& options, IterationReport& report) {
  const Stopwatch stopwatch;
  const std::size_t m = utility.size();
  DeviceArray value(ctx, m);
  DeviceArray next(ctx, m);
  DeviceArray lse(ctx, m);
  DeviceArray zeros(ctx, m);
  zeros.fill(0.0);
  value.copy_from(utility);
  // McQueen-Porteus: T(V + k) = T(V) + beta k and T is monotone, so
  // V* in [TV + beta/(1-beta) min(TV - V), TV + beta/(1-beta) max(TV - V)].
  const double bound_factor = beta / (1.0 - beta);
  report = {};
  for (int it = 1; it <= options.max_iterations; ++it) {
    bellman(ctx, m, tau, utility.data(), value.data(), beta, nu, lse.data(), next.data(), nullptr);
    const kernels::DiffRange step = kernels::diff_range(ctx, m, next.data(), value.data());
    // Relative to |V|_inf: V ~ (U + nu log M)/(1 - beta) is large, and rounding of V alone
    // leaves an absolute bound of ~ eps |V| beta/(1 - beta).
    const double scale =
        std::max(1.0, kernels::diff_range(ctx, m, next.data(), zeros.data()).max_abs());
    const double residual = 0.5 * bound_factor * (step.max - step.min) / scale;
    report.iterations = it;
    report.residual = residual;
    report.residual_history.push_back(residual);
    std::swap(value, next);
    if (!std::isfinite(residual)) break;
    if (residual <= options.tol) {
      report.converged = true;
      std::vector<double> v = value.to_host();
      const double midpoint = 0.5 * bound_factor * (step.max + step.min);
      for (double& x : v) x += midpoint;
      report.seconds = stopwatch.seconds();
      return v;
    }
  }
  report.seconds = stopwatch.seconds();
  return value.to_host();
}

}  // namespace

std::vector<double> stationary_values(const Context& ctx, const Matrix& tau,
                                      const std::vector<double>& utility, double beta, double nu,
                                      const LevelsOptions& options, IterationReport& report) {
  require_shape(tau, utility.size(), utility.size(), "tau");
  require_finite(tau, "tau");
  require_beta(beta);
  require_nu(nu);
  const DeviceArray tau_d(ctx, tau.data);
  const DeviceArray utility_d(ctx, utility);
  return stationary_on_device(ctx, tau_d, utility_d, beta, nu, options, report);
}

LevelsResult solve_household_levels(const Context& ctx, const LevelsProblem& problem,
                                    const LevelsOptions& options) {
  validate(problem);
  const std::size_t m = problem.tau.rows;
  const std::size_t periods = problem.utility.rows;
  const double beta = problem.beta;
  const double nu = problem.nu;

  const DeviceArray tau(ctx, problem.tau.data);
  const DeviceArray utility(ctx, problem.utility.data);  // [T][M]
  DeviceArray value(ctx, (periods + 1) * m);             // [T+1][M]
  DeviceArray lse(ctx, periods * m);                     // [T][M]
  DeviceArray labor(ctx, (periods + 1) * m);             // [T+1][M]
  DeviceArray shares(ctx, options.keep_shares ? m * m : 0);

  LevelsResult result;
  {
    DeviceArray permanent(ctx, m);
    kernels::copy(ctx, permanent.data(), utility.row(periods - 1, m), m * sizeof(double),
                  kernels::CopyKind::device_to_device);
    const std::vector<double> v_terminal =
        stationary_on_device(ctx, tau, permanent, beta, nu, options, result.stationary);
    value.upload(v_terminal.data(), m, periods * m);
  }
  for (std::size_t t = periods; t-- > 0;) {
    bellman(ctx, m, tau, utility.row(t, m), value.row(t + 1, m), beta, nu, lse.row(t, m),
            value.row(t, m), options.keep_shares ? shares.data() : nullptr);
    if (options.keep_shares) {
      Matrix mu(m, m);
      shares.download(mu.data.data(), mu.size());
      result.shares.push_back(std::move(mu));
    }
  }
  if (options.keep_shares) std::reverse(result.shares.begin(), result.shares.end());

  labor.upload(problem.L0.data(), m);
  for (std::size_t t = 0; t < periods; ++t) {
    kernels::softmax_transpose_apply(ctx, m, m, tau.data(), -1.0 / nu, value.row(t + 1, m),
                                     beta / nu, lse.row(t, m), labor.row(t, m),
                                     labor.row(t + 1, m));
  }
  result.V = Matrix(periods + 1, m);
  value.download(result.V.data.data(), result.V.size());
  result.L = Matrix(periods + 1, m);
  labor.download(result.L.data.data(), result.L.size());
  return result;
}

}  // namespace dynhat
