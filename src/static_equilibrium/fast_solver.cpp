// The fast temporary-equilibrium solver (ARCHITECTURE.md 4.2-4.3) for a batch of problems in
// lockstep on one backend: Anderson on log factor prices, Anderson on log prices inside, GMRES on
// the expenditure system, all warm-started. The O(J N^2) and O(N J^2) terms are the batched
// kernels of the list (kernels/*/te_terms.*), the Krylov and Anderson vectors stay on the
// backend; per problem and outer iteration O(J N) values travel to the host (income, implied
// factor prices). Every problem runs its own iteration, masked out of the batch once it stops, so
// its result does not depend on the other problems.
// Per outer iteration on the CDP tables: a few price sweeps (J N^2 exp each) and a few tens of
// operator applications (J N^2 + N J^2 flops each), against a 1914^3/3-flop LU and a price loop
// from scratch in the replication algorithm.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "anderson.hpp"
#include "dynhat/error.hpp"
#include "dynhat/static_equilibrium.hpp"
#include "kernels/kernels.hpp"
#include "static_equilibrium/gmres.hpp"
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

using Mask = std::vector<unsigned char>;

bool any(const Mask& flags) {
  return std::any_of(flags.begin(), flags.end(), [](unsigned char f) { return f != 0; });
}

/// Problems [first, first + count) of a batch solved together on one backend.
class BatchSolve {
 public:
  BatchSolve(const Context& ctx, const Economy& e, std::vector<const ReferenceState*> references,
             const std::vector<StaticShock>& shocks, const StaticOptions& options)
      : ctx_(ctx),
        e_(e),
        refs_(std::move(references)),
        options_(options),
        B_(refs_.size()),
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
        price_mixer_(ctx, size_, options.anderson_memory, B_),
        rhs_(ctx, B_ * size_),
        y_(ctx, B_ * size_),
        gmres_(ctx, B_, size_, kGmresRestart) {
    const std::size_t jnn = size_ * e.regions;
    for (std::size_t b = 0; b < B_; ++b) {
      shocks_.push_back(te::expand(e, shocks[b]));
      log_q_.upload(te::log_effective_shares(e, *refs_[b], shocks_[b]).data(), jnn, b * jnn);
    }
    log_phat_.fill(0.0);
    expenditure_.fill(0.0);
  }

  std::vector<StaticSolution> run() {
    const auto start = std::chrono::steady_clock::now();
    std::vector<StaticSolution> out(B_);
    const std::size_t length = B_ * size_;
    DeviceArray u(ctx_, length), g(ctx_, length);
    std::vector<double> host(length);
    for (std::size_t b = 0; b < B_; ++b)
      for (std::size_t k = 0; k < size_; ++k)
        host[b * size_ + k] = std::log(shocks_[b].omega_init[k]);
    u.upload(host.data(), length);
    AndersonMixer mixer(ctx_, size_, options_.anderson_memory, B_);
    // Safeguard: Anderson may extrapolate far enough to leave the region where the prices and the
    // expenditure system are defined. Then that problem's history is dropped and its iteration
    // resumes with a plain damped step from its best iterate (warm starts restored with it).
    DeviceArray best_u(ctx_, length), best_phat(ctx_, length), best_x(ctx_, length);
    std::vector<double> best(B_, INFINITY), u_host, excess;
    std::vector<int> restarts(B_, 0);
    Mask running(B_, 1);
    for (int it = 1; it <= options_.max_iterations && any(running); ++it) {
      Mask evaluated = excess_demand(u, running, u_host, excess);
      std::vector<double> residuals = max_abs(evaluated, excess);
      // A residual below tol from inexact inner solves is confirmed by an exact evaluation.
      Mask verify(B_, 0);
      for (std::size_t b = 0; b < B_; ++b) {
        verify[b] = running[b] != 0 && forcing_[b] > 0.0 && residuals[b] <= options_.tol;
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
        forcing_[b] = std::isfinite(residual) ? kForcing * residual : 0.0;
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
          report.converged = residual <= options_.tol;
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
        for (std::size_t b = 0; b < B_; ++b) {
          if (restart[b] == 0) continue;
          running[b] = ok[b];
          for (std::size_t k = 0; k < size_; ++k) {
            const std::size_t i = b * size_ + k;
            restart_u[i] += options_.damping * restart_excess[i];
          }
        }
        g.upload(restart_u.data(), length);
        kernels::segment_copy(ctx_, B_, size_, restart.data(), g.data(), u.data());
      }
      for (std::size_t i = 0; i < length; ++i) u_host[i] += options_.damping * excess[i];
      g.upload(u_host.data(), length);
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
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (StaticSolution& s : out) s.report.seconds = seconds;
    return out;
  }

 private:
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
    for (std::size_t b = 0; b < B_; ++b)
      for (std::size_t k = 0; k < size_; ++k)
        rel[b * size_ + k] = u_host[b * size_ + k] - std::log(shocks_[b].omega_ref[k]);
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
          e_, *refs_[b], {Y.begin() + b * size_, Y.begin() + (b + 1) * size_}, shocks_[b].labor);
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
    for (int it = 0; it < options_.max_price_iterations && any(running); ++it) {
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
        done[b] = running[b] != 0 && !(change[b] > std::max(options_.price_tol, forcing_[b]));
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
      const std::vector<double> income =
          te::income(e_, *refs_[b], te::value_added_scale(e_, omega, shocks_[b].labor));
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
    for (std::size_t b = 0; b < B_; ++b) tol[b] = std::max(options_.expenditure_tol, forcing_[b]);
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
          world_value_added(b, shocks_[b].omega_init) / world_value_added(b, s.omega);
      for (double& w : s.omega) w *= scale;
      s.sector_prices.resize(size_);
      for (std::size_t k = 0; k < size_; ++k)
        s.sector_prices[k] = scale * std::exp(log_phat[b * size_ + k]);
      s.trade_shares.resize(jnn);
      pi_.download(s.trade_shares.data(), jnn, b * jnn);
      s.expenditure.assign(x.begin() + b * size_, x.begin() + (b + 1) * size_);
      for (double& v : s.expenditure) v *= scale;
      s.market_clearing_residual =
          te::market_clearing_residual(e_, *refs_[b], te::sales(e_, s.trade_shares, s.expenditure),
                                       te::value_added_scale(e_, s.omega, shocks_[b].labor));
      te::finish(e_, *refs_[b], shocks_[b], s);
    }
  }

  /// sum_k VA_k Ldot_k^{1-xi} omega_k: nominal world value added of problem b at omega.
  double world_value_added(std::size_t b, const std::vector<double>& omega) const {
    const std::vector<double> scale = te::value_added_scale(e_, omega, shocks_[b].labor);
    double total = 0.0;
    for (std::size_t k = 0; k < size_; ++k)
      total += (refs_[b]->VAL[k] + refs_[b]->VAR[k]) * scale[k];
    return total;
  }

  const Context& ctx_;
  const Economy& e_;
  const std::vector<const ReferenceState*> refs_;
  const StaticOptions& options_;
  const std::size_t B_, size_;
  std::vector<te::ExpandedShock> shocks_;
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
};

