// The dynamic general-equilibrium path (baseline and counterfactual): an outer fixed point on the
// value path log Y ([T][M]).
//
// One evaluation of the outer map G at log Y:
//   1. the factorised migration path at Y and its labor path L(Y) (household/migration_path.hpp);
//   2. the temporary equilibria of slots 1..T-2 at L(Y), as one batch (path_equilibria.hpp), giving
//      the real-wage changes Cdot_t = W_t / W_{t-1};
//   3. anderson: the value path that solves E12 with those real wages, by the preconditioned
//      Anderson iteration of household/migration_path.hpp warm-started at Y (cheap next to step 2:
//      a few GEMMs); picard: one value update (E12 / E28), then Y <- (G + Y)/2, the replication's
//      iteration.
// Anderson then accelerates log Y <- G(log Y). The residual is max |G(log Y) - log Y|.
//
// The counterfactual is the same map on its own value path, Y'_t = Y_t * Yhat_t, its fundamentals
// the baseline's changed further by its own changes, with the decisions of slots before the news
// slot s frozen at the baseline's: with that, E27-E29 are E11-E13 of the counterfactual's own
// path (MODEL.md 5.5 factorisation; exact when no baseline cell switches on, which a baseline
// generated from mu0 by E11 guarantees: its flows are mu0's scaled by positive factors). Every path
// before slot s is the baseline's, copied.
//
// The map overshoots: labor responds strongly to a real-wage path and wages fall with labor, so
// plain iteration of G oscillates; Anderson accelerates the damped map x + damping (G(x) - x).
// Inexact early iterations: the temporary equilibria and the inner value path are solved to a
// tolerance tied to the current outer residual (1e-3 of it, never looser than 1e-4, and (1 - beta)
// times that for the inner path); the path is converged only when an evaluation at the tightest
// tolerances (options.te.tol, the inner one) meets options.tol.
//
// Spread over ranks (DynamicOptions::ranks), step 2's dates are split between them and gathered
// (path_equilibria.hpp); every other step runs on every rank, on the same data.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "dynamic/path_equilibria.hpp"
#include "dynhat/dynamic.hpp"
#include "dynhat/error.hpp"
#include "household/migration_path.hpp"
#include "kernels/kernels.hpp"
#include "runtime/host_transfers.hpp"
#include "runtime/stopwatch.hpp"
#include "solvers/anderson.hpp"
#include "static_equilibrium/chord_matrix.hpp"

namespace dynhat {

namespace {

/// The changes of both lists (cumulate() multiplies those at the same slot and entry).
FundamentalChanges combined(const FundamentalChanges& a, const FundamentalChanges& b) {
  FundamentalChanges out = a;
  out.productivity.insert(out.productivity.end(), b.productivity.begin(), b.productivity.end());
  out.trade_costs.insert(out.trade_costs.end(), b.trade_costs.begin(), b.trade_costs.end());
  return out;
}

/// Rows 0..rows-1 of `from` copied into `to` (same width).
void copy_rows(const Matrix& from, std::size_t rows, Matrix& to) {
  std::copy(from.data.begin(), from.data.begin() + rows * from.cols, to.data.begin());
}

/// Adds what the calling thread brings to the host during its lifetime to `total`.
class CountedTransfers {
 public:
  explicit CountedTransfers(HostTransfers& total) : total_(total) {}
  ~CountedTransfers() { total_ += meter_.read(); }
  CountedTransfers(const CountedTransfers&) = delete;
  CountedTransfers& operator=(const CountedTransfers&) = delete;

