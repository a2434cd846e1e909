// run_sweep: one process solves its shard of a sweep, each baseline once and every scenario
// against it, and writes the scenarios, the summary and the manifest.
#include <algorithm>
#include <optional>

#include "run/run_environment.hpp"
#include "runtime/stopwatch.hpp"
#include "sweep/sweep_steps.hpp"

namespace dynhat {

SweepRun run_sweep(const Sweep& sweep, const std::filesystem::path& out,
                   const SweepOptions& options) {
  const double started = pipeline::unix_seconds();
  const Stopwatch stopwatch;
  sweep::prepare_directory(out);  // before the inputs are read: a bad --out fails at once
  SweepModels models(sweep, options.backend);
  const std::vector<std::size_t> mine = shard_points(models, sweep.points.size(), options.shard);

  SweepRun result;
  nlohmann::json baselines = nlohmann::json::array();
  std::optional<sweep::SolvedBaseline> baseline;
  // shard_points orders the points by baseline: each baseline is solved once, when first needed.
  for (std::size_t done = 0; done < mine.size(); ++done) {
    const std::size_t k = mine[done];
    if (!baseline || baseline->index != models.baseline_of(k)) {
      baseline = sweep::solve_baseline_of(models, models.baseline_of(k), 0);
      baselines.push_back(sweep::baseline_json(*baseline, models));
      ++result.baselines_solved;
    }
    result.rows.push_back(sweep::solve_point(models, sweep, k, *baseline, out, options, 0));
    if (options.on_scenario) options.on_scenario(result.rows.back(), done + 1, mine.size());
  }
  std::sort(result.rows.begin(), result.rows.end(),
            [](const SweepRow& a, const SweepRow& b) { return a.index < b.index; });
  result.seconds = stopwatch.seconds();
  sweep::write_manifest(out, sweep, options.shard, result.rows, baselines, options.command_line,
                        started, pipeline::unix_seconds());
  return result;
}

}  // namespace dynhat
