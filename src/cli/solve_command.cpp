// `dynhat solve SCENARIO.toml --out DIR [--baseline DIR] [--mpi]`: the dynamic model of a
// scenario file (baseline, counterfactual, effects); a saved baseline of the same data, model and
// tolerances can be reused. With --mpi (under mpiexec or srun) every path's temporary equilibria
// are split by dates over the ranks (DynamicOptions::ranks); rank 0 prints and writes the outputs.
#include <memory>
#include <optional>

#include "cli/commands.hpp"
#include "cli/dynamic_flow.hpp"
#include "dynhat/ranks.hpp"
#include "run/model_bytes.hpp"

namespace dynhat::cli {

namespace {

struct SolveArgs {
  std::string scenario;
  std::string backend;  // empty: the scenario's
  DynamicArgs run;
  bool mpi = false;
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
  cmd.add_flag("--mpi", a.mpi,
               "spread each path's temporary equilibria over the MPI ranks (mpiexec, srun)");
}

int solve_scenario(const SolveArgs& a, const Invocation& invocation, bool baseline_only) {
  const std::unique_ptr<Ranks> ranks = a.mpi ? mpi_world_ranks() : nullptr;
  const bool root = !ranks || ranks->rank() == 0;
  // First: a bad --out fails before anything is read or solved. A failure on any rank stops all.
  std::optional<OutputDirectory> out;
  together(ranks.get(), [&] {
    if (root) out.emplace(a.run.out);
  });
  // Rank 0 reads the inputs and solves the base year; the other ranks take them from its bytes.
  std::optional<ModelInputs> inputs;
  together(ranks.get(), [&] {
    if (root) inputs.emplace(load_model(read_scenario(a.scenario), backend_override(a.backend)));
  });
  if (ranks) {
    std::string bytes = root ? pipeline::inputs_to_bytes(*inputs) : std::string();
    ranks->broadcast(bytes);
    if (!root) inputs.emplace(pipeline::inputs_from_bytes(bytes));
  }
  inputs->options.ranks = ranks.get();
  if (ranks) inputs->device = device_for_rank(*ranks);  // one rank per GPU
  DynamicArgs run = a.run;
  run.quiet = run.quiet || !root;
  return run_dynamic(*inputs, run, invocation, out ? &*out : nullptr, baseline_only);
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