 private:
  HostTransfers& total_;
  const HostTransferMeter meter_;
};

/// A [rows][cols] array of the backend brought to the host.
Matrix to_matrix(const DeviceArray& a, std::size_t rows, std::size_t cols) {
  Matrix out(rows, cols);
  a.download(out.data.data(), out.size());
  return out;
}

/// Rows 0..rows-1 of `m`, on ctx's backend.
DeviceArray leading_rows(const Context& ctx, const Matrix& m, std::size_t rows) {
  return DeviceArray(ctx, std::vector<double>(m.data.begin(), m.data.begin() + rows * m.cols));
}

constexpr double kLoosestTolerance = 1e-4;
/// A counterfactual whose first residual (at its baseline's value path) exceeds this is far from
/// it (log Y off by more than 1): it restarts from the path that knows all its changes from slot
/// 0 on (see far_start()).
constexpr double kFarStart = 1.0;
/// The TE tolerance / the outer residual in early iterations; the inner value path's is (1 - beta)
/// times it (see tightest_inner_tol()).
constexpr double kInexactFraction = 1e-3;
constexpr int kInnerIterations = 10000;

/// The median of counts (0 for none).
double median(std::vector<int> counts) {
  if (counts.empty()) return 0.0;
  const std::size_t mid = counts.size() / 2;
  std::nth_element(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(mid), counts.end());
  return counts[mid];
}

std::vector<double> log_of(const Matrix& Y) {
  std::vector<double> out(Y.size());
  for (std::size_t k = 0; k < Y.size(); ++k) out[k] = std::log(Y.data[k]);
  return out;
}

class PathSolver {
 public:
  PathSolver(const Context& ctx, const DynamicModel& model, const DynamicOptions& options,
             const FundamentalChanges& changes, const PathSolution* baseline)
      : ctx_(ctx),
        model_(model),
        options_(options),
        baseline_(baseline),
        news_(baseline ? changes.news_slot : 0),
        own_changes_(changes),
        changes_(dynamic::cumulate(combined(model.baseline_changes, changes), model)),
        T_(model.periods),
        M_(model.markets()),
        path_(ctx, model.mu0, T_, model.beta, options.mu0_storage),
        cdot_(ctx, T_ * M_),
        pinned_wage_(baseline ? leading_rows(ctx, baseline->real_wage, news_)
                              : DeviceArray(ctx, 0)) {}

  PathSolution run() {
    const Stopwatch stopwatch;
    const std::size_t n = T_ * M_;
    DeviceArray log_y(ctx_, n), log_y_new(ctx_, n), evaluated(ctx_, n);
    if (baseline_) {
      const DeviceArray log_y_baseline(ctx_, log_of(baseline_->Y));
      path_.pin_decisions(log_y_baseline, news_, options_.dense_news_block_max);
      log_y.copy_from(log_y_baseline);
    } else {
      log_y.fill(0.0);
    }
    AndersonMixer mixer(ctx_, options_.method == OuterMethod::anderson ? n : 0,
                        options_.anderson_memory);

    PathSolution out;
    // The base year's chord matrix: every date starts near it (timed with the solve).
    const std::size_t unknowns = model_.economy.sectors * model_.economy.regions;
    const std::unique_ptr<te::ChordMatrix> chord =
        options_.te_chord && unknowns <= options_.chord_max_unknowns
            ? std::make_unique<te::ChordMatrix>(ctx_, model_.economy, model_.base_year.trade_shares,
                                                model_.base_year.VAL, model_.base_year.VAR)
            : nullptr;
    dynamic::PathEquilibriumBatch batch(ctx_, model_, changes_,
                                        baseline_ ? &baseline_->omega : nullptr, chord.get(),
                                        options_.ranks);
    dynamic::PathEquilibria equilibria;
    std::vector<int> first_passes, warm_passes;  // per date: the first evaluation, the others
    // A counterfactual starts at the converged baseline. One without changes is evaluated at full
    // accuracy first, so that it stops there at once (and equals the baseline); one with changes
    // is far from it, and starts loose like a baseline.
    const bool unchanged = own_changes_.productivity.empty() && own_changes_.trade_costs.empty();
    double previous = baseline_ && unchanged ? baseline_->report.residual : INFINITY;
    for (int it = 1; it <= options_.max_iterations; ++it) {
      const double te_tol =
          std::max(options_.te.tol, std::min(kLoosestTolerance, kInexactFraction * previous));
      const double inner_tol =
          std::max(tightest_inner_tol(),
                   (1.0 - model_.beta) * std::min(kLoosestTolerance, kInexactFraction * previous));
      try {
        evaluate(log_y, te_tol, inner_tol, batch, equilibria, log_y_new);
      } catch (const NotConverged& e) {  // a breakdown: say where the outer iteration stood
        throw NotConverged(
            fmt::format("{} path, outer iteration {}: {}; residual history so far: "
                        "[{:.3g}]",
                        baseline_ ? "counterfactual" : "baseline", it, e.what(),
                        fmt::join(out.report.residual_history, ", ")));
      }
      evaluated.copy_from(log_y);
      out.te_iterations += equilibria.iterations;
      std::vector<int>& passes = it == 1 ? first_passes : warm_passes;
      passes.insert(passes.end(), equilibria.passes.begin(), equilibria.passes.end());
      out.te_seconds += equilibria.seconds;
      out.te_host_transfers += equilibria.host_transfers;
      transfers_ += equilibria.host_transfers;
      double residual = NAN;
      {
        const CountedTransfers counted(transfers_);
        residual = kernels::diff_range(ctx_, n, log_y_new.data(), log_y.data()).max_abs();
      }
      // Spread over ranks, every rank holds the same iterate; all of them decide on one residual
      // all the same, so that no rank stops while another goes on.
      if (options_.ranks) residual = options_.ranks->all_max(residual);
      out.report.iterations = it;
      out.report.residual = residual;
      out.report.residual_history.push_back(residual);
      if (options_.progress) options_.progress(it, residual, stopwatch.seconds());
      if (!std::isfinite(residual)) break;
      if (residual <= options_.tol && te_tol == options_.te.tol &&
          inner_tol == tightest_inner_tol() && equilibria.converged) {
        out.report.converged = true;
        break;
      }
      previous = residual;
      if (baseline_ && it == 1 && residual > kFarStart &&
          options_.method == OuterMethod::anderson && far_start(log_y, out)) {
        continue;
      }
      const CountedTransfers counted(transfers_);
      if (options_.method == OuterMethod::picard) {
        kernels::average_in_levels(ctx_, n, log_y_new.data(), log_y.data());
      } else {
        kernels::axpby(ctx_, n, 1.0 - options_.damping, log_y.data(), options_.damping,
                       log_y_new.data());
        mixer.step(log_y, log_y_new);
      }
    }
    out.host_transfers = transfers_;
    finish(evaluated, batch, equilibria, out);
    out.te_passes_first = median(first_passes);
    out.te_passes_warm = median(warm_passes);
    out.report.seconds = stopwatch.seconds();
    return out;
  }

