// The fast temporary-equilibrium solver (ARCHITECTURE.md 4.2-4.3) for a batch of problems in
// lockstep on one backend: Anderson on log factor prices (on the damped map, or on the chord map
// u + K F with K the inverse Jacobian of a nearby equilibrium, chord_matrix.hpp), Anderson on log
// prices inside, GMRES on the expenditure system, all warm-started. The O(J N^2) and O(N J^2)
// terms are the batched kernels of the list (kernels/*/te_terms.*), the Krylov and Anderson
// vectors stay on the backend; per problem and outer iteration O(J N) values travel to the host
// (income, implied factor prices). Every problem runs its own iteration, masked out of the batch
// once it stops, so its result does not depend on the other problems.
// Per outer iteration on the CDP tables: a few price sweeps (J N^2 exp each) and a few tens of
// operator applications (J N^2 + N J^2 flops each), against a 1914^3/3-flop LU and a price loop
// from scratch in the replication algorithm.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <memory>
#include <string>

#include "dynhat/error.hpp"
#include "dynhat/static_equilibrium.hpp"
#include "kernels/kernels.hpp"
#include "runtime/stopwatch.hpp"
#include "solvers/anderson.hpp"
#include "solvers/gmres.hpp"
#include "static_equilibrium/chord_matrix.hpp"
#include "static_equilibrium/static_batch.hpp"
#include "static_equilibrium/te_terms.hpp"

namespace dynhat {

namespace {

constexpr int kGmresRestart = 40;
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

using Mask = std::vector<unsigned char>;

bool any(const Mask& flags) {
  return std::any_of(flags.begin(), flags.end(), [](unsigned char f) { return f != 0; });
}

/// One problem's inputs and warm-start state, on the host, kept across solves.
struct Problem {
  const ReferenceState* reference = nullptr;
  te::ExpandedShock shock;
  /// [J][N][N] effective shares, shared by problems with equal reference shares and trade costs.
  std::shared_ptr<const std::vector<double>> log_q;
  std::vector<double> cost_shift;                // [J][N] te::log_cost_shift
  const te::ChordMatrix* chord = nullptr;        // preconditioner of the factor-price step, or none
  std::vector<double> u, log_phat, expenditure;  // [J][N] state of the last solve (empty: none)
};

/// The work arrays of `B` problems solved together on one backend, reused group after group.
class BatchSolve {
 public:
  BatchSolve(const Context& ctx, const Economy& e, std::size_t B, int anderson_memory)
      : ctx_(ctx),
        e_(e),
        B_(B),
        size_(e.sectors * e.regions),
        G_(ctx, e.G),
        gamma_(ctx, e.gamma),
        theta_(ctx, e.theta),
        log_q_(ctx, B_ * size_ * e.regions),
        pi_(ctx, B_ * size_ * e.regions),
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
        mixer_(ctx, size_, anderson_memory, B_),
        best_u_(ctx, B_ * size_),
        best_phat_(ctx, B_ * size_),
        best_x_(ctx, B_ * size_),
        loaded_q_(B_, nullptr) {}

