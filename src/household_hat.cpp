// Hat-algebra household path (E11-E13) with a given real-wage path, through the factorised
// migration form: with c_t = prod_{q=1}^{t+1} Y_q^beta (column scalings) and r_t = mu0 c_t (row
// sums), mu_t = diag(1/r_t) mu0 diag(c_t), so
//   Y_t = Cdot_t^{1/nu} r_t / r_{t-1}                 (E12; r_{-1} = mu0 1 = 1)
//   L_{t+1} = c_t * mu0^T (L_t / r_t)                 (E13)
// One GEMM gives every r_t; no [T][M][M] array is formed (ARCHITECTURE.md 4.1).
//
// Outer iteration on x = log Y, G(x) = the right-hand side of E12. Picard: the reference
// algorithm's Y <- (G + Y)/2 in levels. Anderson: on the preconditioned map
// x + (I - beta S)^{-1}(G(x) - x), where beta S (blocks beta mu_t on the superdiagonal) is the
// Jacobian of G with respect to Y_{t+1}; the remaining part, beta (mu_t - mu_{t-1}) below the
// diagonal, is small when shares drift slowly and is left to Anderson.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "anderson.hpp"
#include "device_array.hpp"
#include "dynhat/household.hpp"
#include "dynhat/validate.hpp"
#include "kernels/kernels.hpp"

namespace dynhat {

namespace {

/// Device-resident state of one hat-algebra path.
struct HatPath {
  std::size_t m;
  std::size_t slots;
  double beta;
  DeviceArray mu0;        // [m][m]
  DeviceArray real_wage;  // [slots][m]
  DeviceArray c;          // [slots][m] column scalings, shifted per slot
  DeviceArray shift;      // [slots]
  DeviceArray r;          // [slots][m] row sums

  HatPath(const Context& ctx, const HatProblem& p)
      : m(p.mu0.rows),
        slots(p.real_wage.rows),
        beta(p.beta),
        mu0(ctx, p.mu0.data),
        real_wage(ctx, p.real_wage.data),
        c(ctx, slots * m),
        shift(ctx, slots),
        r(ctx, slots * m) {}

  /// c, shift and r for the value path log Y.
  void factorise(const Context& ctx, const DeviceArray& log_y) {
    kernels::column_scalings(ctx, m, slots, log_y.data(), beta, c.data(), shift.data());
    kernels::scaled_row_sums(ctx, m, slots, mu0.data(), c.data(), r.data());
  }
};

}  // namespace

HatResult solve_household_hat(const Context& ctx, const HatProblem& problem,
                              const HatOptions& options) {
  validate(problem);
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  HatPath path(ctx, problem);
  const std::size_t n = path.slots * path.m;
  const double inv_nu = 1.0 / problem.nu;
  DeviceArray log_y(ctx, n);      // the iterate x = log Y
  DeviceArray log_y_new(ctx, n);  // G(x)
  log_y.fill(0.0);
  AndersonMixer mixer(ctx, options.method == OuterMethod::anderson ? n : 0,
                      options.anderson_memory);

  HatResult result;
  IterationReport& report = result.report;
  for (int it = 1; it <= options.max_iterations; ++it) {
    path.factorise(ctx, log_y);
    kernels::value_update(ctx, path.m, path.slots, path.real_wage.data(), path.r.data(),
                          path.shift.data(), inv_nu, log_y_new.data());
    const double residual = kernels::diff_range(ctx, n, log_y_new.data(), log_y.data()).max_abs();
    report.iterations = it;
    report.residual = residual;
    report.residual_history.push_back(residual);
    if (options.progress) options.progress(it, residual, elapsed());
    if (!std::isfinite(residual)) break;
    if (residual <= options.tol) {
      report.converged = true;
      log_y.copy_from(log_y_new);
      break;
    }
    if (options.method == OuterMethod::picard) {
      kernels::average_in_levels(ctx, n, log_y_new.data(), log_y.data());
    } else {
      // Newton-like preconditioning: G(x) - x -> (I - beta S)^{-1} (G(x) - x), S the
      // forward-looking block of the Jacobian, so one step carries news back through every slot
      // instead of one slot per Jacobi iteration. Anderson then works on x + that step.
      kernels::axpby(ctx, n, -1.0, log_y.data(), 1.0, log_y_new.data());
      kernels::backward_value_sweep(ctx, path.m, path.slots, path.mu0.data(), path.c.data(),
                                    path.r.data(), path.beta, log_y_new.data());
      kernels::axpby(ctx, n, 1.0, log_y.data(), 1.0, log_y_new.data());
      mixer.step(log_y, log_y_new);
    }
  }

  // Labor path from the final values.
  path.factorise(ctx, log_y);
  DeviceArray labor(ctx, (path.slots + 1) * path.m);
  labor.upload(problem.L0.data(), path.m);
  kernels::labor_chain(ctx, path.m, path.slots, path.mu0.data(), path.c.data(), path.r.data(),
                       labor.data());

  result.Y = Matrix(path.slots, path.m);
  log_y.download(result.Y.data.data(), n);
  for (double& y : result.Y.data) y = std::exp(y);
  result.L = Matrix(path.slots + 1, path.m);
  labor.download(result.L.data.data(), result.L.size());
  report.seconds = elapsed();
  return result;
}

Matrix migration_shares(const Matrix& mu0, const Matrix& Y, double beta, std::size_t t) {
  const std::size_t m = mu0.rows;
  std::vector<double> log_c(m, 0.0);
  for (std::size_t q = 1; q <= t + 1 && q < Y.rows; ++q) {
    for (std::size_t k = 0; k < m; ++k) log_c[k] += beta * std::log(Y(q, k));
  }
  const double top = *std::max_element(log_c.begin(), log_c.end());  // cancels in rownorm
  Matrix mu(m, m);
  for (std::size_t i = 0; i < m; ++i) {
    double sum = 0.0;
    for (std::size_t k = 0; k < m; ++k) sum += mu(i, k) = mu0(i, k) * std::exp(log_c[k] - top);
    for (std::size_t k = 0; k < m; ++k) mu(i, k) = sum > 0.0 ? mu(i, k) / sum : 0.0;
  }
  return mu;
}

}  // namespace dynhat
