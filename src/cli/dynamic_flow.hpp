// The flow every dynamic command shares (`solve`, `baseline`, `demo`): the output directory set up
// and checked before any solving, the run (library run pipeline), the outputs written all or
// nothing, and the headline printed.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/commands.hpp"
#include "dynhat/run.hpp"

namespace dynhat::cli {

/// Options of every dynamic command.
struct DynamicArgs {
  std::string out;
  std::string format = "csv";
  bool quiet = false;
  std::string baseline;  ///< solve only: a saved baseline to reuse
};

/// --out (required), --format, --quiet.
void add_dynamic_options(CLI::App& cmd, DynamicArgs& args);

/// Solves (the baseline only when `baseline_only`), writes the outputs into `out` (set up by the
/// command before it loaded anything, so that a bad --out fails at once; nullptr: another rank of
/// an MPI solve writes them), prints the headline unless quiet; returns the exit code (0, or
/// kExitNotConverged with the outputs written).
int run_dynamic(const ModelInputs& inputs, const DynamicArgs& args, const Invocation& invocation,
                OutputDirectory* out, bool baseline_only);

}  // namespace dynhat::cli
