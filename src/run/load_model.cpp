// load_model: a scenario file's model inputs (what `dynhat solve` used to assemble itself).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "dynhat/economy.hpp"
#include "dynhat/io.hpp"
#include "dynhat/run.hpp"
#include "dynhat/validate.hpp"
#include "run/digest.hpp"

namespace dynhat {

namespace {

constexpr const char* kTables[] = {"bilateral_trade.csv",  "gross_output.csv",
                                   "io_coefficients.csv",  "sectoral_dispersion.csv",
                                   "structures_share.csv", "value_added_share.csv"};

nlohmann::json labels(const std::vector<LabelOrIndex>& list) {
  nlohmann::json out = nlohmann::json::array();
  for (const LabelOrIndex& x : list) {
    if (const auto* name = std::get_if<std::string>(&x)) {
      out.push_back(*name);
    } else {
      out.push_back(std::get<std::size_t>(x));
    }
  }
  return out;
}

/// A shock entry as written in the scenario (empty lists mean every sector or region).
nlohmann::json shock_as_written(const ShockSpec& shock) {
  nlohmann::json out = {{"table", shock.table},
                        {"entry", shock.entry},
                        {"baseline", shock.baseline},
                        {"sectors", labels(shock.sectors)},
                        {"quarters", {shock.first_quarter, shock.last_quarter}}};
  if (shock.table == "productivity") {
    out["regions"] = labels(shock.regions);
  } else {
    out["destinations"] = labels(shock.destinations);
    out["sources"] = labels(shock.sources);
  }
  if (!shock.factor.empty()) out["factor"] = shock.factor;
  if (!shock.cumulative.empty()) out["cumulative"] = shock.cumulative;
  if (!shock.file.empty()) out["file"] = shock.file.string();
  return out;
}

std::vector<InputFile> input_files(const Scenario& s) {
  std::vector<InputFile> files;
  const auto add = [&](std::string role, const std::filesystem::path& p) {
    files.push_back({std::move(role), p, pipeline::sha256_file(p)});
  };
  add("scenario", s.path);
  for (const char* table : kTables) add(fmt::format("tables/{}", table), s.tables / table);
  add("L0", s.L0);
  add("mu0", s.mu0);
  for (const ShockSpec& shock : s.shocks) {
    if (!shock.file.empty()) add(shock.key() + ".file", shock.file);
  }
  return files;
}

}  // namespace

ModelInputs load_model(const Scenario& scenario, std::optional<Backend> backend) {
  ModelInputs in;
  in.description = fmt::format("scenario {}", scenario.path.string());
  in.backend = backend ? *backend : parse_backend(scenario.backend, "solver.backend");
  in.options = scenario.options;
  in.first_quarter = scenario.first_quarter;
  DynamicModel& model = in.model;
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
  in.changes = resolve_shocks(scenario, model.economy);
  model.baseline_changes = resolve_baseline_shocks(scenario, model.economy);
  const std::string name = scenario.path.string();
  validate(model.baseline_changes, model, name + ": baseline");
  validate(in.changes, model, name + ": counterfactual");
  in.effects.manufacturing =
      resolve_sectors(scenario, model.economy, scenario.manufacturing, "effects.manufacturing");
  in.files = input_files(scenario);
  nlohmann::json shocks = nlohmann::json::array();
  for (const ShockSpec& shock : scenario.shocks) shocks.push_back(shock_as_written(shock));
  in.source_json = nlohmann::json{{"scenario", scenario.path.string()},
                                  {"shocks", shocks},
                                  {"news_slot", scenario.news_slot}}
                       .dump();
  // Last: the other inputs are checked before this ~0.2 s solve.
  model.base_year = base_year_equilibrium(Context(Backend::cpu), model.economy, in.options.te);
  return in;
}

}  // namespace dynhat