 private:
  /// The inner value path's tolerance once the outer residual is small: its residual (one value
  /// update) understates its error by up to 1/(1 - beta) along slowly mixing directions, and a
  /// loosely solved inner path makes the outer map inconsistent enough to stall Anderson. Early
  /// iterations solve it to (1 - beta) kInexactFraction of the outer residual: without the
  /// (1 - beta), the 5x shock of DynamicPath.AndersonNeedsFewOuterIterationsForALargeShock took
  /// 61 counterfactual iterations instead of 37 (38 with it).
  double tightest_inner_tol() const { return std::max(1e-13, 1e-3 * options_.tol); }

  /// One evaluation of the outer map at log_y: solves the temporary equilibria at its labor
  /// path and fills log_y_new = G(log_y), all on the backend.
  void evaluate(const DeviceArray& log_y, double te_tol, double inner_tol,
                dynamic::PathEquilibriumBatch& batch, dynamic::PathEquilibria& equilibria,
                DeviceArray& log_y_new) {
    DeviceArray labor(ctx_, 0);
    {
      const CountedTransfers counted(transfers_);
      path_.factorise(log_y);
      labor = path_.labor(model_.L0);
    }
    StaticOptions te = options_.te;
    te.tol = te_tol;
    equilibria = batch.solve(labor, te);
    const CountedTransfers counted(transfers_);
    // Before the news the equilibria are the baseline's (same labor, same fundamentals): taken
    // from it, so that Cdot_s = W'_s / W_{s-1} divides by the baseline's real wage.
    DeviceArray& real_wage = batch.real_wage();
    if (news_ > 0) {
      kernels::copy(ctx_, real_wage.data(), pinned_wage_.data(), news_ * M_ * sizeof(double),
                    kernels::CopyKind::device_to_device);
    }
    kernels::real_wage_changes(ctx_, M_, T_, real_wage.data(), cdot_.data());
    const double inv_nu = 1.0 / model_.nu;
    if (options_.method == OuterMethod::picard) {
      path_.value_update(cdot_, inv_nu, log_y_new);  // the path is factorised at log_y
      return;
    }
    log_y_new.copy_from(log_y);
    const IterationReport inner = solve_value_path_from(ctx_, path_, cdot_, inv_nu, log_y_new,
                                                        {OuterMethod::anderson,
                                                         inner_tol,
                                                         kInnerIterations,
                                                         options_.anderson_memory,
                                                         options_.mu0_storage,
                                                         {}});
    if (!inner.converged) {
      throw NotConverged(fmt::format(
          "value path with fixed real wages: residual {:.3g} after {} iterations (nu = {:g})",
          inner.residual, inner.iterations, model_.nu));
    }
  }

