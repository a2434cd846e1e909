#include "dynamic/path_equilibria.hpp"

#include <algorithm>
#include <cmath>

#include "runtime/stopwatch.hpp"
#include "static_equilibrium/te_terms.hpp"

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

namespace {

/// The shocks of slots 1..T-2 (labor set by each solve).
std::vector<StaticShock> slot_shocks(const DynamicModel& model, const CumulativeChanges& changes,
                                     const Matrix* warm_omega) {
  const std::size_t T = model.periods, JN = model.economy.sectors * model.economy.regions;
  std::vector<StaticShock> shocks(T - 2);
  for (std::size_t b = 0; b < shocks.size(); ++b) {
    const std::size_t t = 1 + b;
    shocks[b].productivity = changes.productivity[t];
    shocks[b].trade_costs = changes.trade_costs[t];
    if (warm_omega) shocks[b].omega_init.assign(warm_omega->row(t), warm_omega->row(t) + JN);
  }
  return shocks;
}

/// sum |log x| over the entries of a cumulative change (0 for an empty one: no change).
double log_distance(const std::vector<double>& x) {
  double d = 0.0;
  for (double v : x) d += std::abs(std::log(v));
  return d;
}

}  // namespace

PathEquilibriumBatch::PathEquilibriumBatch(const Context& ctx, const DynamicModel& model,
                                           const CumulativeChanges& changes,
                                           const Matrix* warm_omega,
                                           const te::ChordMatrix* base_chord)
    : ctx_(ctx),
      model_(model),
      shocks_(slot_shocks(model, changes, warm_omega)),
      base_chord_(base_chord),
      batch_(ctx, model.economy,
             std::vector<const ReferenceState*>(model.periods - 2, &model.base_year), shocks_) {
  for (std::size_t b = 0; b < shocks_.size(); ++b) {
    batch_.set_chord(b, base_chord);
    distance_.push_back(log_distance(shocks_[b].productivity) +
                        log_distance(shocks_[b].trade_costs));
  }
}

PathEquilibriumBatch::~PathEquilibriumBatch() = default;

std::vector<double> PathEquilibriumBatch::labor_ratio(const Matrix& L, std::size_t b) const {
  const Economy& e = model_.economy;
  const std::size_t J = e.sectors, N = e.regions, slots = J + 1, t = 1 + b;
  std::vector<double> labor(J * N, 1.0);
  for (std::size_t n = 0; n < e.mobile_regions; ++n) {
    for (std::size_t j = 0; j < J; ++j) {
      const std::size_t m = n * slots + 1 + j;
      // A market empty at slot 0 stays empty (mu0 rows scale, never create, labor): ratio 1.
      labor[j * N + n] = model_.L0[m] > 0.0 ? L(t, m) / model_.L0[m] : 1.0;
    }
  }
  return labor;
}

int PathEquilibriumBatch::anchor_dates(const Matrix& L, const StaticOptions& options,
                                       HostTransfers& transfers) {
  const Economy& e = model_.economy;
  const std::size_t dates = shocks_.size(), JN = e.sectors * e.regions;
  // How far each date is from the base year: its fundamentals and its labor at this first path.
  for (std::size_t b = 0; b < dates; ++b) distance_[b] += log_distance(labor_ratio(L, b));
  const double reach = *std::max_element(distance_.begin(), distance_.end());
  if (!(reach > 0.0)) return 0;  // a steady state: the base year is every date's neighbour

  // The base year, then the dates nearest to evenly spaced distances, each solved alone from
  // the previous anchor's solution (continuation) with that anchor's chord matrix.
  struct Anchor {
    double distance;
    std::vector<double> log_ratio;  // [J][N] log omega over the date's own start
    const te::ChordMatrix* chord;
  };
  std::vector<Anchor> anchors{{0.0, std::vector<double>(JN, 0.0), base_chord_}};
  int passes = 0;
  const std::size_t count = std::clamp<std::size_t>(dates / kDatesPerAnchor, 1, kMaxAnchors);
  for (std::size_t k = 1; k <= count; ++k) {
    const double target = reach * static_cast<double>(k) / static_cast<double>(count);
    std::size_t b = 0;
    for (std::size_t c = 1; c < dates; ++c)
      if (std::abs(distance_[c] - target) < std::abs(distance_[b] - target)) b = c;
    if (distance_[b] <= anchors.back().distance) continue;
    const std::vector<double> start = te::expand(e, shocks_[b]).omega_init;
    StaticShock shock = shocks_[b];
    shock.labor = labor_ratio(L, b);
    shock.omega_init.resize(JN);
    for (std::size_t i = 0; i < JN; ++i)
      shock.omega_init[i] = start[i] * std::exp(anchors.back().log_ratio[i]);
    StaticBatch alone(ctx_, e, {&model_.base_year}, {shock});
    alone.set_chord(0, anchors.back().chord);
    const StaticSolution x = alone.solve(options).front();
    transfers += alone.host_transfers();
    passes += x.report.iterations;
    if (!x.report.converged) break;  // the remaining dates keep the nearest anchor found
    chords_.push_back(std::make_unique<te::ChordMatrix>(ctx_, e, x.trade_shares, x.VAL, x.VAR));
    std::vector<double> log_ratio(JN);
    for (std::size_t i = 0; i < JN; ++i) log_ratio[i] = std::log(x.omega[i] / start[i]);
    anchors.push_back({distance_[b], std::move(log_ratio), chords_.back().get()});
  }
  for (std::size_t b = 0; b < dates; ++b) {
    // Between the anchors that bracket the date's distance: log omega interpolated (its start),
    // the nearer one's chord matrix.
    std::size_t hi = 1;
    while (hi + 1 < anchors.size() && anchors[hi].distance < distance_[b]) ++hi;
    if (hi >= anchors.size()) hi = anchors.size() - 1;
    const Anchor &a = anchors[hi - 1], &z = anchors[hi];
    const double w =
        z.distance > a.distance
            ? std::clamp((distance_[b] - a.distance) / (z.distance - a.distance), 0.0, 1.0)
            : 1.0;
    const std::vector<double> own = te::expand(e, shocks_[b]).omega_init;
    std::vector<double> omega(JN);
    for (std::size_t i = 0; i < JN; ++i)
      omega[i] = own[i] * std::exp((1.0 - w) * a.log_ratio[i] + w * z.log_ratio[i]);
    batch_.set_omega(b, omega);
    batch_.set_chord(b, w < 0.5 ? a.chord : z.chord);
  }
  return passes;
}

PathEquilibria PathEquilibriumBatch::solve(const Matrix& L, const StaticOptions& options) {
  const Stopwatch stopwatch;
  const DynamicModel& model = model_;
  const Economy& e = model.economy;
  const std::size_t T = model.periods, J = e.sectors, N = e.regions, R = e.mobile_regions;
  const std::size_t M = model.markets(), slots = J + 1;
  const std::size_t first = 1, count = T - 2;  // slots 1..T-2

  PathEquilibria out;
  const int anchor_passes =
      first_solve_ && base_chord_ != nullptr ? anchor_dates(L, options, out.host_transfers) : 0;
  first_solve_ = false;
  for (std::size_t b = 0; b < count; ++b) batch_.set_labor(b, labor_ratio(L, b));
  const std::vector<StaticSolution> solved = batch_.solve(options);
  out.host_transfers += batch_.host_transfers();
  out.iterations = anchor_passes;
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
    out.passes.push_back(x.report.iterations);
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
  out.seconds = stopwatch.seconds();
  return out;
}

}  // namespace dynhat::dynamic
