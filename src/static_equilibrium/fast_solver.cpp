// The fast temporary-equilibrium solver (ARCHITECTURE.md 4.3): Anderson on log factor prices,
// Anderson on log prices inside, GMRES on the expenditure system, all warm-started.
// Per outer iteration on the CDP tables: a few price sweeps (J N^2 exp each) and a few tens of
// operator applications (J N^2 + N J^2 flops each), against a 1914^3/3-flop LU and a price loop
// from scratch in the replication algorithm.
#include <chrono>
#include <cmath>

#include "anderson.hpp"
#include "dynhat/error.hpp"
#include "dynhat/static_equilibrium.hpp"
#include "static_equilibrium/gmres.hpp"
#include "static_equilibrium/te_terms.hpp"

namespace dynhat {

namespace {

constexpr int kGmresRestart = 40;
/// An outer residual this many times the best so far means Anderson has extrapolated too far.
constexpr double kBlowUp = 100.0;
constexpr int kMaxRestarts = 20;

double max_abs_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

/// An outer iterate with the warm starts that go with it.
struct Checkpoint {
  DeviceArray u;                    // log omega
  std::vector<double> log_phat;     // [J][N]
  std::vector<double> expenditure;  // [J][N]
  double residual;
};

/// Everything one problem carries from outer iteration to outer iteration.
class FastSolve {
 public:
  FastSolve(const Economy& e, const ReferenceState& ref, const StaticShock& shock,
            const StaticOptions& options)
      : e_(e),
        ref_(ref),
        options_(options),
        shock_(te::expand(e, shock)),
        log_q_(te::log_effective_shares(e, ref, shock_)),
        size_(e.sectors * e.regions),
        host_(Backend::cpu),
        log_omega_rel_(size_),
        log_phat_(size_, 0.0),
        expenditure_(size_, 0.0) {}

  StaticSolution run() {
    const auto start = std::chrono::steady_clock::now();
    StaticSolution out;
    DeviceArray u(host_, size_), g(host_, size_);
    for (std::size_t k = 0; k < size_; ++k) u.data()[k] = std::log(shock_.omega_init[k]);
    AndersonMixer mixer(host_, size_, options_.anderson_memory);
    std::vector<double> excess(size_);
    // Safeguard: Anderson may extrapolate far enough to leave the region where the prices and the
    // expenditure system are defined. Then its history is dropped and the iteration resumes with a
    // plain damped step from the best iterate so far (warm starts restored with it).
    Checkpoint best{DeviceArray(host_, size_), {}, {}, INFINITY};
    int restarts = 0;
    for (int it = 1; it <= options_.max_iterations; ++it) {
      bool evaluated = true;
      try {
        excess_demand(u.data(), excess);
      } catch (const NotConverged&) {
        evaluated = false;  // the expenditure system broke down at this extrapolated iterate
      }
      double residual = INFINITY;
      if (evaluated) {
        residual = 0.0;
        for (double f : excess) residual = std::max(residual, std::abs(f));
        if (!std::isfinite(residual)) residual = INFINITY;
      }
      out.report.iterations = it;
      out.report.residual = residual;
      out.report.residual_history.push_back(residual);
      if (!std::isfinite(best.residual) && !std::isfinite(residual)) break;  // not even a start
      if (residual > kBlowUp * best.residual) {
        if (++restarts > kMaxRestarts) break;
        mixer.restart();
        u.copy_from(best.u);
        log_phat_ = best.log_phat;
        expenditure_ = best.expenditure;
        excess_demand(u.data(), excess);
        for (std::size_t k = 0; k < size_; ++k) u.data()[k] += options_.damping * excess[k];
        continue;
      }
      if (residual < best.residual) {
        best.u.copy_from(u);
        best.log_phat = log_phat_;
        best.expenditure = expenditure_;
        best.residual = residual;
      }
      if (residual <= options_.tol) {
        out.report.converged = true;
        break;
      }
      for (std::size_t k = 0; k < size_; ++k)
        g.data()[k] = u.data()[k] + options_.damping * excess[k];
      mixer.step(u, g);
    }
    if (!out.report.converged && std::isfinite(best.residual)) {
      // Stopped at the cap: report the best iterate, with its prices, shares and expenditure.
      u.copy_from(best.u);
      log_phat_ = best.log_phat;
      expenditure_ = best.expenditure;
      excess_demand(u.data(), excess);
      out.report.residual = best.residual;
    }
    // Outputs at the final iterate (its prices, shares and expenditure are the last computed),
    // scaled to the replication algorithm's normalisation. The equilibrium is homogeneous of
    // degree 1 in (omega, phat, X); the damped update of the replication keeps the nominal world
    // value added sum_k VA_k Ldot_k^{1-xi} omega_k at its value for omega_init (a damped step
    // moves it by damping * (sum gamma Y - sum VA') = 0), so that is the scale reported here.
    out.omega.resize(size_);
    for (std::size_t k = 0; k < size_; ++k) out.omega[k] = std::exp(u.data()[k]);
    const double scale = world_value_added(shock_.omega_init) / world_value_added(out.omega);
    for (double& w : out.omega) w *= scale;
    out.sector_prices.resize(size_);
    for (std::size_t k = 0; k < size_; ++k) out.sector_prices[k] = scale * std::exp(log_phat_[k]);
    out.trade_shares = pi_;
    out.expenditure = expenditure_;
    for (double& x : out.expenditure) x *= scale;
    out.market_clearing_residual =
        te::market_clearing_residual(e_, ref_, te::sales(e_, pi_, out.expenditure),
                                     te::value_added_scale(e_, out.omega, shock_.labor));
    te::finish(e_, ref_, shock_, out);
    out.report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
  }

