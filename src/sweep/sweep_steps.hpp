// The steps every sweep driver shares (run_sweep, collect_sweep, run_sweep_mpi): the output
// directory, a baseline and a scenario solved and written, the rows and the manifests.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dynhat/sweep.hpp"

namespace dynhat::sweep {

/// Creates `out` and out/scenarios; an existing `out` must hold nothing but what sweeps write
/// (scenarios/, summaries, manifests, hidden staging directories). Throws InvalidInput naming
/// the entry that does not belong.
void prepare_directory(const std::filesystem::path& out);

/// A sweep's baseline as solved, with what its manifest records.
struct SolvedBaseline {
  std::size_t index = 0;
  PathSolution solution;
  double seconds = 0.0;
  int rank = 0;
};
SolvedBaseline solve_baseline_of(SweepModels& models, std::size_t baseline, int rank);

/// Solves point `k` against its baseline, writes out/scenarios/NAME/ (all its files or none)
/// and returns its row.
SweepRow solve_point(SweepModels& models, const Sweep& sweep, std::size_t k,
                     const SolvedBaseline& baseline, const std::filesystem::path& out,
                     const SweepOptions& options, int rank);

nlohmann::json row_json(const SweepRow& row);
/// Throws InvalidInput naming `where` when a field is missing or of the wrong type.
SweepRow row_from_json(const nlohmann::json& json, const std::string& where);
nlohmann::json baseline_json(const SolvedBaseline& b, const SweepModels& models);

/// summary-i-of-n.csv and sweep-i-of-n.json, or summary.csv and sweep.json for the whole sweep
/// (count 1); `rows` in index order. Each file is written whole or not at all.
void write_manifest(const std::filesystem::path& out, const Sweep& sweep, Shard shard,
                    const std::vector<SweepRow>& rows, const nlohmann::json& baselines,
                    const std::string& command_line, double started, double finished);

}  // namespace dynhat::sweep