  /// Solves problems [first, first + B) of `problems` from their state and stores it back.
  std::vector<StaticSolution> run(std::vector<Problem>& problems, std::size_t first,
                                  const StaticOptions& options) {
    const Stopwatch stopwatch;
    options_ = &options;
    load(problems, first);
    std::vector<StaticSolution> out(B_);
    DeviceArray &u = u_, &g = g_;
    AndersonMixer& mixer = mixer_;
    mixer.restart();
    // Safeguard: Anderson may extrapolate far enough to leave the region where the prices and the
    // expenditure system are defined. Then that problem's history is dropped and its iteration
    // resumes with a plain base step from its best iterate (warm starts restored with it).
    DeviceArray &best_u = best_u_, &best_phat = best_phat_, &best_x = best_x_;
    std::vector<double> best(B_, INFINITY), u_host, excess;
    std::vector<int> restarts(B_, 0);
    Mask running(B_, 1);
    for (int it = 1; it <= options_->max_iterations && any(running); ++it) {
      Mask evaluated = excess_demand(u, running, u_host, excess);
      std::vector<double> residuals = max_abs(evaluated, excess);
      // A residual below tol from inexact inner solves is confirmed by an exact evaluation.
      Mask verify(B_, 0);
      for (std::size_t b = 0; b < B_; ++b) {
        verify[b] = running[b] != 0 && forcing_[b] > 0.0 && residuals[b] <= options_->tol;
        if (verify[b] != 0) forcing_[b] = 0.0;
      }
      if (any(verify)) {
        std::vector<double> exact_excess;
        const Mask ok = excess_demand(u, verify, u_host, exact_excess);
        const std::vector<double> exact = max_abs(ok, exact_excess);
        for (std::size_t b = 0; b < B_; ++b) {
          if (verify[b] == 0) continue;
          evaluated[b] = ok[b];
          residuals[b] = exact[b];
          std::copy(exact_excess.begin() + b * size_, exact_excess.begin() + (b + 1) * size_,
                    excess.begin() + b * size_);
        }
      }
      Mask improved(B_, 0), restart(B_, 0), stepping(B_, 0);
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
          running[b] = ++restarts[b] <= kMaxRestarts;
          restart[b] = running[b];
        } else {
          if (residual < best[b]) {
            improved[b] = 1;
            best[b] = residual;
          }
          report.converged = residual <= options_->tol;
          running[b] = !report.converged;
          stepping[b] = running[b];
        }
      }
      kernels::segment_copy(ctx_, B_, size_, improved.data(), u.data(), best_u.data());
      kernels::segment_copy(ctx_, B_, size_, improved.data(), log_phat_.data(), best_phat.data());
      kernels::segment_copy(ctx_, B_, size_, improved.data(), expenditure_.data(), best_x.data());
      if (any(restart)) {
        for (std::size_t b = 0; b < B_; ++b)
          if (restart[b] != 0) forcing_[b] = 0.0;
        restore(restart, best_u, best_phat, best_x, u);
        std::vector<double> restart_u, restart_excess;
        const Mask ok = excess_demand(u, restart, restart_u, restart_excess);
        for (std::size_t b = 0; b < B_; ++b)
          if (restart[b] != 0) running[b] = ok[b];
        base_map(restart_u, restart_excess, g);
        kernels::segment_copy(ctx_, B_, size_, restart.data(), g.data(), u.data());
      }
      base_map(u_host, excess, g);
      mixer.step(u, g, stepping);
    }
    // Stopped at the cap: report the best iterate, with its prices, shares and expenditure.
    Mask fallback(B_, 0);
    for (std::size_t b = 0; b < B_; ++b)
      fallback[b] = !out[b].report.converged && std::isfinite(best[b]);
    if (any(fallback)) {
      std::fill(forcing_.begin(), forcing_.end(), 0.0);
      restore(fallback, best_u, best_phat, best_x, u);
      std::vector<double> exact_excess;
      const Mask ok = excess_demand(u, fallback, u_host, exact_excess);
      const std::vector<double> exact = max_abs(ok, exact_excess);
      // The best iterate's residual, now from exact inner solves (its outputs go with it).
      for (std::size_t b = 0; b < B_; ++b)
        if (fallback[b] != 0) out[b].report.residual = ok[b] != 0 ? exact[b] : best[b];
    }
    finish(u, out);
    store(problems, first);
    const double seconds = stopwatch.seconds();
    for (StaticSolution& s : out) s.report.seconds = seconds;
    return out;
  }

