#include "dynamic/path_equilibria.hpp"

#include <chrono>
#include <cmath>

namespace dynhat::dynamic {

CumulativeChanges cumulate(const FundamentalChanges& changes, const DynamicModel& model) {
  const Economy& e = model.economy;
  const std::size_t T = model.periods, J = e.sectors, N = e.regions;
  CumulativeChanges out;
  out.productivity.resize(T);
  out.trade_costs.resize(T);
  if (!changes.productivity.empty()) {
    std::vector<std::vector<double>> step(T, std::vector<double>(J * N, 1.0));
    for (const ProductivityChange& c : changes.productivity)
      step[c.slot][c.sector * N + c.region] *= c.factor;
    std::vector<double> level(J * N, 1.0);
    for (std::size_t t = 0; t < T; ++t) {
      for (std::size_t k = 0; k < J * N; ++k) level[k] *= step[t][k];
      out.productivity[t] = level;
    }
  }
  if (!changes.trade_costs.empty()) {
    // [J][N][N] per slot only from the first change on: O(T J N^2) memory when trade costs change.
    std::vector<std::vector<const TradeCostChange*>> at(T);
    for (const TradeCostChange& c : changes.trade_costs) at[c.slot].push_back(&c);
    std::vector<double> level(J * N * N, 1.0);
    bool changed = false;
    for (std::size_t t = 0; t < T; ++t) {
      for (const TradeCostChange* c : at[t])
        level[(c->sector * N + c->destination) * N + c->source] *= c->factor;
      changed = changed || !at[t].empty();
      if (changed) out.trade_costs[t] = level;
    }
  }
  return out;
}

PathEquilibria solve_path_equilibria(const Context& ctx, const DynamicModel& model, const Matrix& L,
                                     const CumulativeChanges& changes, const Matrix* warm_omega,
                                     const StaticOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const Economy& e = model.economy;
  const std::size_t T = model.periods, J = e.sectors, N = e.regions, R = e.mobile_regions;
  const std::size_t M = model.markets(), slots = J + 1;
  const std::size_t first = 1, count = T - 2;  // slots 1..T-2

  std::vector<StaticShock> shocks(count);
  for (std::size_t b = 0; b < count; ++b) {
    const std::size_t t = first + b;
    StaticShock& s = shocks[b];
    s.labor.assign(J * N, 1.0);
    for (std::size_t n = 0; n < R; ++n) {
      for (std::size_t j = 0; j < J; ++j) {
        const std::size_t m = n * slots + 1 + j;
        // A market empty at slot 0 stays empty (mu0 rows scale, never create, labor): ratio 1.
        s.labor[j * N + n] = model.L0[m] > 0.0 ? L(t, m) / model.L0[m] : 1.0;
      }
    }
    s.productivity = changes.productivity[t];
    s.trade_costs = changes.trade_costs[t];
    if (warm_omega) s.omega_init.assign(warm_omega->row(t), warm_omega->row(t) + J * N);
  }
  const std::vector<StaticSolution> solved =
      solve_static_batch(ctx, e, model.base_year, shocks, options);

  PathEquilibria out;
  out.real_wage = Matrix(T, M, 1.0);
  out.omega = Matrix(T, J * N, 1.0);
  out.price_index = Matrix(T, N, 1.0);
  double base_world_va = 0.0;
  for (std::size_t k = 0; k < J * N; ++k)
    base_world_va += model.base_year.VAL[k] + model.base_year.VAR[k];
  for (std::size_t b = 0; b < count; ++b) {
    const std::size_t t = first + b;
    const StaticSolution& x = solved[b];
    out.residual = std::max(out.residual, x.market_clearing_residual);
    out.converged = out.converged && x.report.converged;
    out.iterations += x.report.iterations;
    // Numeraire: nominal world value added equal to the base year's (real wages are unaffected).
    double world_va = 0.0;
    for (std::size_t k = 0; k < J * N; ++k) world_va += x.VAL[k] + x.VAR[k];
    const double scale = base_world_va / world_va;
    for (std::size_t k = 0; k < J * N; ++k) out.omega(t, k) = scale * x.omega[k];
    for (std::size_t n = 0; n < N; ++n) out.price_index(t, n) = scale * x.price_index[n];
    for (std::size_t n = 0; n < R; ++n) {
      for (std::size_t j = 0; j < J; ++j)
        out.real_wage(t, n * slots + 1 + j) = x.real_wage[j * N + n];
    }
  }
  // Slot T-1 has no TE of its own (its real-wage change is never used); it repeats slot T-2.
  std::copy(out.real_wage.row(T - 2), out.real_wage.row(T - 2) + M, out.real_wage.row(T - 1));
  std::copy(out.omega.row(T - 2), out.omega.row(T - 2) + J * N, out.omega.row(T - 1));
  std::copy(out.price_index.row(T - 2), out.price_index.row(T - 2) + N, out.price_index.row(T - 1));
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace dynhat::dynamic
