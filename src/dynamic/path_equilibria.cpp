#include "dynamic/path_equilibria.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "dynhat/error.hpp"
#include "kernels/kernels.hpp"
#include "runtime/host_transfers.hpp"
#include "runtime/stopwatch.hpp"
#include "static_equilibrium/batch_solve.hpp"
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

/// The shock of slot t (labor set by each solve).
StaticShock slot_shock(const DynamicModel& model, const CumulativeChanges& changes,
                       const Matrix* warm_omega, std::size_t t) {
  const std::size_t JN = model.economy.sectors * model.economy.regions;
  StaticShock shock;
  shock.productivity = changes.productivity[t];
  shock.trade_costs = changes.trade_costs[t];
  if (warm_omega) shock.omega_init.assign(warm_omega->row(t), warm_omega->row(t) + JN);
  return shock;
}

/// The shocks of the dates in `dates` (date b: slot 1 + b).
std::vector<StaticShock> date_shocks(const DynamicModel& model, const CumulativeChanges& changes,
                                     const Matrix* warm_omega, Block dates) {
  std::vector<StaticShock> shocks;
  for (std::size_t b = dates.first; b < dates.last; ++b)
    shocks.push_back(slot_shock(model, changes, warm_omega, 1 + b));
  return shocks;
}

/// The dates b (slot 1 + b) of 0..T-3 this rank solves.
Block own_dates(const DynamicModel& model, const Ranks* ranks) {
  const std::size_t dates = model.periods - 2;
  if (!ranks) return {0, dates};
  if (static_cast<std::size_t>(ranks->size()) > dates) {
    throw InvalidInput(fmt::format(
        "a path of {} periods has {} temporary equilibria: it cannot be spread over {} ranks",
        model.periods, dates, ranks->size()));
  }
  return block_of(dates, ranks->rank(), ranks->size());
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
                                           const te::ChordMatrix* base_chord, const Ranks* ranks)
    : ctx_(ctx),
      model_(model),
      changes_(changes),
      warm_omega_(warm_omega),
      ranks_(ranks),
      dates_(own_dates(model, ranks)),
      shocks_(date_shocks(model, changes, warm_omega, dates_)),
      base_chord_(base_chord),
      batch_(ctx, model.economy,
             std::vector<const ReferenceState*>(shocks_.size(), &model.base_year), shocks_),
      L0_(ctx, model.L0),
      xi_(ctx, model.economy.xi),
      labor_(ctx, shocks_.size() * model.economy.sectors * model.economy.regions),
      labor_factor_(ctx, labor_.size()),
      real_wage_(ctx, std::vector<double>(model.periods * model.markets(), 1.0)),
      omega_(ctx, std::vector<double>(model.periods * model.economy.sectors * model.economy.regions,
                                      1.0)),
      price_index_(ctx, std::vector<double>(model.periods * model.economy.regions, 1.0)) {
  for (std::size_t b = 0; b < shocks_.size(); ++b) batch_.set_chord(b, base_chord);
  for (std::size_t t = 1; t + 1 < model.periods; ++t)
    distance_.push_back(log_distance(changes.productivity[t]) +
                        log_distance(changes.trade_costs[t]));
  const ReferenceState& base = model.base_year;
  for (std::size_t k = 0; k < base.VAL.size(); ++k) base_world_va_ += base.VAL[k] + base.VAR[k];
}

PathEquilibriumBatch::~PathEquilibriumBatch() = default;

std::vector<double> PathEquilibriumBatch::labor_ratio(const DeviceArray& L, std::size_t b) const {
  const Economy& e = model_.economy;
  const std::size_t JN = e.sectors * e.regions;
  DeviceArray labor(ctx_, JN), factor(ctx_, JN);
  kernels::te_labor_inputs(ctx_, 1, e.sectors, e.regions, e.mobile_regions,
                           L.row(1 + b, model_.markets()), L0_.data(), xi_.data(), labor.data(),
                           factor.data());
  return labor.to_host();
}

