// The temporary equilibria of a whole path as one batch (ARCHITECTURE.md 4.2). All TE recursions
// are multiplicative with row normalisation, so they telescope: the TE at slot t is a static
// exact-hat-algebra problem relative to the base-year equilibrium, with the cumulative labor ratio
// L_t / L_0 and the cumulative fundamental changes at t. Given the labor path the slots are
// independent; one persistent StaticBatch solves them together, warm-started from its own last
// solution at every evaluation, its factor-price iteration preconditioned by a chord matrix
// (te::ChordMatrix): the base year's for dates near it; for a path whose fundamentals move far
// from the base year, also those of a few dates spread along it (solved first, alone: anchors),
// each serving the dates nearest to it, and whose solutions start every date by continuation.
//
// A counterfactual's TE at slot t is, in the replication, a problem relative to the baseline's
// equilibrium at t; the baseline's is itself the base year with labor L_t / L_0 (constant
// fundamentals), and hat-algebra problems compose, so both paths are solved relative to the base
// year and their ratio is the replication's hat-hat change.
//
// Spread over ranks (DynamicOptions::ranks), each rank solves one contiguous block of the dates;
// every rank solves the anchors (so that each has their chord matrices), and after a solve every
// rank holds the whole path's outputs, gathered through the host.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "dynhat/dynamic.hpp"
#include "runtime/device_array.hpp"
#include "static_equilibrium/chord_matrix.hpp"
#include "static_equilibrium/static_batch.hpp"

namespace dynhat::dynamic {

/// Cumulative fundamentals at every slot: the product of the changes with slot <= t.
struct CumulativeChanges {
  std::vector<std::vector<double>> productivity;  ///< [T] of [J][N] (empty vector: all ones)
  std::vector<std::vector<double>> trade_costs;   ///< [T] of [J][N][N] (empty vector: all ones)
};
CumulativeChanges cumulate(const FundamentalChanges& changes, const DynamicModel& model);

/// What one solve of the batch reports (its outputs stay on the backend).
struct PathEquilibria {
  double residual = 0.0;    ///< largest market-clearing residual over slots 1..T-2
  bool converged = true;    ///< every slot converged
  long iterations = 0;      ///< factor-price iterations, all slots
  std::vector<int> passes;  ///< [T-2] factor-price iterations of slots 1..T-2
  /// All the solve brought to the host (StaticBatch::total_host_transfers; on a path's first
  /// solve also its anchors' and the labor ratios they need).
  HostTransfers host_transfers;
  double seconds = 0.0;
};

/// The TEs of slots 1..T-2 of one path, built once per path solve. Its inputs, states and
/// outputs stay on the context's backend: a solve brings back per-problem scalars only.
class PathEquilibriumBatch {
 public:
  /// `warm_omega` ([T][J N], a previous solution's omega; nullptr: omega = 1) starts the first
  /// solve; `base_chord` (the base year's chord matrix; nullptr: none, the damped iteration)
  /// preconditions the dates near the base year; `ranks` (nullptr: this process alone) splits
  /// the dates. Every argument must outlive the batch.
  PathEquilibriumBatch(const Context& ctx, const DynamicModel& model,
                       const CumulativeChanges& changes, const Matrix* warm_omega,
                       const te::ChordMatrix* base_chord, const Ranks* ranks);
  ~PathEquilibriumBatch();
  /// Solves at the labor path `L` on the backend ([>= T-1][M], row t = slot t; the same on every
  /// rank) at tolerance `options.tol`, each date from its own last solution, into real_wage(),
  /// omega() and price_index(). Throws NotConverged, before any solve and on every rank, if the
  /// labor of a market occupied at slot 0 is not positive and finite at some slot 1..T-2 (a
  /// breakdown of the iterate). The report is over all dates, the same on every rank.
  PathEquilibria solve(const DeviceArray& L, const StaticOptions& options);

  /// [T][M] (w_t/P_t)/(w_0/P_0) on the backend after a solve; 1 for q = 0 and at slot 0; row
  /// T-1 = row T-2. Writable: a counterfactual pins the rows before its news.
  DeviceArray& real_wage() { return real_wage_; }
  /// [T][J N] factor prices normalised to the base year's world value added, row 0 = 1, row
  /// T-1 = row T-2; [T][N] price indices in that numeraire; on the backend.
  const DeviceArray& omega() const { return omega_; }
  const DeviceArray& price_index() const { return price_index_; }

 private:
  /// The labor change ([J][N]) of date b (slot 1 + b, any rank's) at the labor path L.
  std::vector<double> labor_ratio(const DeviceArray& L, std::size_t b) const;
  /// Reports labor of an occupied market that is not positive and finite (NotConverged).
  [[noreturn]] void unresolved_labor(const DeviceArray& L) const;
  /// The first solve of a path away from the base year: anchor dates spread over the path's
  /// distance from the base year solved alone first, their chord matrices for the dates nearest
  /// to them, and every date's start interpolated between them. Returns their factor-price
  /// iterations; their host transfers are added to `transfers`.
  int anchor_dates(const DeviceArray& L, const StaticOptions& options, HostTransfers& transfers);
  /// Rows 1..T-2 of `a` ([T][cols] on the backend) from the ranks that solved them, on every
  /// rank.
  void gather_dates(DeviceArray& a, std::size_t cols) const;
  /// The report of this rank's dates combined with every other rank's.
  void combine(PathEquilibria& out) const;
  /// Per rank: `per_date` times the number of dates it solves.
  std::vector<std::size_t> date_counts(std::size_t per_date) const;
  /// Anchors beyond the base year, one per kDatesPerAnchor dates (at least one, at most
  /// kMaxAnchors): each chord matrix costs a dense LU of J N unknowns and two solves with R J + N
  /// - R right-hand sides (0.55 s on the CDP tables, 2-core EPYC). At T = 200 three of them cut
  /// the passes per date from ~6 to ~4; at T = 60 the path moves less far, and one anchor solved
  /// the China shock in 10.1 s against 12.4 s with two and 12.5 s with three (same iterations).
  static constexpr std::size_t kDatesPerAnchor = 66;
  static constexpr std::size_t kMaxAnchors = 3;

  const Context& ctx_;
  const DynamicModel& model_;
  const CumulativeChanges& changes_;
  const Matrix* warm_omega_;
  const Ranks* ranks_;
  const Block dates_;                // this rank's dates b (slot 1 + b) of 0..T-3
  std::vector<StaticShock> shocks_;  // [dates_.size()] this rank's dates, without labor
  const te::ChordMatrix* base_chord_;
  std::vector<double> distance_;  // [T-2] |log of the cumulative changes| (sum over entries)
  StaticBatch batch_;
  std::vector<std::unique_ptr<te::ChordMatrix>> chords_;  // of the anchors
  bool first_solve_ = true;
  const DeviceArray L0_, xi_;                    // [M], [N]
  DeviceArray labor_, labor_factor_;             // [dates_][J][N] the dates' labor inputs
  DeviceArray real_wage_, omega_, price_index_;  // the outputs, [T][M], [T][J N], [T][N]
  double base_world_va_ = 0.0;                   // the numeraire: the base year's world VA
};

}  // namespace dynhat::dynamic
