// Hat-algebra household path (E11-E13) with a given real-wage path: the value-path fixed point
// of household/migration_path.hpp on the factorised migration path, then the labor path.
#include <algorithm>
#include <cmath>

#include "dynhat/household.hpp"
#include "dynhat/validate.hpp"
#include "household/migration_path.hpp"
#include "runtime/device_array.hpp"

namespace dynhat {

HatResult solve_household_hat(const Context& ctx, const HatProblem& problem,
                              const HatOptions& options) {
  validate(problem);
  const std::size_t slots = problem.real_wage.rows;
  MigrationPath path =
      problem.sparse() ? MigrationPath(ctx, problem.mu0_sparse, slots, problem.beta)
                       : MigrationPath(ctx, problem.mu0, slots, problem.beta, options.mu0_storage);
  const std::size_t n = slots * path.markets();
  const DeviceArray real_wage(ctx, problem.real_wage.data);
  DeviceArray log_y(ctx, n);  // the iterate x = log Y
  log_y.fill(0.0);
  HatResult result;
  result.report = solve_value_path(ctx, path, real_wage, 1.0 / problem.nu, log_y, options);

  const DeviceArray labor = path.labor(problem.L0);
  result.Y = Matrix(slots, path.markets());
  log_y.download(result.Y.data.data(), n);
  for (double& y : result.Y.data) y = std::exp(y);
  result.L = Matrix(slots + 1, path.markets());
  labor.download(result.L.data.data(), result.L.size());
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
