// The outer factor-price iteration of the fast solver (batch_solve.hpp): Anderson on log factor
// prices with a safeguard against extrapolating too far, and the outputs at the final iterates.
#include "static_equilibrium/batch_solve.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/kernels.hpp"
#include "runtime/host_transfers.hpp"
#include "runtime/stopwatch.hpp"

namespace dynhat::te {

namespace {

/// An outer residual this many times the best so far means Anderson has extrapolated too far.
constexpr double kBlowUp = 100.0;
constexpr int kMaxRestarts = 20;
/// Inexact inner solves (Eisenstat & Walker 1996 in spirit): an evaluation solves prices and
/// expenditure to this fraction of the problem's previous outer residual (never tighter than the
/// options ask), since solving them far below the outer error is wasted. The first evaluation,
/// restarts, the fallback and every convergence claim use the exact inner tolerances.
constexpr double kForcing = 1e-3;
/// A chord step cuts the residual ~30-100x per pass, which inner errors of 1e-3 of the residual
/// would blur (measured on the CDP China shock: 5 passes per date and outer iteration at 1e-3,
/// 3 at 1e-5); a few more price sweeps are cheaper than a pass.
constexpr double kChordForcing = 1e-5;

}  // namespace

BatchSolve::BatchSolve(const Context& ctx, const Economy& e, std::size_t B, int anderson_memory)
    : ctx_(ctx),
      e_(e),
      B_(B),
      size_(e.sectors * e.regions),
      G_(ctx, e.G),
      gamma_(ctx, e.gamma),
      theta_(ctx, e.theta),
      alpha_(ctx, e.alpha),
      iota_(ctx, e.iota),
      xi_(ctx, e.xi),
      q_(ctx, B_ * size_ * e.regions),
      pi_(ctx, B_ * size_ * e.regions),
      q_scale_(ctx, B_ * size_),
      log_omega_rel_(ctx, B_ * size_),
      log_phat_(ctx, B_ * size_),
      log_xhat_(ctx, B_ * size_),
      expenditure_(ctx, B_ * size_),
      scale_(ctx, B_ * size_),
      mask_(ctx, B_),
      work_(ctx, 2 * B_ * size_),
      sales_(ctx, B_ * size_),
      price_x_(ctx, B_ * size_),
      price_current_(ctx, B_ * size_),
      price_next_(ctx, B_ * size_),
      price_mixer_(ctx, size_, anderson_memory, B_),
      rhs_(ctx, B_ * size_),
      y_(ctx, B_ * size_),
      gmres_(ctx, B_, size_, kGmresRestart),
      u_(ctx, B_ * size_),
      g_(ctx, B_ * size_),
      excess_(ctx, B_ * size_),
      zeros_(ctx, std::vector<double>(B_ * size_, 0.0)),
      mixer_(ctx, size_, anderson_memory, B_),
      best_u_(ctx, B_ * size_),
      best_phat_(ctx, B_ * size_),
      best_x_(ctx, B_ * size_),
      loaded_q_(B_, nullptr) {}

double BatchSolve::bytes_per_problem(const Economy& e, int anderson_memory) {
  const double jn = static_cast<double>(e.sectors) * static_cast<double>(e.regions);
  const double vectors = 40.0 + 6.0 * anderson_memory + kGmresRestart;  // see the members
  return sizeof(double) * (2.0 * jn * static_cast<double>(e.regions) + vectors * jn);
}

std::vector<StaticSolution> BatchSolve::run(std::vector<Problem>& problems, ProblemArrays& arrays,
                                            std::size_t first, const StaticOptions& options,
                                            const BackendOutputs* outputs) {
  const Stopwatch stopwatch;
  const HostTransferMeter whole;
  options_ = &options;
  load(problems, arrays, first);
  std::vector<StaticSolution> out(B_);
  mixer_.restart();
  // Safeguard: Anderson may extrapolate far enough to leave the region where the prices and the
  // expenditure system are defined. Then that problem's history is dropped and its iteration
  // resumes with a plain base step from its best iterate (warm starts restored with it).
  Safeguard safeguard{std::vector<double>(B_, INFINITY), std::vector<int>(B_, 0)};
  const HostTransferMeter meter;
  Mask running(B_, 1);
  for (int it = 1; it <= options_->max_iterations && any(running); ++it) {
    Mask evaluated = excess_demand(running);
    std::vector<double> residuals = max_abs(evaluated);
    confirm_convergence(running, evaluated, residuals);
    const Decision next = decide(it, residuals, safeguard, running, out);
    kernels::segment_copy(ctx_, B_, size_, next.improved.data(), u_.data(), best_u_.data());
    kernels::segment_copy(ctx_, B_, size_, next.improved.data(), log_phat_.data(),
                          best_phat_.data());
    kernels::segment_copy(ctx_, B_, size_, next.improved.data(), expenditure_.data(),
                          best_x_.data());
    if (any(next.restart)) restart_from_best(next.restart, running);
    base_map(g_);
    mixer_.step(u_, g_, next.stepping);
  }
  report_best_iterates(safeguard, out);
  transfers_ = meter.read();
  if (outputs != nullptr) {
    finish_on_backend(*outputs, out);
  } else {
    finish(out);
  }
  store(problems, arrays, first);
  total_transfers_ = whole.read();
  const double seconds = stopwatch.seconds();
  for (StaticSolution& s : out) s.report.seconds = seconds;
  return out;
}

void BatchSolve::confirm_convergence(const Mask& running, Mask& evaluated,
                                     std::vector<double>& residuals) {
  Mask verify(B_, 0);
  for (std::size_t b = 0; b < B_; ++b) {
    verify[b] = running[b] != 0 && forcing_[b] > 0.0 && residuals[b] <= options_->tol;
    if (verify[b] != 0) forcing_[b] = 0.0;
  }
  if (!any(verify)) return;
  // The exact excess replaces the inexact one of the problems verified.
  const Mask ok = excess_demand(verify);
  const std::vector<double> exact = max_abs(ok);
  for (std::size_t b = 0; b < B_; ++b) {
    if (verify[b] == 0) continue;
    evaluated[b] = ok[b];
    residuals[b] = exact[b];
  }
}

BatchSolve::Decision BatchSolve::decide(int it, const std::vector<double>& residuals,
                                        Safeguard& safeguard, Mask& running,
                                        std::vector<StaticSolution>& out) {
  Decision next{Mask(B_, 0), Mask(B_, 0), Mask(B_, 0)};
  std::vector<double>& best = safeguard.best;
  for (std::size_t b = 0; b < B_; ++b) {
    if (running[b] == 0) continue;
    const double residual = residuals[b];
    const double forcing = problem(b).chord != nullptr ? kChordForcing : kForcing;
    forcing_[b] = std::isfinite(residual) ? forcing * residual : 0.0;
    IterationReport& report = out[b].report;
    report.iterations = it;
    report.residual = residual;
    report.residual_history.push_back(residual);
    if (!std::isfinite(best[b]) && !std::isfinite(residual)) {
      running[b] = 0;  // not even a start
    } else if (residual > kBlowUp * best[b]) {
      running[b] = ++safeguard.restarts[b] <= kMaxRestarts;
      next.restart[b] = running[b];
    } else {
      if (residual < best[b]) {
        next.improved[b] = 1;
        best[b] = residual;
      }
      report.converged = residual <= options_->tol;
      running[b] = !report.converged;
      next.stepping[b] = running[b];
    }
  }
  return next;
}

void BatchSolve::restart_from_best(const Mask& which, Mask& running) {
  for (std::size_t b = 0; b < B_; ++b)
    if (which[b] != 0) forcing_[b] = 0.0;
  restore_best(which);
  const Mask ok = excess_demand(which);
  for (std::size_t b = 0; b < B_; ++b)
    if (which[b] != 0) running[b] = ok[b];
  base_map(g_);
  kernels::segment_copy(ctx_, B_, size_, which.data(), g_.data(), u_.data());
}

void BatchSolve::report_best_iterates(const Safeguard& safeguard,
                                      std::vector<StaticSolution>& out) {
  const std::vector<double>& best = safeguard.best;
  Mask fallback(B_, 0);
  for (std::size_t b = 0; b < B_; ++b)
    fallback[b] = !out[b].report.converged && std::isfinite(best[b]);
  if (!any(fallback)) return;
  std::fill(forcing_.begin(), forcing_.end(), 0.0);
  restore_best(fallback);
  const Mask ok = excess_demand(fallback);
  const std::vector<double> exact = max_abs(ok);
  // The best iterate's residual, now from exact inner solves (its outputs go with it).
  for (std::size_t b = 0; b < B_; ++b)
    if (fallback[b] != 0) out[b].report.residual = ok[b] != 0 ? exact[b] : best[b];
}

void BatchSolve::base_map(DeviceArray& g) {
  g.copy_from(u_);
  for (std::size_t b = 0; b < B_;) {
    const ChordMatrix* chord = problem(b).chord;
    std::size_t last = b + 1;
    while (last < B_ && problem(last).chord == chord) ++last;
    const std::size_t from = b * size_;
    if (chord != nullptr) {
      chord->step(last - b, excess_.data() + from, g.data() + from);
    } else {
      kernels::axpby(ctx_, (last - b) * size_, options_->damping, excess_.data() + from, 1.0,
                     g.data() + from);
    }
    b = last;
  }
}

void BatchSolve::restore_best(const Mask& which) {
  kernels::segment_copy(ctx_, B_, size_, which.data(), best_u_.data(), u_.data());
  kernels::segment_copy(ctx_, B_, size_, which.data(), best_phat_.data(), log_phat_.data());
  kernels::segment_copy(ctx_, B_, size_, which.data(), best_x_.data(), expenditure_.data());
}

std::vector<double> BatchSolve::max_abs(const Mask& evaluated) const {
  std::vector<double> out(B_);
  kernels::segment_max_abs_diff(ctx_, B_, size_, excess_.data(), nullptr, out.data());
  for (std::size_t b = 0; b < B_; ++b)
    if (evaluated[b] == 0 || !std::isfinite(out[b])) out[b] = INFINITY;  // NaN: not finite
  return out;
}

/// The equilibrium is homogeneous of degree 1 in (omega, phat, X); the damped update of the
/// replication keeps the nominal world value added sum_k VA_k Ldot_k^{1-xi} omega_k at its value
/// for omega_init (a damped step moves it by damping * (sum gamma Y - sum VA') = 0), so that is
/// the scale reported here.
void BatchSolve::finish(std::vector<StaticSolution>& out) const {
  const std::size_t jnn = size_ * e_.regions;
  const std::vector<double> u = u_.to_host(), log_phat = log_phat_.to_host(),
                            x = expenditure_.to_host();
  for (std::size_t b = 0; b < B_; ++b) {
    StaticSolution& s = out[b];
    ExpandedShock shock = problem(b).shock;
    kernels::copy(ctx_, shock.labor.data(), labor_ + b * size_, size_ * sizeof(double),
                  kernels::CopyKind::device_to_host);
    kernels::copy(ctx_, shock.labor_factor.data(), labor_factor_ + b * size_,
                  size_ * sizeof(double), kernels::CopyKind::device_to_host);
    const ReferenceState& ref = *problem(b).reference;
    const auto world_value_added = [&](const std::vector<double>& omega) {
      const std::vector<double> scale = te::value_added_scale(omega, shock.labor_factor);
      double total = 0.0;
      for (std::size_t k = 0; k < size_; ++k) total += (ref.VAL[k] + ref.VAR[k]) * scale[k];
      return total;
    };
    s.omega.resize(size_);
    for (std::size_t k = 0; k < size_; ++k) s.omega[k] = std::exp(u[b * size_ + k]);
    const double scale = world_value_added(shock.omega_init) / world_value_added(s.omega);
    for (double& w : s.omega) w *= scale;
    s.sector_prices.resize(size_);
    for (std::size_t k = 0; k < size_; ++k)
      s.sector_prices[k] = scale * std::exp(log_phat[b * size_ + k]);
    s.trade_shares.resize(jnn);
    pi_.download(s.trade_shares.data(), jnn, b * jnn);
    s.expenditure.assign(x.begin() + b * size_, x.begin() + (b + 1) * size_);
    for (double& v : s.expenditure) v *= scale;
    s.market_clearing_residual =
        te::market_clearing_residual(e_, ref, te::sales(host_, e_, s.trade_shares, s.expenditure),
                                     te::value_added_scale(s.omega, shock.labor_factor));
    te::finish(e_, ref, shock, s);
  }
}

void BatchSolve::finish_on_backend(const BackendOutputs& outputs,
                                   std::vector<StaticSolution>& out) const {
  const std::size_t J = e_.sectors, N = e_.regions;
  std::vector<double> residuals(B_);
  kernels::te_path_outputs(
      ctx_, B_, J, N, e_.mobile_regions, alpha_.data(), gamma_.data(), xi_.data(), VAL_, VAR_,
      labor_, labor_factor_, wage_ref_, u_.data(), log_phat_.data(), sales_.data(),
      outputs.world_value_added, outputs.omega + first_ * size_, outputs.price_index + first_ * N,
      outputs.real_wage + first_ * outputs.stride, outputs.stride, residuals.data());
  for (std::size_t b = 0; b < B_; ++b) out[b].market_clearing_residual = residuals[b];
}

}  // namespace dynhat::te