void PathEquilibriumBatch::unresolved_labor(const DeviceArray& L) const {
  const std::size_t T = model_.periods, M = model_.markets(), slots = model_.economy.sectors + 1;
  std::vector<double> labor(M * (T - 1));
  L.download(labor.data(), labor.size());
  for (std::size_t t = 1; t + 1 < T; ++t) {
    for (std::size_t m = 0; m < M; ++m) {
      const double l = labor[t * M + m];
      if (m % slots != 0 && model_.L0[m] > 0.0 && !(l > 0.0 && std::isfinite(l))) {
        throw NotConverged(fmt::format(
            "numerical breakdown: labor of market {} at slot {} is {} (L0 = {:g}), must stay "
            "positive and finite; the path is not resolvable in double precision (nu = {:g}; "
            "check for extreme shock factors)",
            m, t, l, model_.L0[m], model_.nu));
      }
    }
  }
  throw NotConverged("numerical breakdown: the labor path is not positive and finite");
}

int PathEquilibriumBatch::anchor_dates(const DeviceArray& L, const StaticOptions& options,
                                       HostTransfers& transfers) {
  const Economy& e = model_.economy;
  const std::size_t dates = distance_.size(), JN = e.sectors * e.regions;
  // How far each date is from the base year: its fundamentals and its labor at this first path
  // (each rank measures its own dates' labor; every rank gets all of them).
  const HostTransferMeter meter;
  const std::vector<double> ratios = labor_.to_host();
  transfers += meter.read();
  std::vector<double> labor_distance(dates_.size());
  for (std::size_t b = 0; b < dates_.size(); ++b) {
    labor_distance[b] = log_distance({ratios.begin() + static_cast<std::ptrdiff_t>(b * JN),
                                      ratios.begin() + static_cast<std::ptrdiff_t>((b + 1) * JN)});
  }
  if (ranks_) {
    std::vector<double> all(dates);
    ranks_->all_gather(labor_distance.data(), date_counts(1), all.data());
    labor_distance = std::move(all);
  }
  for (std::size_t b = 0; b < dates; ++b) distance_[b] += labor_distance[b];
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
    StaticShock shock = slot_shock(model_, changes_, warm_omega_, 1 + b);
    const std::vector<double> start = te::expand(e, shock).omega_init;
    {
      const HostTransferMeter ratio_meter;
      shock.labor = labor_ratio(L, b);
      transfers += ratio_meter.read();
    }
    shock.omega_init.resize(JN);
    for (std::size_t i = 0; i < JN; ++i)
      shock.omega_init[i] = start[i] * std::exp(anchors.back().log_ratio[i]);
    StaticBatch alone(ctx_, e, {&model_.base_year}, {shock});
    alone.set_chord(0, anchors.back().chord);
    const StaticSolution x = alone.solve(options).front();
    transfers += alone.total_host_transfers();
    passes += x.report.iterations;
    if (!x.report.converged) break;  // the remaining dates keep the nearest anchor found
    chords_.push_back(std::make_unique<te::ChordMatrix>(ctx_, e, x.trade_shares, x.VAL, x.VAR));
    std::vector<double> log_ratio(JN);
    for (std::size_t i = 0; i < JN; ++i) log_ratio[i] = std::log(x.omega[i] / start[i]);
    anchors.push_back({distance_[b], std::move(log_ratio), chords_.back().get()});
  }
  for (std::size_t b = 0; b < dates_.size(); ++b) {
    // Between the anchors that bracket the date's distance: log omega interpolated (its start),
    // the nearer one's chord matrix.
    const double d = distance_[dates_.first + b];
    std::size_t hi = 1;
    while (hi + 1 < anchors.size() && anchors[hi].distance < d) ++hi;
    if (hi >= anchors.size()) hi = anchors.size() - 1;
    const Anchor &a = anchors[hi - 1], &z = anchors[hi];
    const double w = z.distance > a.distance
                         ? std::clamp((d - a.distance) / (z.distance - a.distance), 0.0, 1.0)
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

PathEquilibria PathEquilibriumBatch::solve(const DeviceArray& L, const StaticOptions& options) {
  const Stopwatch stopwatch;
  const Economy& e = model_.economy;
  const std::size_t T = model_.periods, J = e.sectors, N = e.regions, M = model_.markets();

  PathEquilibria out;
  {
    const HostTransferMeter meter;
    double unresolved = static_cast<double>(kernels::te_labor_inputs(
        ctx_, dates_.size(), J, N, e.mobile_regions, L.row(1 + dates_.first, M), L0_.data(),
        xi_.data(), labor_.data(), labor_factor_.data()));
    out.host_transfers += meter.read();
    if (ranks_) unresolved = ranks_->all_sum(unresolved);
    if (unresolved > 0) unresolved_labor(L);  // L is every rank's: they all say the same
  }
  batch_.set_labor(labor_, labor_factor_);
  // Slot t's outputs at row t = 1 + b; the numeraire: nominal world value added equal to the
  // base year's (real wages are unaffected).
  const te::BackendOutputs outputs{base_world_va_, omega_.row(1 + dates_.first, J * N),
                                   price_index_.row(1 + dates_.first, N),
                                   real_wage_.row(1 + dates_.first, M), M};
  std::vector<StaticSolution> solved;
  int anchor_passes = 0;
  together(ranks_, [&] {
    if (first_solve_ && base_chord_ != nullptr)
      anchor_passes = anchor_dates(L, options, out.host_transfers);
    first_solve_ = false;
    solved = batch_.solve(options, outputs);
  });
  out.host_transfers += batch_.total_host_transfers();
  for (const StaticSolution& x : solved) {
    out.residual = std::max(out.residual, x.market_clearing_residual);
    out.converged = out.converged && x.report.converged;
    out.iterations += x.report.iterations;
    out.passes.push_back(x.report.iterations);
  }
  if (ranks_) {
    const HostTransferMeter meter;
    combine(out);
    gather_dates(real_wage_, M);
    gather_dates(omega_, J * N);
    gather_dates(price_index_, N);
    out.host_transfers += meter.read();
  }
  out.iterations += anchor_passes;  // every rank solved the same anchors: counted once
  // Slot T-1 has no TE of its own (its real-wage change is never used); it repeats slot T-2.
  const auto repeat_last = [&](DeviceArray& a, std::size_t cols) {
    kernels::copy(ctx_, a.row(T - 1, cols), a.row(T - 2, cols), cols * sizeof(double),
                  kernels::CopyKind::device_to_device);
  };
  repeat_last(real_wage_, M);
  repeat_last(omega_, J * N);
  repeat_last(price_index_, N);
  out.seconds = stopwatch.seconds();
  return out;
}

std::vector<std::size_t> PathEquilibriumBatch::date_counts(std::size_t per_date) const {
  std::vector<std::size_t> counts;
  for (int r = 0; r < ranks_->size(); ++r)
    counts.push_back(block_of(distance_.size(), r, ranks_->size()).size() * per_date);
  return counts;
}

void PathEquilibriumBatch::gather_dates(DeviceArray& a, std::size_t cols) const {
  std::vector<double> mine(dates_.size() * cols), all(distance_.size() * cols);
  a.download(mine.data(), mine.size(), (1 + dates_.first) * cols);
  ranks_->all_gather(mine.data(), date_counts(cols), all.data());
  a.upload(all.data(), all.size(), cols);
}

void PathEquilibriumBatch::combine(PathEquilibria& out) const {
  out.residual = ranks_->all_max(out.residual);
  out.converged = ranks_->all_max(out.converged ? 0.0 : 1.0) == 0.0;
  out.iterations = static_cast<long>(ranks_->all_sum(static_cast<double>(out.iterations)));
  const std::vector<double> mine(out.passes.begin(), out.passes.end());
  std::vector<double> all(distance_.size());
  ranks_->all_gather(mine.data(), date_counts(1), all.data());
  out.passes.assign(all.begin(), all.end());
}

}  // namespace dynhat::dynamic