 private:
  /// sum_k VA_k Ldot_k^{1-xi} omega_k: nominal world value added at factor prices omega.
  double world_value_added(const std::vector<double>& omega) const {
    const std::vector<double> scale = te::value_added_scale(e_, omega, shock_.labor);
    double total = 0.0;
    for (std::size_t k = 0; k < size_; ++k) total += (ref_.VAL[k] + ref_.VAR[k]) * scale[k];
    return total;
  }

  /// excess = log omegatilde(u) - u, updating prices, shares and expenditure for u.
  void excess_demand(const double* u, std::vector<double>& excess) {
    std::vector<double> omega(size_);
    for (std::size_t k = 0; k < size_; ++k) {
      omega[k] = std::exp(u[k]);
      log_omega_rel_[k] = u[k] - std::log(shock_.omega_ref[k]);
    }
    solve_prices();
    std::vector<double> log_xhat;
    te::log_unit_costs(e_, log_omega_rel_, log_phat_, log_xhat);
    te::trade_shares(e_, log_q_, log_xhat, log_phat_, pi_);
    solve_expenditure(te::income(e_, ref_, te::value_added_scale(e_, omega, shock_.labor)));
    const std::vector<double> implied =
        te::implied_omega(e_, ref_, te::sales(e_, pi_, expenditure_), shock_.labor);
    for (std::size_t k = 0; k < size_; ++k) excess[k] = std::log(implied[k]) - u[k];
  }

  /// log phat = Phi(log phat) at the current factor prices, Anderson-accelerated, warm-started.
  void solve_prices() {
    DeviceArray x(host_, size_), phi(host_, size_);
    std::copy(log_phat_.begin(), log_phat_.end(), x.data());
    AndersonMixer mixer(host_, size_, options_.anderson_memory);
    std::vector<double> current(size_), log_xhat, next;
    for (int it = 0; it < options_.max_price_iterations; ++it) {
      std::copy(x.data(), x.data() + size_, current.begin());
      te::log_unit_costs(e_, log_omega_rel_, current, log_xhat);
      te::log_price_indices(e_, log_q_, log_xhat, next);
      if (max_abs_difference(next, current) <= options_.price_tol) break;
      std::copy(next.begin(), next.end(), phi.data());
      mixer.step(x, phi);
    }
    log_phat_ = next;
  }

