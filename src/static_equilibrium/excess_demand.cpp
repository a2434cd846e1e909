// One evaluation of the fast solver's excess demand F(u) = log omegatilde(u) - u
// (batch_solve.hpp): the price fixed point by Anderson, the trade shares, the expenditure system
// by GMRES, then sales and the implied factor prices, for the problems of a group at once, all
// on the backend.
#include <algorithm>
#include <cmath>

#include "kernels/kernels.hpp"
#include "static_equilibrium/batch_solve.hpp"

namespace dynhat::te {

Mask BatchSolve::excess_demand(const Mask& which) {
  const std::size_t J = e_.sectors, N = e_.regions;
  log_omega_rel_.copy_from(u_);
  kernels::axpby(ctx_, B_ * size_, -1.0, cost_shift_, 1.0, log_omega_rel_.data());
  solve_prices(which);
  upload_mask(which);
  kernels::te_log_unit_costs(ctx_, B_, J, N, G_.data(), gamma_.data(), mask_.data(),
                             log_omega_rel_.data(), log_phat_.data(), log_xhat_.data());
  kernels::te_trade_shares(ctx_, B_, J, N, theta_.data(), mask_.data(), q_.data(), q_scale_.data(),
                           log_xhat_.data(), log_phat_.data(), pi_.data());
  const Mask evaluated = solve_expenditure(which);
  upload_mask(evaluated);
  kernels::te_sales(ctx_, B_, J, N, mask_.data(), pi_.data(), expenditure_.data(), sales_.data());
  kernels::te_factor_price_excess(ctx_, B_, J, N, e_.mobile_regions, mask_.data(), gamma_.data(),
                                  VAL_, VAR_, labor_factor_, sales_.data(), u_.data(),
                                  excess_.data());
  Mask failed(B_, 0);
  for (std::size_t b = 0; b < B_; ++b) failed[b] = which[b] != 0 && evaluated[b] == 0;
  if (any(failed))
    kernels::segment_copy(ctx_, B_, size_, failed.data(), zeros_.data(), excess_.data());
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
Mask BatchSolve::solve_expenditure(const Mask& which) {
  const std::size_t J = e_.sectors, N = e_.regions;
  upload_mask(which);
  kernels::te_expenditure_system(ctx_, B_, J, N, mask_.data(), alpha_.data(), iota_.data(), VAL_,
                                 VAR_, labor_factor_, u_.data(), expenditure_.data(), scale_.data(),
                                 y_.data(), rhs_.data());
  const SegmentedOperator apply = [&](const double* v, double* out, const double* active) {
    kernels::te_expenditure_apply(ctx_, B_, J, N, G_.data(), active, pi_.data(), scale_.data(), v,
                                  work_.data(), out);
  };
  std::vector<double> tol(B_);
  for (std::size_t b = 0; b < B_; ++b) tol[b] = std::max(options_->expenditure_tol, forcing_[b]);
  const std::vector<GmresReport> reports =
      gmres_.solve(apply, rhs_, y_, which, tol, 100 * kGmresRestart);
  Mask solved(B_, 0);
  for (std::size_t b = 0; b < B_; ++b) {
    // A breakdown at an extrapolated iterate: the outer safeguard falls back.
    solved[b] =
        which[b] != 0 && (reports[b].converged || reports[b].relative_residual <= 1e3 * tol[b]);
  }
  kernels::segment_multiply(ctx_, B_, size_, solved.data(), scale_.data(), y_.data());
  kernels::segment_copy(ctx_, B_, size_, solved.data(), y_.data(), expenditure_.data());
  return solved;
}

void BatchSolve::upload_mask(const Mask& which) {
  const std::vector<double> values(which.begin(), which.end());
  mask_.upload(values.data(), values.size());
}

}  // namespace dynhat::te
