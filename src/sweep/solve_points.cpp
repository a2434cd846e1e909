// A sweep's output directory, and its baselines and scenarios solved and written.
#include <fmt/format.h>

#include <regex>

#include "dynhat/error.hpp"
#include "runtime/stopwatch.hpp"
#include "sweep/sweep_point.hpp"
#include "sweep/sweep_steps.hpp"

namespace dynhat::sweep {

namespace fs = std::filesystem;

void prepare_directory(const fs::path& out) {
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_directory(out, ec)) {
    throw InvalidInput(fmt::format("--out {}: is a file, must be a directory", out.string()));
  }
  fs::create_directories(out / "scenarios", ec);
  if (ec) {
    throw InvalidInput(
        fmt::format("--out {}: cannot create it: {}", (out / "scenarios").string(), ec.message()));
  }
  // What sweeps write, so that a sweep never mixes its files into a directory of other work.
  static const std::regex ours(
      R"(scenarios|summary\.csv|sweep\.json|summary-\d+-of-\d+\.csv|sweep-\d+-of-\d+\.json|\..*)");
  for (const fs::directory_entry& entry : fs::directory_iterator(out)) {
    const std::string name = entry.path().filename().string();
    if (!std::regex_match(name, ours)) {
      throw InvalidInput(fmt::format(
          "--out {}: holds {}, which no sweep writes; give an empty directory or an earlier "
          "sweep's",
          out.string(), name));
    }
  }
}

SolvedBaseline solve_baseline_of(SweepModels& models, std::size_t baseline, int rank) {
  SolvedBaseline b;
  b.index = baseline;
  b.rank = rank;
  const Stopwatch stopwatch;
  b.solution = run_baseline(models.baseline_inputs(baseline)).baseline;
  b.seconds = stopwatch.seconds();
  return b;
}

SweepRow solve_point(SweepModels& models, const Sweep& sweep, std::size_t k,
                     const SolvedBaseline& baseline, const fs::path& out,
                     const SweepOptions& options, int rank) {
  const SweepPoint& point = sweep.points[k];
  OutputDirectory directory(out / "scenarios" / point.name);
  const ModelInputs& in = models.inputs(k);
  RunOptions run_options;
  run_options.baseline = &baseline.solution;
  const RunResult result = run(in, run_options);
  write_outputs(directory, in, result, {options.format, options.command_line});

  SweepRow row;
  row.index = k;
  row.name = point.name;
  nlohmann::json parameters = variations_json(point);
  parameters["shock_scale"] = point.shock_scale.value_or(1.0);
  parameters["beta"] = in.model.beta;
  parameters["nu"] = in.model.nu;
  parameters["theta_scale"] = point.theta_scale.value_or(1.0);
  row.parameters_json = parameters.dump();
  row.baseline = baseline.index;
  row.converged = result.converged();
  row.baseline_iterations = baseline.solution.report.iterations;
  row.counterfactual_iterations = result.counterfactual->report.iterations;
  const Effects& fx = *result.effects;
  const std::size_t h = fx.horizon;
  row.manufacturing_effect_pp =
      100 * (fx.manufacturing_share_counterfactual[h] - fx.manufacturing_share_baseline[h]);
  row.nonemployment_effect_pp =
      100 * (fx.nonemployment_share_counterfactual[h] - fx.nonemployment_share_baseline[h]);
  row.aggregate_welfare = fx.aggregate_welfare;
  row.seconds = result.seconds;
  row.rank = rank;
  return row;
}

}  // namespace dynhat::sweep
