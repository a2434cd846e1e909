// The dynamic solve shared by `dynhat solve` and `dynhat demo`: baseline, counterfactual, effects,
// outputs (all-or-nothing) and the headline printed at the end.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "dynhat/backend.hpp"
#include "dynhat/dynamic.hpp"
#include "dynhat/effects.hpp"
#include "dynhat/io.hpp"

namespace dynhat::cli {

struct DynamicRun {
  std::string title;  ///< printed first, e.g. the scenario file
  std::string out;    ///< output directory as given (printed)
  DynamicModel model;
  FundamentalChanges changes;
  EffectsOptions effects;
  DynamicOptions options;
  Backend backend = Backend::cpu;
  /// Merged into report.json: inputs (with SHA-256), the scenario's options.
  nlohmann::json manifest;
};

/// Solves, writes {baseline,counterfactual,effects}/ and report.json into `out` (set up by the
/// caller before any solving) and commits it, prints the headline effects; returns the exit code
/// (0, or kExitNotConverged with the outputs written).
int run_dynamic(DynamicRun& run, OutputDirectory& out);

}  // namespace dynhat::cli