 private:
  /// Uploads the group's effective shares (unless already there) and warm-start state.
  void load(const std::vector<Problem>& problems, std::size_t first) {
    const std::size_t jnn = size_ * e_.regions, length = B_ * size_;
    group_ = &problems[first];
    std::vector<double> u(length), log_phat(length, 0.0), x(length, 0.0), shift(length);
    for (std::size_t b = 0; b < B_; ++b) {
      const Problem& p = group_[b];
      if (loaded_q_[b] != p.log_q.get()) {
        log_q_.upload(p.log_q->data(), jnn, b * jnn);
        loaded_q_[b] = p.log_q.get();
      }
      const auto at = [&](std::vector<double>& v) { return v.begin() + b * size_; };
      if (p.u.empty()) {
        for (std::size_t k = 0; k < size_; ++k) u[b * size_ + k] = std::log(p.shock.omega_init[k]);
      } else {
        std::copy(p.u.begin(), p.u.end(), at(u));
        std::copy(p.log_phat.begin(), p.log_phat.end(), at(log_phat));
        std::copy(p.expenditure.begin(), p.expenditure.end(), at(x));
      }
      std::copy(p.cost_shift.begin(), p.cost_shift.end(), at(shift));
    }
    u_.upload(u.data(), length);
    log_phat_.upload(log_phat.data(), length);
    expenditure_.upload(x.data(), length);
    cost_shift_ = std::move(shift);
    std::fill(forcing_.begin(), forcing_.end(), 0.0);
  }

  /// Keeps the group's final iterates as the next solve's warm start; a problem whose iterate is
  /// not finite (a failed solve) starts the next one from omega_init again.
  void store(std::vector<Problem>& problems, std::size_t first) const {
    const std::vector<double> u = u_.to_host(), log_phat = log_phat_.to_host(),
                              x = expenditure_.to_host();
    for (std::size_t b = 0; b < B_; ++b) {
      Problem& p = problems[first + b];
      const auto from = [&](const std::vector<double>& v) { return v.begin() + b * size_; };
      const auto finite = [&](const std::vector<double>& v) {
        return std::all_of(from(v), from(v) + size_, [](double z) { return std::isfinite(z); });
      };
      if (!finite(u) || !finite(log_phat) || !finite(x)) {
        p.u.clear();
        continue;
      }
      p.u.assign(from(u), from(u) + size_);
      p.log_phat.assign(from(log_phat), from(log_phat) + size_);
      p.expenditure.assign(from(x), from(x) + size_);
    }
  }

  /// g = u + step(excess): problem b's chord step K F, or the damped step damping F. Problems
  /// that share a chord matrix are stepped by one product.
  void base_map(const std::vector<double>& u_host, const std::vector<double>& excess,
                DeviceArray& g) {
    const std::size_t length = B_ * size_;
    std::vector<double> next(length);
    for (std::size_t b = 0; b < B_;) {
      const te::ChordMatrix* chord = problem(b).chord;
      std::size_t last = b + 1;
      while (last < B_ && problem(last).chord == chord) ++last;
      const std::size_t from = b * size_, to = last * size_;
      if (chord != nullptr) {
        chord->apply(last - b, &excess[from], &next[from]);
      } else {
        for (std::size_t i = from; i < to; ++i) next[i] = options_->damping * excess[i];
      }
      for (std::size_t i = from; i < to; ++i) next[i] += u_host[i];
      b = last;
    }
    g.upload(next.data(), length);
  }

  const Problem& problem(std::size_t b) const { return group_[b]; }

  void restore(const Mask& which, const DeviceArray& best_u, const DeviceArray& best_phat,
               const DeviceArray& best_x, DeviceArray& u) {
    kernels::segment_copy(ctx_, B_, size_, which.data(), best_u.data(), u.data());
    kernels::segment_copy(ctx_, B_, size_, which.data(), best_phat.data(), log_phat_.data());
    kernels::segment_copy(ctx_, B_, size_, which.data(), best_x.data(), expenditure_.data());
  }

  /// max_k |excess[b][k]| for the problems evaluated, infinity for the others or if not finite.
  std::vector<double> max_abs(const Mask& evaluated, const std::vector<double>& excess) const {
    std::vector<double> out(B_, INFINITY);
    for (std::size_t b = 0; b < B_; ++b) {
      if (evaluated[b] == 0) continue;
      double worst = 0.0;
      for (std::size_t k = 0; k < size_; ++k)
        worst = std::max(worst, std::abs(excess[b * size_ + k]));
      if (std::isfinite(worst)) out[b] = worst;
    }
    return out;
  }

  void upload_mask(const Mask& which) {
    const std::vector<double> values(which.begin(), which.end());
    mask_.upload(values.data(), values.size());
  }