  /// Outputs at the last evaluated iterate, with its labor path and temporary equilibria.
  void finish(const DeviceArray& log_y, dynamic::PathEquilibriumBatch& batch,
              const dynamic::PathEquilibria& equilibria, PathSolution& out) {
    const std::size_t JN = model_.economy.sectors * model_.economy.regions;
    out.Y = to_matrix(log_y, T_, M_);
    if (baseline_) {
      out.Y_relative = Matrix(T_, M_);
      for (std::size_t k = 0; k < out.Y.size(); ++k)
        out.Y_relative.data[k] = std::exp(out.Y.data[k] - std::log(baseline_->Y.data[k]));
    }
    for (double& y : out.Y.data) y = std::exp(y);
    out.real_wage = to_matrix(batch.real_wage(), T_, M_);
    out.omega = to_matrix(batch.omega(), T_, JN);
    out.price_index = to_matrix(batch.price_index(), T_, model_.economy.regions);
    out.te_residual = equilibria.residual;
    out.te_converged = equilibria.converged;

    path_.factorise(log_y);
    out.L = to_matrix(path_.labor(model_.L0), T_, M_);
    const std::vector<double> c = path_.scalings().to_host();

    const std::vector<double> r = path_.row_sums().to_host();
    out.stay = Matrix(T_, M_);
    for (std::size_t t = 0; t < T_; ++t) {
      for (std::size_t m = 0; m < M_; ++m) {
        const double sum = r[t * M_ + m];
        out.stay(t, m) = sum > 0.0 ? model_.mu0(m, m) * c[t * M_ + m] / sum : 0.0;
      }
    }
    if (baseline_) copy_baseline_before_news(out);
  }

  /// A counterfactual far from its baseline (a large change, or one undoing the baseline's) takes
  /// many outer iterations from the baseline's value path, each of whose inner solves starts far
  /// from its solution. The path of Proposition 1 that knows every change from slot 0 on (the
  /// baseline's and the counterfactual's, as baseline changes) is near it: it differs only by the
  /// decisions before the news. Solved (a baseline: cold start, no pinned slots), its value path
  /// replaces log_y from the news slot on. Its work is counted in this path's TE and time.
  /// Returns false, leaving log_y, when that solve does not converge.
  bool far_start(DeviceArray& log_y, PathSolution& out) {
    DynamicModel known = model_;
    known.baseline_changes = combined(model_.baseline_changes, own_changes_);
    DynamicOptions options = options_;
    options.progress = nullptr;
    const PathSolution path = PathSolver(ctx_, known, options, {}, nullptr).run();
    out.te_iterations += path.te_iterations;
    out.te_seconds += path.te_seconds;
    out.te_host_transfers += path.te_host_transfers;
    transfers_ += path.host_transfers;
    if (!path.report.converged) return false;
    std::vector<double> start = log_of(path.Y);
    const std::vector<double> pinned = log_of(baseline_->Y);
    std::copy(pinned.begin(), pinned.begin() + news_ * M_, start.begin());
    log_y.upload(start.data(), start.size());
    return true;
  }

  /// Every path before the news slot s is the baseline's: Y, real wages, equilibria and stay
  /// shares of slots < s, labor of slots <= s (set by the decisions of slots < s). They equal it
  /// to rounding already; copied, they are its bits.
  void copy_baseline_before_news(PathSolution& out) const {
    const PathSolution& b = *baseline_;
    copy_rows(b.Y, news_, out.Y);
    std::fill(out.Y_relative.data.begin(), out.Y_relative.data.begin() + news_ * M_, 1.0);
    copy_rows(b.L, news_ + 1, out.L);
    copy_rows(b.real_wage, news_, out.real_wage);
    copy_rows(b.omega, news_, out.omega);
    copy_rows(b.price_index, news_, out.price_index);
    copy_rows(b.stay, news_, out.stay);
  }

  const Context& ctx_;
  const DynamicModel& model_;
  const DynamicOptions& options_;
  const PathSolution* baseline_;
  const std::size_t news_;  // counterfactual: the news slot (decisions before it pinned)
  const FundamentalChanges own_changes_;  // counterfactual: its changes relative to the baseline
  const dynamic::CumulativeChanges changes_;
  const std::size_t T_;
  const std::size_t M_;
  MigrationPath path_;
  DeviceArray cdot_;         // [T][M] the real-wage changes of the last evaluation
  DeviceArray pinned_wage_;  // [news][M] counterfactual: the baseline's real wages before the news
  HostTransfers transfers_;  // of the outer iterations (PathSolution::host_transfers)
};

}  // namespace

PathSolution solve_baseline(const Context& ctx, const DynamicModel& model,
                            const DynamicOptions& options) {
  validate(model);
  return PathSolver(ctx, model, options, {}, nullptr).run();
}

PathSolution solve_counterfactual(const Context& ctx, const DynamicModel& model,
                                  const PathSolution& baseline, const FundamentalChanges& changes,
                                  const DynamicOptions& options) {
  validate(model);
  validate(changes, model);
  if (baseline.Y.rows != model.periods || baseline.Y.cols != model.markets() ||
      baseline.omega.rows != model.periods) {
    throw DimensionMismatch("solve_counterfactual: the baseline does not match the model (T = " +
                            std::to_string(model.periods) +
                            ", M = " + std::to_string(model.markets()) + ")");
  }
  return PathSolver(ctx, model, options, changes, &baseline).run();
}

}  // namespace dynhat