/// Problems solved together: every thread's share of the work comes from within one batched
/// term on the CPU, so a group of `threads` problems keeps the cores busy with the memory of a
/// few problems; the GPU takes the whole batch.
std::size_t group_size(const Context& ctx, std::size_t batch) {
  if (ctx.backend() == Backend::cuda) return std::max<std::size_t>(batch, 1);
  return static_cast<std::size_t>(std::max(omp_get_max_threads(), 1));
}

/// Problem b of a batch, `reference(b)` its reference state, solved in groups in lockstep.
template <class Reference>
std::vector<StaticSolution> solve_groups(const Context& ctx, const Economy& economy,
                                         Reference reference,
                                         const std::vector<StaticShock>& shocks,
                                         const StaticOptions& options) {
  std::vector<StaticSolution> solutions;
  solutions.reserve(shocks.size());
  const std::size_t group = group_size(ctx, shocks.size());
  for (std::size_t first = 0; first < shocks.size(); first += group) {
    const std::size_t last = std::min(shocks.size(), first + group);
    std::vector<const ReferenceState*> references;
    for (std::size_t b = first; b < last; ++b) references.push_back(&reference(b));
    const std::vector<StaticShock> members(shocks.begin() + first, shocks.begin() + last);
    for (StaticSolution& s : BatchSolve(ctx, economy, references, members, options).run())
      solutions.push_back(std::move(s));
  }
  return solutions;
}

}  // namespace

StaticSolution solve_static(const Economy& economy, const ReferenceState& reference,
                            const StaticShock& shock, const StaticOptions& options) {
  const Context host(Backend::cpu);
  return BatchSolve(host, economy, {&reference}, {shock}, options).run().front();
}

std::vector<StaticSolution> solve_static_batch(const Context& ctx, const Economy& economy,
                                               const std::vector<ReferenceState>& references,
                                               const std::vector<StaticShock>& shocks,
                                               const StaticOptions& options) {
  if (references.size() != shocks.size()) {
    throw DimensionMismatch("solve_static_batch: " + std::to_string(references.size()) +
                            " reference states but " + std::to_string(shocks.size()) + " shocks");
  }
  return solve_groups(
      ctx, economy, [&](std::size_t b) -> const ReferenceState& { return references[b]; }, shocks,
      options);
}

std::vector<StaticSolution> solve_static_batch(const Context& ctx, const Economy& economy,
                                               const ReferenceState& reference,
                                               const std::vector<StaticShock>& shocks,
                                               const StaticOptions& options) {
  return solve_groups(
      ctx, economy, [&](std::size_t) -> const ReferenceState& { return reference; }, shocks,
      options);
}

}  // namespace dynhat