  /// For the problems in `which`: excess = log omegatilde(u) - u, updating their prices, shares
  /// and expenditure. u_host receives u. Returns the problems whose expenditure system solved.
  Mask excess_demand(const DeviceArray& u, const Mask& which, std::vector<double>& u_host,
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
    kernels::te_trade_shares(ctx_, B_, J, N, theta_.data(), mask_.data(), log_q_.data(),
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
          problem(b).shock.labor);
      for (std::size_t k = 0; k < size_; ++k)
        excess[b * size_ + k] = std::log(implied[k]) - u_host[b * size_ + k];
    }
    return evaluated;
  }

  /// log phat = Phi(log phat) at the current factor prices for the problems in `which`,
  /// Anderson-accelerated, warm-started.
  void solve_prices(const Mask& which) {
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
      kernels::te_log_price_indices(ctx_, B_, J, N, theta_.data(), mask_.data(), log_q_.data(),
                                    log_xhat_.data(), next.data());
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

  /// (I - Omega) X = alpha I by GMRES from the previous X, for the problems in `which`. Rows and
  /// columns are scaled by the previous X (D^{-1} (I - Omega) D y = D^{-1} alpha I, X = D y):
  /// markets span five orders of magnitude on the CDP tables, and an unscaled 2-norm residual
  /// leaves the small ones with relative errors of 1e-7. Returns the problems it solved.
  Mask solve_expenditure(const Mask& which, const std::vector<double>& u_host) {
    const std::size_t length = B_ * size_, J = e_.sectors, N = e_.regions;
    std::vector<double> x = expenditure_.to_host(), scale(length, 1.0), rhs(length, 0.0),
                        y(length, 0.0);
    std::vector<double> omega(size_);
    for (std::size_t b = 0; b < B_; ++b) {
      if (which[b] == 0) continue;
      for (std::size_t k = 0; k < size_; ++k) omega[k] = std::exp(u_host[b * size_ + k]);
      const std::vector<double> income = te::income(
          e_, *problem(b).reference, te::value_added_scale(e_, omega, problem(b).shock.labor));
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

  /// Outputs at the final iterates (their prices, shares and expenditure are the last computed),
  /// scaled to the replication algorithm's normalisation. The equilibrium is homogeneous of
  /// degree 1 in (omega, phat, X); the damped update of the replication keeps the nominal world
  /// value added sum_k VA_k Ldot_k^{1-xi} omega_k at its value for omega_init (a damped step
  /// moves it by damping * (sum gamma Y - sum VA') = 0), so that is the scale reported here.
  void finish(const DeviceArray& u, std::vector<StaticSolution>& out) const {
    const std::size_t jnn = size_ * e_.regions;
    const std::vector<double> u_host = u.to_host(), log_phat = log_phat_.to_host(),
                              x = expenditure_.to_host();
    for (std::size_t b = 0; b < B_; ++b) {
      StaticSolution& s = out[b];
      s.omega.resize(size_);
      for (std::size_t k = 0; k < size_; ++k) s.omega[k] = std::exp(u_host[b * size_ + k]);
      const double scale =
          world_value_added(b, problem(b).shock.omega_init) / world_value_added(b, s.omega);
      for (double& w : s.omega) w *= scale;
      s.sector_prices.resize(size_);
      for (std::size_t k = 0; k < size_; ++k)
        s.sector_prices[k] = scale * std::exp(log_phat[b * size_ + k]);
      s.trade_shares.resize(jnn);
      pi_.download(s.trade_shares.data(), jnn, b * jnn);
      s.expenditure.assign(x.begin() + b * size_, x.begin() + (b + 1) * size_);
      for (double& v : s.expenditure) v *= scale;
      s.market_clearing_residual = te::market_clearing_residual(
          e_, *problem(b).reference, te::sales(host_, e_, s.trade_shares, s.expenditure),
          te::value_added_scale(e_, s.omega, problem(b).shock.labor));
      te::finish(e_, *problem(b).reference, problem(b).shock, s);
    }
  }

  /// sum_k VA_k Ldot_k^{1-xi} omega_k: nominal world value added of problem b at omega.
  double world_value_added(std::size_t b, const std::vector<double>& omega) const {
    const std::vector<double> scale = te::value_added_scale(e_, omega, problem(b).shock.labor);
    double total = 0.0;
    for (std::size_t k = 0; k < size_; ++k)
      total += (problem(b).reference->VAL[k] + problem(b).reference->VAR[k]) * scale[k];
    return total;
  }

  const Context& ctx_;
  const Context host_{Backend::cpu};  // the host-side terms of the outputs
  const Economy& e_;
  const StaticOptions* options_ = nullptr;
  const std::size_t B_, size_;
  const Problem* group_ = nullptr;  // [B] the problems of the current run
  std::vector<double> cost_shift_;  // [B][J][N] host copy of the group's cost shifts
  const DeviceArray G_, gamma_, theta_;
  DeviceArray log_q_, pi_;                                         // [B][J][N][N]
  DeviceArray log_omega_rel_, log_phat_, log_xhat_, expenditure_;  // [B][J][N]
  DeviceArray scale_;  // [B][J][N] the expenditure system's diagonal scaling
  DeviceArray mask_;   // [B] the problems a batched term computes
  DeviceArray work_;   // [2][B][J][N] the expenditure operator's intermediates
  // Work arrays of the inner solves, allocated once: [B][J][N] each.
  DeviceArray sales_;
  DeviceArray price_x_, price_current_, price_next_;  // the price loop's iterate and map values
  AndersonMixer price_mixer_;
  DeviceArray rhs_, y_;  // the scaled expenditure system
  SegmentedGmres gmres_;
  std::vector<double> forcing_ = std::vector<double>(B_, 0.0);  // [B] inner tolerance, 0: exact
  // The factor-price iteration: iterate, map value, mixer, best iterates.
  DeviceArray u_, g_;
  AndersonMixer mixer_;
  DeviceArray best_u_, best_phat_, best_x_;
  std::vector<const std::vector<double>*> loaded_q_;  // [B] whose effective shares log_q_ holds
};

/// Problems solved together in lockstep (kernels::te_group_size).
std::size_t group_size(const Context& ctx, std::size_t batch) {
  return std::max<std::size_t>(1, std::min(batch, kernels::te_group_size(ctx, batch)));
}

/// Effective shares of problem b, shared with problem b - 1 when they are the same.
std::shared_ptr<const std::vector<double>> effective_shares(
    const Economy& e, const std::vector<const ReferenceState*>& references,
    const std::vector<StaticShock>& shocks, std::size_t b, const Problem* previous) {
  const StaticShock& s = shocks[b];
  if (previous != nullptr && references[b] == references[b - 1] &&
      s.trade_costs == shocks[b - 1].trade_costs && s.share_shifter == shocks[b - 1].share_shifter)
    return previous->log_q;
  return std::make_shared<const std::vector<double>>(
      te::log_effective_shares(e, *references[b], s));
}

}  // namespace

struct StaticBatch::Impl {
  const Context& ctx;
  const Economy& economy;
  std::vector<Problem> problems;
  // Workspaces, created on first use: one of the group size per worker, one for a shorter last
  // group.
  std::vector<std::unique_ptr<BatchSolve>> full;
  std::unique_ptr<BatchSolve> tail;
  int anderson_memory = -1;
};

StaticBatch::StaticBatch(const Context& ctx, const Economy& economy,
                         std::vector<const ReferenceState*> references,
                         const std::vector<StaticShock>& shocks)
    : impl_(new Impl{ctx, economy, {}, {}, nullptr}) {
  if (references.size() != shocks.size()) {
    throw DimensionMismatch("solve_static_batch: " + std::to_string(references.size()) +
                            " reference states but " + std::to_string(shocks.size()) + " shocks");
  }
  impl_->problems.resize(shocks.size());
  for (std::size_t b = 0; b < shocks.size(); ++b) {
    Problem& p = impl_->problems[b];
    p.reference = references[b];
    p.shock = te::expand(economy, shocks[b]);
    p.log_q =
        effective_shares(economy, references, shocks, b, b > 0 ? &impl_->problems[b - 1] : nullptr);
    p.cost_shift = te::log_cost_shift(p.shock);
  }
}

StaticBatch::~StaticBatch() = default;

void StaticBatch::set_chord(std::size_t b, const te::ChordMatrix* chord) {
  impl_->problems.at(b).chord = chord;
}

void StaticBatch::set_omega(std::size_t b, const std::vector<double>& omega) {
  Problem& p = impl_->problems.at(b);
  StaticShock shock;
  shock.omega_init = omega;
  p.shock.omega_init = te::expand(impl_->economy, shock).omega_init;
  p.u.clear();
  p.log_phat.clear();
  p.expenditure.clear();
}

void StaticBatch::set_labor(std::size_t b, std::vector<double> labor) {
  StaticShock shock;
  shock.labor = std::move(labor);
  Problem& p = impl_->problems.at(b);
  p.shock.labor = te::expand(impl_->economy, shock).labor;
}

std::vector<StaticSolution> StaticBatch::solve(const StaticOptions& options) {
  Impl& m = *impl_;
  const std::size_t count = m.problems.size();
  std::vector<StaticSolution> solutions(count);
  if (count == 0) return solutions;
  const std::size_t group = group_size(m.ctx, count);
  const long groups = static_cast<long>((count + group - 1) / group);
  const int workers = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(groups),
                                                             kernels::te_concurrent_groups(m.ctx)));
  if (m.anderson_memory != options.anderson_memory || m.full.size() != std::size_t(workers)) {
    m.full.clear();
    m.full.resize(static_cast<std::size_t>(workers));
    m.tail.reset();
    m.anderson_memory = options.anderson_memory;
  }
  const auto solve_group = [&](long g, std::size_t worker) {
    const std::size_t first = static_cast<std::size_t>(g) * group;
    const std::size_t members = std::min(group, count - first);
    std::unique_ptr<BatchSolve>& work = members == group ? m.full[worker] : m.tail;
    if (!work)
      work = std::make_unique<BatchSolve>(m.ctx, m.economy, members, options.anderson_memory);
    std::vector<StaticSolution> solved = work->run(m.problems, first, options);
    for (std::size_t b = 0; b < members; ++b) solutions[first + b] = std::move(solved[b]);
  };
  if (workers == 1) {
    // Not even an inactive parallel region around the kernels: inside one, libgomp would give
    // each of their parallel regions a fresh team of threads (measured: the base year 2x slower).
    for (long g = 0; g < groups; ++g) solve_group(g, 0);
    return solutions;
  }
  // Groups are independent: several at once on the CPU, each worker's kernels on its thread.
  std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic) num_threads(workers)
  for (long g = 0; g < groups; ++g) {
    try {
      solve_group(g, static_cast<std::size_t>(omp_get_thread_num()));
    } catch (...) {
#pragma omp critical(dynhat_static_batch_failure)
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
  return solutions;
}

StaticSolution solve_static(const Context& ctx, const Economy& economy,
                            const ReferenceState& reference, const StaticShock& shock,
                            const StaticOptions& options) {
  return StaticBatch(ctx, economy, {&reference}, {shock}).solve(options).front();
}

std::vector<StaticSolution> solve_static_batch(const Context& ctx, const Economy& economy,
                                               const std::vector<ReferenceState>& references,
                                               const std::vector<StaticShock>& shocks,
                                               const StaticOptions& options) {
  std::vector<const ReferenceState*> pointers;
  for (const ReferenceState& r : references) pointers.push_back(&r);
  return StaticBatch(ctx, economy, pointers, shocks).solve(options);
}

std::vector<StaticSolution> solve_static_batch(const Context& ctx, const Economy& economy,
                                               const ReferenceState& reference,
                                               const std::vector<StaticShock>& shocks,
                                               const StaticOptions& options) {
  return StaticBatch(ctx, economy, std::vector<const ReferenceState*>(shocks.size(), &reference),
                     shocks)
      .solve(options);
}

}  // namespace dynhat