  /// (I - Omega) X = alpha I by GMRES from the previous X. Rows and columns are scaled by the
  /// previous X (D^{-1} (I - Omega) D y = D^{-1} alpha I, X = D y): markets span five orders of
  /// magnitude on the CDP tables, and an unscaled 2-norm residual leaves the small ones with
  /// relative errors of 1e-7.
  void solve_expenditure(const std::vector<double>& income) {
    const std::size_t J = e_.sectors, N = e_.regions;
    std::vector<double> scale(size_), rhs(size_), y(size_);
    double mean = 0.0;
    for (double x : expenditure_) mean += std::abs(x) / static_cast<double>(size_);
    for (std::size_t k = 0; k < size_; ++k) {
      scale[k] = mean > 0.0 ? std::max(std::abs(expenditure_[k]), 1e-12 * mean) : 1.0;
      y[k] = expenditure_[k] / scale[k];
    }
    for (std::size_t j = 0; j < J; ++j)
      for (std::size_t n = 0; n < N; ++n)
        rhs[j * N + n] = e_.alpha[j] * income[n] / scale[j * N + n];
    std::vector<double> x(size_);
    const LinearOperator apply = [&](const std::vector<double>& v, std::vector<double>& out) {
      for (std::size_t k = 0; k < size_; ++k) x[k] = scale[k] * v[k];
      const std::vector<double> z = te::intermediate_demand(e_, te::sales(e_, pi_, x));
      out.resize(size_);
      for (std::size_t k = 0; k < size_; ++k) out[k] = v[k] - z[k] / scale[k];
    };
    const GmresReport report =
        gmres(apply, rhs, y, options_.expenditure_tol, kGmresRestart, 100 * kGmresRestart);
    if (!report.converged && !(report.relative_residual <= 1e3 * options_.expenditure_tol)) {
      throw NotConverged("expenditure system: GMRES stopped at relative residual " +
                         std::to_string(report.relative_residual));
    }
    for (std::size_t k = 0; k < size_; ++k) expenditure_[k] = scale[k] * y[k];
  }

  const Economy& e_;
  const ReferenceState& ref_;
  const StaticOptions& options_;
  const te::ExpandedShock shock_;
  const std::vector<double> log_q_;
  const std::size_t size_;
  const Context host_;
  std::vector<double> log_omega_rel_;
  std::vector<double> log_phat_;
  std::vector<double> expenditure_;
  std::vector<double> pi_;
};

}  // namespace

StaticSolution solve_static(const Economy& economy, const ReferenceState& reference,
                            const StaticShock& shock, const StaticOptions& options) {
  return FastSolve(economy, reference, shock, options).run();
}

namespace {

/// Problem b of a batch solved in parallel (OpenMP across problems); `reference(b)` is its
/// reference state. The first exception thrown is rethrown after the loop.
template <class Reference>
std::vector<StaticSolution> solve_batch(const Economy& economy, Reference reference,
                                        const std::vector<StaticShock>& shocks,
                                        const StaticOptions& options) {
  std::vector<StaticSolution> solutions(shocks.size());
  std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic)
  for (std::size_t b = 0; b < shocks.size(); ++b) {
    try {
      solutions[b] = solve_static(economy, reference(b), shocks[b], options);
    } catch (...) {
#pragma omp critical
      failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
  return solutions;
}

}  // namespace

std::vector<StaticSolution> solve_static_batch(const Economy& economy,
                                               const std::vector<ReferenceState>& references,
                                               const std::vector<StaticShock>& shocks,
                                               const StaticOptions& options) {
  if (references.size() != shocks.size()) {
    throw DimensionMismatch("solve_static_batch: " + std::to_string(references.size()) +
                            " reference states but " + std::to_string(shocks.size()) + " shocks");
  }
  return solve_batch(
      economy, [&](std::size_t b) -> const ReferenceState& { return references[b]; }, shocks,
      options);
}

std::vector<StaticSolution> solve_static_batch(const Economy& economy,
                                               const ReferenceState& reference,
                                               const std::vector<StaticShock>& shocks,
                                               const StaticOptions& options) {
  return solve_batch(
      economy, [&](std::size_t) -> const ReferenceState& { return reference; }, shocks, options);
}

}  // namespace dynhat
