// `dynhat solve SCENARIO.toml --out DIR [--baseline DIR]`: the dynamic model of a scenario file
// (baseline, counterfactual, effects); a saved baseline of the same data, model and tolerances
// can be reused.
#include <memory>

#include "cli/commands.hpp"
#include "cli/dynamic_flow.hpp"

namespace dynhat::cli {

namespace {

struct SolveArgs {
  std::string scenario;
  std::string backend;  // empty: the scenario's
  DynamicArgs run;
};

std::optional<Backend> backend_override(const std::string& name) {
  if (name.empty()) return std::nullopt;
  return parse_backend(name, "--backend");
}

void add_scenario_options(CLI::App& cmd, SolveArgs& a) {
  cmd.add_option("scenario", a.scenario, "scenario file (see README, Scenario files)")->required();
  cmd.add_option("--backend", a.backend, "cpu or cuda (default: the scenario's)")
      ->check(CLI::IsMember({"cpu", "cuda"}));
  add_dynamic_options(cmd, a.run);
}

int solve_scenario(const SolveArgs& a, const Invocation& invocation, bool baseline_only) {
  OutputDirectory out(a.run.out);  // first: a bad --out fails before anything is read or solved
  const ModelInputs inputs = load_model(read_scenario(a.scenario), backend_override(a.backend));
  return run_dynamic(inputs, a.run, invocation, out, baseline_only);
}

}  // namespace

void add_solve_command(CLI::App& app, Invocation& invocation) {
  auto a = std::make_shared<SolveArgs>();
  CLI::App* solve =
      app.add_subcommand("solve", "baseline and counterfactual paths of a scenario file (TOML)");
  add_scenario_options(*solve, *a);
  solve->add_option("--baseline", a->run.baseline,
                    "reuse the baseline saved in this output directory (same data, model and "
                    "tolerances)");
  solve->callback(
      [a, &invocation] { invocation.exit_code = solve_scenario(*a, invocation, false); });
}

void add_baseline_command(CLI::App& app, Invocation& invocation) {
  auto a = std::make_shared<SolveArgs>();
  CLI::App* baseline = app.add_subcommand(
      "baseline", "the baseline path of a scenario only, to reuse with solve --baseline");
  add_scenario_options(*baseline, *a);
  baseline->callback(
      [a, &invocation] { invocation.exit_code = solve_scenario(*a, invocation, true); });
}

}  // namespace dynhat::cli
