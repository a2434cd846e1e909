// The replication algorithm of the temporary equilibrium (MODEL.md 5.1, literally): damped
// factor-price iteration; on every pass an inner price fixed point from phat = 1, the trade
// shares, a dense LU solve of the JN x JN expenditure system, the implied factor prices.
// Cost per pass: (JN)^3 / 3 flops for the LU (1914^3 / 3 = 2.3 GFLOP on the CDP tables) plus
// O(J N^2) per price iteration. It is the oracle of the fast solver and its benchmark baseline.
#include <Eigen/Dense>
#include <cmath>

#include "dynhat/static_equilibrium.hpp"
#include "runtime/stopwatch.hpp"
#include "static_equilibrium/te_terms.hpp"

namespace dynhat {

namespace {

/// (I - Omega) X = alpha I with rows and columns ordered region-major (n J + j) as in the kit.
std::vector<double> solve_expenditure_dense(const Economy& e, const std::vector<double>& pi,
                                            const std::vector<double>& income) {
  const std::size_t J = e.sectors, N = e.regions, size = J * N;
  const Eigen::Index n_eq = static_cast<Eigen::Index>(size);
  Eigen::MatrixXd A = Eigen::MatrixXd::Identity(n_eq, n_eq);
  Eigen::VectorXd b(n_eq);
  // Row (i, s): X^{is} - sum_{n,k} G[i][s][k] pi'[k][n][i] X^{nk} = alpha_s I^i.
  for (std::size_t i = 0; i < N; ++i) {
    const double* g = e.G.data() + i * J * J;
    for (std::size_t s = 0; s < J; ++s) {
      const auto row = static_cast<Eigen::Index>(i * J + s);
      b(row) = e.alpha[s] * income[i];
      for (std::size_t k = 0; k < J; ++k) {
        const double gsk = g[s * J + k];
        if (gsk == 0.0) continue;
        for (std::size_t n = 0; n < N; ++n) {
          A(row, static_cast<Eigen::Index>(n * J + k)) -= gsk * pi[(k * N + n) * N + i];
        }
      }
    }
  }
  const Eigen::VectorXd x = A.partialPivLu().solve(b);
  std::vector<double> X(size);
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t j = 0; j < J; ++j) X[j * N + n] = x(static_cast<Eigen::Index>(n * J + j));
  return X;
}

}  // namespace

StaticSolution solve_static_replication(const Economy& e, const ReferenceState& ref,
                                        const StaticShock& shock,
                                        const ReplicationOptions& options) {
  const Stopwatch stopwatch;
  const Context cpu(Backend::cpu);  // the literal algorithm runs on the host
  const std::size_t J = e.sectors, N = e.regions, R = e.mobile_regions;
  const te::ExpandedShock s = te::expand(e, shock);
  const te::EffectiveShares shares = te::effective_shares(e, ref, shock);
  const std::vector<double> shift = te::log_cost_shift(s);

  StaticSolution out;
  std::vector<double> omega = s.omega_init;
  std::vector<double> log_omega_rel(J * N), log_phat(J * N), log_phat_new(J * N), log_xhat;
  std::vector<double> pi, X, Y;
  for (int pass = 1; pass <= options.max_iterations; ++pass) {
    for (std::size_t k = 0; k < J * N; ++k) log_omega_rel[k] = std::log(omega[k]) - shift[k];
    // (a) price fixed point from phat = 1, Jacobi sweeps until max |Delta phat| <= price_tol.
    std::fill(log_phat.begin(), log_phat.end(), 0.0);
    for (int it = 0; it < options.max_price_iterations; ++it) {
      te::log_unit_costs(cpu, e, log_omega_rel, log_phat, log_xhat);
      te::log_price_indices(cpu, e, shares, log_xhat, log_phat_new);
      double change = 0.0;
      for (std::size_t k = 0; k < J * N; ++k) {
        change = std::max(change, std::abs(std::exp(log_phat_new[k]) - std::exp(log_phat[k])));
      }
      log_phat.swap(log_phat_new);
      if (change <= options.price_tol) break;
    }
    te::log_unit_costs(cpu, e, log_omega_rel, log_phat, log_xhat);
    // (b) trade shares, (c) expenditure, (d) sales and implied factor prices.
    te::trade_shares(cpu, e, shares, log_xhat, log_phat, pi);
    const std::vector<double> scale = te::value_added_scale(omega, s.labor_factor);
    X = solve_expenditure_dense(e, pi, te::income(e, ref, scale));
    Y = te::sales(cpu, e, pi, X);
    const std::vector<double> implied = te::implied_omega(e, ref, Y, s.labor_factor);
    // (e) damped update, (f) squared step over mobile markets and one entry per country.
    double step = 0.0;
    for (std::size_t j = 0; j < J; ++j) {
      for (std::size_t n = 0; n < N; ++n) {
        const std::size_t k = j * N + n;
        const double next = omega[k] + options.damping * (implied[k] - omega[k]);
        if (n < R || j == 0) step += (next - omega[k]) * (next - omega[k]);
        omega[k] = next;
      }
    }
    out.report.iterations = pass;
    out.report.residual = step;
    out.report.residual_history.push_back(step);
    if (!std::isfinite(step)) break;
    if (step <= options.tol) {
      out.report.converged = true;
      break;
    }
  }
  out.omega = omega;
  out.sector_prices.resize(J * N);
  for (std::size_t k = 0; k < J * N; ++k) out.sector_prices[k] = std::exp(log_phat[k]);
  out.trade_shares = pi;
  out.expenditure = X;
  out.market_clearing_residual =
      te::market_clearing_residual(e, ref, Y, te::value_added_scale(omega, s.labor_factor));
  te::finish(e, ref, s, out);
  out.report.seconds = stopwatch.seconds();
  return out;
}

}  // namespace dynhat
