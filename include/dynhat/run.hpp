// The run pipeline every front end shares (the command-line tool today; Python and HPC drivers
// next): the model inputs of a scenario, the solve (baseline, counterfactual, effects), and the
// output directory with its manifest (report.json).
//
//   ModelInputs inputs = load_model(read_scenario("china.toml"));
//   OutputDirectory out("china-output");             // checked before any solving
//   RunResult result = run(inputs, {});
//   write_outputs(out, inputs, result, {});          // all files appear together, or none
//
// A solved baseline is a reusable artefact: write_outputs stores everything a counterfactual
// needs under baseline/ with the scenario parts it depends on and their hashes
// (baseline/baseline.json); read_baseline() loads it and require_matching_baseline() refuses one
// solved for other data, model or tolerances. A counterfactual solved from a reloaded baseline
// equals the one solved in one go, bit for bit.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dynhat/backend.hpp"
#include "dynhat/dynamic.hpp"
#include "dynhat/effects.hpp"
#include "dynhat/io.hpp"
#include "dynhat/scenario.hpp"

namespace dynhat {

/// Format of the matrix outputs (the effects tables and report.json are always CSV and JSON).
/// mat: the path files as CSV plus the replication kit's workspaces baseline.mat and
/// counterfactual.mat (README "Command-line reference", `--format mat`).
enum class OutputFormat { csv, npy, mat };
/// "csv", "npy" or "mat"; anything else throws InvalidInput naming `what`.
OutputFormat parse_output_format(std::string_view name, std::string_view what = "format");
std::string_view to_string(OutputFormat format) noexcept;

/// An input file of a run with its SHA-256, for the manifest.
struct InputFile {
  std::string role;  ///< e.g. "scenario", "L0", "tables/bilateral_trade.csv"
  std::filesystem::path path;
  std::string sha256;
};

/// Everything a run needs.
struct ModelInputs {
  DynamicModel model;  ///< economy, base-year equilibrium, L0, mu0, T, beta, nu
  FundamentalChanges changes;
  EffectsOptions effects;
  DynamicOptions options;
  Backend backend = Backend::cpu;
  int device = 0;  ///< the CUDA device of a cuda run (over MPI ranks: device_for_rank())
  /// Label of slot 0 as "YYYYQn" (later slots count quarters from it): the employment table's
  /// quarter column.
  std::string first_quarter = "2000Q1";
  std::string description;       ///< one line on where the inputs come from (printed first)
  std::vector<InputFile> files;  ///< files read, with their SHA-256
  /// JSON object describing the source in full (the scenario's path and its shocks as written,
  /// or the demo's parameters); copied into the manifest as "source".
  std::string source_json = "{}";
};

/// The model of a scenario: the tables, L0 and mu0 read and checked, the base-year equilibrium
/// solved (on the CPU), the shocks and manufacturing sectors resolved. `backend` overrides the
/// scenario's solver.backend when given. Throws InvalidInput naming the file, entry and rule.
ModelInputs load_model(const Scenario& scenario, std::optional<Backend> backend = {});

/// The embedded default (`dynhat demo`): a seeded synthetic economy and a China-like shock, the
/// productivity of one country's manufacturing sectors growing by `factor` over `quarters`.
struct DemoSpec {
  std::size_t regions = 87;
  std::size_t mobile_regions = 50;
  std::size_t sectors = 22;
  std::size_t periods = 200;
  std::uint64_t seed = 20190101;
  double factor = 2.0;
  std::size_t quarters = 28;
  Backend backend = Backend::cpu;
};
/// The demo's model. Manufacturing is the first 12 of 22 sectors, in proportion for other J (a
/// strict subset whenever J >= 2), and the shocked country is region R + 6 (the CDP's China),
/// the last region in a smaller economy.
ModelInputs demo_model(const DemoSpec& spec);

struct RunOptions {
  ProgressCallback baseline_progress;        ///< per outer iteration of the baseline
  ProgressCallback counterfactual_progress;  ///< per outer iteration of the counterfactual
  /// A saved baseline to reuse (see read_baseline and require_matching_baseline): the baseline
  /// is then not solved again.
  const PathSolution* baseline = nullptr;
};

struct RunResult {
  PathSolution baseline;
  bool baseline_reused = false;
  std::optional<PathSolution> counterfactual;  ///< empty for a baseline-only run
  std::optional<Effects> effects;              ///< with the counterfactual
  double seconds = 0.0;                        ///< wall time of the solve
  double started = 0.0;                        ///< Unix time (s) when the solve started
  double finished = 0.0;                       ///< Unix time (s) when it ended
  /// Every path solved or reused converged, outer iteration and temporary equilibria.
  bool converged() const;
};

/// Baseline, counterfactual and effects on the inputs' backend.
RunResult run(const ModelInputs& inputs, const RunOptions& options = {});
/// The baseline only (`dynhat baseline`).
RunResult run_baseline(const ModelInputs& inputs, const RunOptions& options = {});

struct OutputSettings {
  OutputFormat format = OutputFormat::csv;
  std::string command_line;  ///< recorded in the manifest
};

/// Writes the run into `out` and commits it: baseline/ (and counterfactual/, effects/ when the
/// run has them) and report.json, the manifest. Returns the files written, relative to the
/// directory, in the order they are listed in the manifest.
std::vector<std::string> write_outputs(OutputDirectory& out, const ModelInputs& inputs,
                                       const RunResult& result,
                                       const OutputSettings& settings = {});

/// A baseline read back from an output directory.
struct SavedBaseline {
  std::filesystem::path path;  ///< its baseline.json
  PathSolution solution;       ///< as solved, every field a counterfactual and its effects use
  std::string record_json;     ///< baseline.json: what it depends on, with hashes
};
/// Reads the baseline of `dir` (an output directory of `dynhat solve` or `dynhat baseline`, or its
/// baseline/ folder). Throws InvalidInput naming the file when a part is missing or malformed.
SavedBaseline read_baseline(const std::filesystem::path& dir);
/// Throws InvalidInput unless `saved` was solved for the inputs' data (tables, L0, mu0 by hash),
/// model (T, beta, nu, R) and solver (method, tol, te_tol) and converged; the message names the
/// first field that differs with both values.
void require_matching_baseline(const SavedBaseline& saved, const ModelInputs& inputs);

/// A whole output directory read back: the paths (counterfactual when present) and report.json.
struct SavedRun {
  SavedBaseline baseline;
  std::optional<PathSolution> counterfactual;
  std::string report_json;
};
SavedRun read_outputs(const std::filesystem::path& dir);

/// "YYYYQn" of the quarter `slot` quarters after `first` ("2000Q1", 5 -> "2001Q2"). Throws
/// InvalidInput unless `first` is of that form.
std::string quarter_label(const std::string& first, std::size_t slot);

}  // namespace dynhat
