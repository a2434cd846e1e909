// Scenario sweeps (`dynhat sweep SWEEP.toml --out DIR`): one base scenario and a list or grid of
// variations of it, every counterfactual solved against the baseline of its model parameters,
// which is solved once per distinct (beta, nu, theta scale).
//
//   const Sweep sweep = read_sweep("sweep.toml");      // every point checked before any solve
//   SweepRun result = run_sweep(sweep, "out", {});     // out/scenarios/NAME/, summary.csv, ...
//
// A sweep can be cut into n shards (Slurm job arrays: `--shard i/n`), each writing its scenarios
// and a shard manifest; collect_sweep() joins the shard manifests into the sweep's summary.
// With MPI (DYNHAT_ENABLE_MPI), run_sweep_mpi() hands the scenarios to the ranks dynamically.
// README "Scenario sweeps" documents the file format and the outputs.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dynhat/run.hpp"
#include "dynhat/scenario.hpp"

namespace dynhat {

/// One scenario of a sweep: the base scenario with these variations (unset: as in the base).
struct SweepPoint {
  std::size_t index = 0;  ///< 0-based position in the sweep (the summary's row order)
  /// Its output directory under DIR/scenarios/: "0003" or "0003-variant", then one "key=value"
  /// per grid key ("0003-tariffs_beta=0.98").
  std::string name;
  std::string variant;  ///< the [[variant]] entry's name ("" without variants)
  /// The counterfactual's changes raised to this power (in logs: scaled by it).
  std::optional<double> shock_scale;
  /// The counterfactual's changes kept in these sectors only (the others are dropped).
  std::optional<std::vector<LabelOrIndex>> sectors;
  /// Productivity changes kept in these regions only, trade-cost changes on routes from these
  /// sources only.
  std::optional<std::vector<LabelOrIndex>> regions;
  std::optional<double> beta;         ///< model.beta
  std::optional<double> nu;           ///< model.nu
  std::optional<double> theta_scale;  ///< every sector's trade elasticity theta_j multiplied
};

struct Sweep {
  std::filesystem::path path;  ///< the sweep file
  Scenario base;               ///< its base scenario, read and checked
  std::vector<SweepPoint> points;
};

/// Reads a sweep file: `scenario` (the base scenario file, relative to the sweep file), a [grid]
/// of keys with lists of values (every combination) and/or [[variant]] entries (each crossed
/// with the grid). Keys: shock_scale, sectors, regions, beta, nu, theta_scale. Throws
/// InvalidInput naming the file, line:column, key and rule.
Sweep read_sweep(const std::filesystem::path& path);

/// The i-th of n slices (0 <= i < n) of a sweep, from "i/n".
struct Shard {
  std::size_t index = 0;
  std::size_t count = 1;
};
/// Parses "i/n"; throws InvalidInput naming `option` unless 0 <= i < n.
Shard parse_shard(std::string_view text, std::string_view option = "--shard");

/// The models of a sweep: the base scenario's inputs loaded once, one model per distinct
/// (beta, nu, theta_scale), and every point's changes resolved and checked up front (a point
/// whose sectors or regions leave no change is refused here, before any solve).
class SweepModels {
 public:
  SweepModels(const Sweep& sweep, std::optional<Backend> backend = {});
  /// From the base scenario's inputs already loaded (an MPI rank's copy of rank 0's; its device
  /// is every point's).
  SweepModels(const Sweep& sweep, const ModelInputs& base);

  std::size_t baselines() const { return models_.size(); }
  /// The baseline (index into the distinct models) that point `k` is solved against.
  std::size_t baseline_of(std::size_t point) const { return baseline_of_[point]; }
  /// "beta=0.99 nu=5.3436 theta_scale=1": the baseline's parameters, for names and messages.
  const std::string& baseline_label(std::size_t baseline) const { return labels_[baseline]; }
  /// Point k's inputs: its baseline's model with its own changes and manifest source. The
  /// reference stays valid until the next call for a point of the same baseline.
  const ModelInputs& inputs(std::size_t point);
  /// The inputs of baseline b (the base scenario's changes).
  const ModelInputs& baseline_inputs(std::size_t baseline) const { return models_[baseline]; }

