// One evaluation of the fast solver's excess demand F(u) = log omegatilde(u) - u
// (batch_solve.hpp): the price fixed point by Anderson, the trade shares, the expenditure system
// by GMRES, then sales and the implied factor prices, for the problems of a group at once.
#include <algorithm>
#include <cmath>

#include "kernels/kernels.hpp"
#include "static_equilibrium/batch_solve.hpp"

namespace dynhat::te {

Mask BatchSolve::excess_demand(const DeviceArray& u, const Mask& which, std::vector<double>& u_host,
                               std::vector<double>& excess) {
  const std::size_t length = B_ * size_, J = e_.sectors, N = e_.regions;
  u_host = u.to_host();
  std::vector<double> rel(length);
  for (std::size_t i = 0; i < length; ++i) rel[i] = u_host[i] - cost_shift_[i];
  log_omega_rel_.upload(rel.data(), length);
  solve_prices(which);
  upload_mask(which);
  kernels::te_log_unit_costs(ctx_, B_, J, N, G_.data(), gamma_.data(), mask_.data(),
                             log_omega_rel_.data(), log_phat_.data(), log_xhat_.data());
  kernels::te_trade_shares(ctx_, B_, J, N, theta_.data(), mask_.data(), q_.data(), q_scale_.data(),
                           log_xhat_.data(), log_phat_.data(), pi_.data());
  Mask evaluated = solve_expenditure(which, u_host);
  upload_mask(evaluated);
  kernels::te_sales(ctx_, B_, J, N, mask_.data(), pi_.data(), expenditure_.data(), sales_.data());
  const std::vector<double> Y = sales_.to_host();
  excess.assign(length, 0.0);
  for (std::size_t b = 0; b < B_; ++b) {
    if (evaluated[b] == 0) continue;
    const std::vector<double> implied = te::implied_omega(
        e_, *problem(b).reference, {Y.begin() + b * size_, Y.begin() + (b + 1) * size_},
        problem(b).shock.labor_factor);
    for (std::size_t k = 0; k < size_; ++k)
      excess[b * size_ + k] = std::log(implied[k]) - u_host[b * size_ + k];
  }
  return evaluated;
}

void BatchSolve::solve_prices(const Mask& which) {
  const std::size_t J = e_.sectors, N = e_.regions;
  DeviceArray &x = price_x_, &current = price_current_, &next = price_next_;
  x.copy_from(log_phat_);
  price_mixer_.restart();  // a fresh fixed point at every call
  Mask running = which;
  std::vector<double> change(B_);
  for (int it = 0; it < options_->max_price_iterations && any(running); ++it) {
    upload_mask(running);
    current.copy_from(x);
    kernels::te_log_unit_costs(ctx_, B_, J, N, G_.data(), gamma_.data(), mask_.data(),
                               log_omega_rel_.data(), current.data(), log_xhat_.data());
    kernels::te_log_price_indices(ctx_, B_, J, N, theta_.data(), mask_.data(), q_.data(),
                                  q_scale_.data(), log_xhat_.data(), next.data());
    kernels::segment_max_abs_diff(ctx_, B_, size_, next.data(), current.data(), change.data());
    Mask done(B_, 0);
    for (std::size_t b = 0; b < B_; ++b) {
      // A non-finite change (an extrapolated factor price out of range) ends the loop at once:
      // the outer safeguard sees the non-finite excess and falls back.
      done[b] = running[b] != 0 && !(change[b] > std::max(options_->price_tol, forcing_[b]));
      if (done[b] != 0) running[b] = 0;
    }
    kernels::segment_copy(ctx_, B_, size_, done.data(), next.data(), log_phat_.data());
    if (any(running)) price_mixer_.step(x, next, running);
  }
  // At the iteration cap: the last map values.
  kernels::segment_copy(ctx_, B_, size_, running.data(), next.data(), log_phat_.data());
}

/// Rows and columns are scaled by the previous X (D^{-1} (I - Omega) D y = D^{-1} alpha I,
/// X = D y): markets span five orders of magnitude on the CDP tables, and an unscaled 2-norm
/// residual leaves the small ones with relative errors of 1e-7.
Mask BatchSolve::solve_expenditure(const Mask& which, const std::vector<double>& u_host) {
  const std::size_t length = B_ * size_, J = e_.sectors, N = e_.regions;
  std::vector<double> x = expenditure_.to_host(), scale(length, 1.0), rhs(length, 0.0),
                      y(length, 0.0);
  std::vector<double> omega(size_);
  for (std::size_t b = 0; b < B_; ++b) {
    if (which[b] == 0) continue;
    for (std::size_t k = 0; k < size_; ++k) omega[k] = std::exp(u_host[b * size_ + k]);
    const std::vector<double> income = te::income(
        e_, *problem(b).reference, te::value_added_scale(omega, problem(b).shock.labor_factor));
    const double* xb = x.data() + b * size_;
    double mean = 0.0;
    for (std::size_t k = 0; k < size_; ++k) mean += std::abs(xb[k]) / static_cast<double>(size_);
    for (std::size_t k = 0; k < size_; ++k) {
      const std::size_t i = b * size_ + k;
      scale[i] = mean > 0.0 ? std::max(std::abs(xb[k]), 1e-12 * mean) : 1.0;
      y[i] = xb[k] / scale[i];
      rhs[i] = e_.alpha[k / N] * income[k % N] / scale[i];
    }
  }
  scale_.upload(scale.data(), length);
  rhs_.upload(rhs.data(), length);
  y_.upload(y.data(), length);
  const SegmentedOperator apply = [&](const double* v, double* out, const double* active) {
    kernels::te_expenditure_apply(ctx_, B_, J, N, G_.data(), active, pi_.data(), scale_.data(), v,
                                  work_.data(), out);
  };
  std::vector<double> tol(B_);
  for (std::size_t b = 0; b < B_; ++b) tol[b] = std::max(options_->expenditure_tol, forcing_[b]);
  const std::vector<GmresReport> reports =
      gmres_.solve(apply, rhs_, y_, which, tol, 100 * kGmresRestart);
  y = y_.to_host();
  Mask solved(B_, 0);
  for (std::size_t b = 0; b < B_; ++b) {
    if (which[b] == 0) continue;
    // A breakdown at an extrapolated iterate: the outer safeguard falls back.
    solved[b] = reports[b].converged || reports[b].relative_residual <= 1e3 * tol[b];
    if (solved[b] == 0) continue;
    for (std::size_t k = 0; k < size_; ++k)
      x[b * size_ + k] = scale[b * size_ + k] * y[b * size_ + k];
  }
  expenditure_.upload(x.data(), length);
  return solved;
}

void BatchSolve::upload_mask(const Mask& which) {
  const std::vector<double> values(which.begin(), which.end());
  mask_.upload(values.data(), values.size());
}

}  // namespace dynhat::te
