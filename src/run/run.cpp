// run / run_baseline: the solve of a run's inputs on their backend.
#include "dynhat/run.hpp"

#include "dynhat/error.hpp"
#include "run/run_environment.hpp"
#include "runtime/stopwatch.hpp"

namespace dynhat {

namespace {

using pipeline::unix_seconds;

bool path_converged(const PathSolution& p) {
  return p.report.converged && p.te_converged;
}

RunResult solve(const ModelInputs& in, const RunOptions& options, bool counterfactual) {
  RunResult out;
  out.started = unix_seconds();
  const Stopwatch stopwatch;
  const Context ctx(in.backend, in.device);
  DynamicOptions dynamic = in.options;
  if (options.baseline) {
    out.baseline = *options.baseline;
    out.baseline_reused = true;
  } else {
    dynamic.progress = options.baseline_progress;
    out.baseline = solve_baseline(ctx, in.model, dynamic);
  }
  if (counterfactual) {
    dynamic.progress = options.counterfactual_progress;
    out.counterfactual = solve_counterfactual(ctx, in.model, out.baseline, in.changes, dynamic);
    out.effects = compute_effects(in.model, out.baseline, *out.counterfactual, in.effects);
  }
  out.seconds = stopwatch.seconds();
  out.finished = unix_seconds();
  return out;
}

}  // namespace

bool RunResult::converged() const {
  return path_converged(baseline) && (!counterfactual || path_converged(*counterfactual));
}

RunResult run(const ModelInputs& inputs, const RunOptions& options) {
  return solve(inputs, options, true);
}

RunResult run_baseline(const ModelInputs& inputs, const RunOptions& options) {
  return solve(inputs, options, false);
}

}  // namespace dynhat