 private:
  const Sweep* sweep_;
  std::vector<ModelInputs> models_;
  std::vector<std::string> labels_;
  std::vector<std::size_t> baseline_of_;
  std::vector<FundamentalChanges> changes_;
  std::string base_source_;  ///< the base scenario's manifest source (ModelInputs::source_json)
};

/// The points of `shard`, in the order they are solved: the points sorted by baseline (stable),
/// then cut into n contiguous slices whose sizes differ by at most one, so that a shard solves
/// as few baselines as it can.
std::vector<std::size_t> shard_points(const SweepModels& models, std::size_t points, Shard shard);

/// One row of the summary: a scenario's parameters and headline effects.
struct SweepRow {
  std::size_t index = 0;
  std::string name;
  std::string parameters_json;  ///< the point's variations as a JSON object
  std::size_t baseline = 0;     ///< which of the sweep's baselines
  bool converged = false;
  int baseline_iterations = 0;
  int counterfactual_iterations = 0;
  double manufacturing_effect_pp = 0.0;  ///< at the effects' horizon, percentage points
  double nonemployment_effect_pp = 0.0;  ///< at the horizon, percentage points
  double aggregate_welfare = 0.0;        ///< percent, consumption equivalent
  double seconds = 0.0;  ///< the counterfactual's solve (its baseline's is in the manifest)
  int rank = 0;          ///< the MPI rank (or 0) that solved it
};

struct SweepOptions {
  OutputFormat format = OutputFormat::csv;
  std::string command_line;  ///< recorded in every manifest
  Shard shard;               ///< the slice of the sweep this process solves
  std::optional<Backend> backend;
  /// Called after each scenario is written (for progress lines).
  std::function<void(const SweepRow&, std::size_t done, std::size_t of)> on_scenario;
};

struct SweepRun {
  std::vector<SweepRow> rows;        ///< the scenarios solved here, in index order
  std::size_t baselines_solved = 0;  ///< by this process
  double seconds = 0.0;
  int rank = 0;  ///< this process's MPI rank (0 without MPI)
  bool converged() const;
};

/// Solves the shard's scenarios, each baseline once, and writes DIR/scenarios/NAME/ (a whole
/// output directory, as `dynhat solve` writes), then the summary and the manifest: summary.csv
/// and sweep.json for a whole sweep, summary-i-of-n.csv and sweep-i-of-n.json for a shard.
/// `out` is created when missing; an existing one must be empty or an earlier sweep's.
SweepRun run_sweep(const Sweep& sweep, const std::filesystem::path& out,
                   const SweepOptions& options);

/// Joins the shard manifests of DIR (sweep-i-of-n.json, every i < n) into summary.csv and
/// sweep.json; throws InvalidInput naming the missing shards or scenarios.
SweepRun collect_sweep(const Sweep& sweep, const std::filesystem::path& out,
                       const std::string& command_line = {});

/// Whether this build runs sweeps over MPI ranks (DYNHAT_ENABLE_MPI).
bool sweep_mpi_available() noexcept;

/// The sweep over the ranks of MPI_COMM_WORLD (MPI is initialised for the call unless the caller
/// has done so): rank 0 sets up `out`, each distinct baseline is solved by one rank and broadcast
/// to the others bit for bit, and the ranks take scenarios one at a time from rank 0 until none
/// are left, each writing its own scenarios' directories (`out` must be on a file system every
/// rank sees); rank 0 writes summary.csv and sweep.json. Every rank returns the whole sweep's
/// rows. An error on any rank is thrown on every rank. Throws Error in a build without MPI.
SweepRun run_sweep_mpi(const Sweep& sweep, const std::filesystem::path& out,
                       const SweepOptions& options);

}  // namespace dynhat
