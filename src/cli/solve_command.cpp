// `dynhat solve SCENARIO.toml --out DIR [--backend cpu|cuda]`: the dynamic model of a scenario
// file (baseline, counterfactual, effects), with a run manifest of every input's SHA-256.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.hpp"
#include "cli/dynamic_run.hpp"
#include "cli/file_digest.hpp"
#include "dynhat/economy.hpp"
#include "dynhat/io.hpp"
#include "dynhat/scenario.hpp"
#include "dynhat/validate.hpp"

namespace dynhat::cli {

namespace {

struct SolveArgs {
  std::string scenario;
  std::string out;
  std::string backend;  // empty: the scenario's
};

/// The six tables, L0, mu0 and the shock files, each with its SHA-256.
nlohmann::json inputs(const Scenario& s) {
  nlohmann::json files = nlohmann::json::object();
  const auto add = [&](const std::filesystem::path& p) { files[p.string()] = sha256_file(p); };
  add(s.path);
  for (const char* table :
       {"bilateral_trade.csv", "gross_output.csv", "io_coefficients.csv", "sectoral_dispersion.csv",
        "structures_share.csv", "value_added_share.csv"}) {
    add(s.tables / table);
  }
  add(s.L0);
  add(s.mu0);
  for (const ShockSpec& shock : s.shocks) {
    if (!shock.file.empty()) add(shock.file);
  }
  return {{"sha256", files}};
}

int run_solve(const SolveArgs& a) {
  OutputDirectory out(a.out);
  const Scenario scenario = read_scenario(a.scenario);
  DynamicRun run;
  run.title = fmt::format("dynhat solve {}", a.scenario);
  run.out = a.out;
  run.backend = parse_backend(a.backend.empty() ? scenario.backend : a.backend,
                              a.backend.empty() ? "solver.backend" : "--backend");
  run.options = scenario.options;
  DynamicModel& model = run.model;
  model.economy = load_economy(scenario.tables, scenario.mobile_regions);
  model.mu0 = read_matrix(scenario.mu0);
  model.L0 = read_vector(scenario.L0);
  model.periods = scenario.periods;
  model.beta = scenario.beta;
  model.nu = scenario.nu;
  require_periods(model, fmt::format("{}: model.periods", scenario.path.string()));
  const std::size_t m = model.markets();
  require_shape(model.mu0, m, m, scenario.mu0.string());
  require_migration_matrix(model.mu0, scenario.mu0.string());
  require_labor(model.L0, m, scenario.L0.string());
  model.base_year =
      base_year_equilibrium(Context(Backend::cpu), model.economy, scenario.options.te);
  run.changes = resolve_shocks(scenario, model.economy);
  run.effects.manufacturing =
      resolve_sectors(scenario, model.economy, scenario.manufacturing, "effects.manufacturing");
  run.manifest["inputs"] = inputs(scenario);
  run.manifest["scenario"] = scenario.path.string();
  return run_dynamic(run, out);
}

}  // namespace

void add_solve_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<SolveArgs>();
  CLI::App* solve =
      app.add_subcommand("solve", "baseline and counterfactual paths of a scenario file (TOML)");
  solve->add_option("scenario", a->scenario, "scenario file (see README, Scenario files)")
      ->required();
  solve->add_option("--out", a->out, "output directory")->required();
  solve->add_option("--backend", a->backend, "cpu or cuda (default: the scenario's)")
      ->check(CLI::IsMember({"cpu", "cuda"}));
  solve->callback([a, &exit_code] { exit_code = run_solve(*a); });
}

}  // namespace dynhat::cli
