// A run's paths as the replication kit's MATLAB workspaces (`--format mat`): baseline.mat and
// counterfactual.mat with the kit's variable names and shapes, so the kit's own employment-effects
// and figure scripts can read dynhat's results.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dynhat/run.hpp"

namespace dynhat::pipeline {

/// Writes baseline.mat (Hvectnoshock, Ldyn, rwage) and, with a counterfactual, counterfactual.mat
/// (V, Ldyn, rwage) into the staging area of `out` (MATLAB v5, zlib-compressed); returns their
/// names.
std::vector<std::string> write_kit_mat_files(const OutputDirectory& out, const ModelInputs& in,
                                             const RunResult& result);

/// The dimensions, index rules and meaning of every variable of those files, keyed
/// "baseline.mat:Ldyn", ..., for report.json's layouts.
nlohmann::json kit_mat_layouts(const ModelInputs& in, const std::vector<std::string>& files);

}  // namespace dynhat::pipeline
