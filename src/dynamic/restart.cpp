// A model restarted at slot s from its solved baseline (MODEL.md section 3: Proposition 1 needs
// only L, the previous flows and one equilibrium as data, with the fundamentals' changes after it).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "dynamic/path_equilibria.hpp"
#include "dynhat/dynamic.hpp"
#include "dynhat/error.hpp"

namespace dynhat {

namespace {

/// The baseline's migration shares mu_{s-1} = rownorm(mu0 diag(c_{s-1})),
/// c_{s-1} = prod_{q=1}^{s} Y_q^beta (the factorised path, MODEL.md 5.5), in logs shifted by
/// their maximum.
Matrix previous_flows(const DynamicModel& model, const PathSolution& baseline, std::size_t slot) {
  const std::size_t M = model.markets();
  std::vector<double> log_c(M, 0.0);
  for (std::size_t q = 1; q <= slot; ++q)
    for (std::size_t m = 0; m < M; ++m) log_c[m] += model.beta * std::log(baseline.Y(q, m));
  const double shift = *std::max_element(log_c.begin(), log_c.end());
  Matrix mu(M, M);
  for (std::size_t i = 0; i < M; ++i) {
    double sum = 0.0;
    for (std::size_t k = 0; k < M; ++k) {
      mu(i, k) = model.mu0(i, k) * std::exp(log_c[k] - shift);
      sum += mu(i, k);
    }
    for (std::size_t k = 0; k < M; ++k) mu(i, k) /= sum;
  }
  return mu;
}

/// The temporary equilibrium at `slot` of the baseline path, solved again (from its omega) for
/// the trade shares and value added it does not keep; in the path's numeraire (world value added
/// equal to the base year's).
StaticSolution slot_equilibrium(const Context& ctx, const DynamicModel& model,
                                const PathSolution& baseline, std::size_t slot,
                                const StaticOptions& te) {
  const Economy& e = model.economy;
  const std::size_t J = e.sectors, N = e.regions, slots = J + 1;
  const dynamic::CumulativeChanges changes = dynamic::cumulate(model.baseline_changes, model);
  StaticShock shock;
  shock.productivity = changes.productivity[slot];
  shock.trade_costs = changes.trade_costs[slot];
  shock.labor.assign(J * N, 1.0);
  for (std::size_t n = 0; n < e.mobile_regions; ++n) {
    for (std::size_t j = 0; j < J; ++j) {
      const std::size_t m = n * slots + 1 + j;
      if (model.L0[m] > 0.0) shock.labor[j * N + n] = baseline.L(slot, m) / model.L0[m];
    }
  }
  shock.omega_init.assign(baseline.omega.row(slot), baseline.omega.row(slot) + J * N);
  StaticSolution x = solve_static(ctx, e, model.base_year, shock, te);
  if (!x.report.converged) {
    throw NotConverged(fmt::format(
        "restart at slot {}: the temporary equilibrium there did not converge (residual {:.3g} "
        "after {} iterations)",
        slot, x.report.residual, x.report.iterations));
  }
  double base_va = 0.0, va = 0.0;
  for (std::size_t k = 0; k < J * N; ++k) {
    base_va += model.base_year.VAL[k] + model.base_year.VAR[k];
    va += x.VAL[k] + x.VAR[k];
  }
  const double scale = base_va / va;
  for (std::size_t k = 0; k < J * N; ++k) {
    x.VAL[k] *= scale;
    x.VAR[k] *= scale;
    x.expenditure[k] *= scale;
  }
  return x;
}

/// The economy's equilibrium data replaced by the slot's (E30-E34 from its shares and
/// expenditure); the structure (gamma, G, alpha, theta, xi, iota) stays.
void set_equilibrium_data(Economy& e, const StaticSolution& x) {
  const std::size_t J = e.sectors, N = e.regions;
  e.trade_shares = x.trade_shares;
  e.VAL = x.VAL;
  e.VAR = x.VAR;
  e.absorption = x.expenditure;
  e.gross_output.assign(J * N, 0.0);
  for (std::size_t j = 0; j < J; ++j) {
    for (std::size_t n = 0; n < N; ++n) {
      for (std::size_t i = 0; i < N; ++i) {
        const std::size_t k = (j * N + n) * N + i;
        e.trade_flows[k] = x.trade_shares[k] * x.expenditure[j * N + n];
        e.gross_output[j * N + i] += e.trade_flows[k];
      }
    }
  }
  e.chi = 0.0;
  for (double r : e.VAR) e.chi += r;
  e.balance.assign(N, 0.0);
  for (std::size_t j = 0; j < J; ++j)
    for (std::size_t n = 0; n < N; ++n)
      e.balance[n] += e.gross_output[j * N + n] - e.absorption[j * N + n];
}

/// The changes after `slot`, moved `slot` slots earlier.
FundamentalChanges changes_after(const FundamentalChanges& changes, std::size_t slot) {
  FundamentalChanges out;
  for (ProductivityChange c : changes.productivity) {
    if (c.slot <= slot) continue;
    c.slot -= slot;
    out.productivity.push_back(c);
  }
  for (TradeCostChange c : changes.trade_costs) {
    if (c.slot <= slot) continue;
    c.slot -= slot;
    out.trade_costs.push_back(c);
  }
  return out;
}

}  // namespace

DynamicModel restart(const Context& ctx, const DynamicModel& model, const PathSolution& baseline,
                     std::size_t slot, const StaticOptions& te) {
  validate(model);
  if (slot < 1 || slot + 3 > model.periods) {
    throw InvalidInput(fmt::format("restart: slot {}, must be in [1, {}] (T = {})", slot,
                                   model.periods - 3, model.periods));
  }
  if (baseline.Y.rows != model.periods || baseline.Y.cols != model.markets() ||
      baseline.L.rows != model.periods || baseline.omega.rows != model.periods) {
    throw DimensionMismatch(
        fmt::format("restart: the baseline path does not match the model (T = {}, M = {})",
                    model.periods, model.markets()));
  }
  const StaticSolution x = slot_equilibrium(ctx, model, baseline, slot, te);
  DynamicModel out = model;
  set_equilibrium_data(out.economy, x);
  out.base_year = ReferenceState{x.trade_shares, x.VAL, x.VAR};
  out.mu0 = previous_flows(model, baseline, slot);
  out.L0.assign(baseline.L.row(slot), baseline.L.row(slot) + model.markets());
  out.periods = model.periods - slot;
  out.baseline_changes = changes_after(model.baseline_changes, slot);
  return out;
}

}  // namespace dynhat
