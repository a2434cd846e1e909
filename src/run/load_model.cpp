// load_model: a scenario file's model inputs (what `dynhat solve` used to assemble itself).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "dynhat/economy.hpp"
#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "dynhat/run.hpp"
#include "dynhat/validate.hpp"
#include "run/digest.hpp"
#include "run/labels_json.hpp"

namespace dynhat {

namespace {

using pipeline::labels_json;

TableLayout table_layout(const Scenario& s) {
  if (s.layout.empty()) return detect_table_layout(s.tables);
  return s.layout == "kit" ? TableLayout::kit : TableLayout::dynhat;
}

/// The names of a names file: one per line, blanks around them and trailing empty lines dropped.
std::vector<std::string> read_names(const std::filesystem::path& path) {
  const std::string text = read_text_file(path);
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    const std::size_t first = line.find_first_not_of(" \t\r");
    const std::size_t last = line.find_last_not_of(" \t\r");
    names.push_back(first == std::string::npos ? "" : line.substr(first, last - first + 1));
    start = end + 1;
  }
  while (!names.empty() && names.back().empty()) names.pop_back();
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (names[k].empty()) {
      throw InvalidInput(
          fmt::format("{} line {}: empty name, one name per line", path.string(), k + 1));
    }
  }
  return names;
}

/// The economy of the scenario's tables, in either layout.
Economy scenario_economy(const Scenario& s, TableLayout layout) {
  const std::string where = s.path.string();
  const bool kit_keys = !s.theta.empty() || !s.theta_file.empty() || !s.sector_names.empty() ||
                        !s.sector_names_file.empty() || !s.region_names.empty() ||
                        !s.region_names_file.empty();
  if (layout == TableLayout::dynhat) {
    if (kit_keys) {
      throw InvalidInput(fmt::format(
          "{}: data.theta, data.sector_names and data.region_names apply to layout = \"kit\" "
          "only; the long tables of {} carry theta (sectoral_dispersion.csv) and the labels",
          where, s.tables.string()));
    }
    return load_economy(s.tables, s.mobile_regions);
  }
  if (s.theta.empty() && s.theta_file.empty()) {
    throw InvalidInput(fmt::format(
        "{}: data.theta is required with the kit's layout ({}): the kit's Base_Year files do not "
        "carry theta (Base_year.m sets it); list one per sector or name a file",
        where, s.tables.string()));
  }
  KitLabels labels;
  labels.theta = s.theta_file.empty() ? s.theta : read_vector(s.theta_file);
  labels.sector_names =
      s.sector_names_file.empty() ? s.sector_names : read_names(s.sector_names_file);
  labels.region_names =
      s.region_names_file.empty() ? s.region_names : read_names(s.region_names_file);
  return load_kit_economy(s.tables, s.mobile_regions, labels);
}

/// A shock entry as written in the scenario (empty lists mean every sector or region).
nlohmann::json shock_as_written(const ShockSpec& shock) {
  nlohmann::json out = {{"table", shock.table},
                        {"entry", shock.entry},
                        {"baseline", shock.baseline},
                        {"sectors", labels_json(shock.sectors)},
                        {"quarters", {shock.first_quarter, shock.last_quarter}}};
  if (shock.table == "productivity") {
    out["regions"] = labels_json(shock.regions);
  } else {
    out["destinations"] = labels_json(shock.destinations);
    out["sources"] = labels_json(shock.sources);
  }
  if (!shock.factor.empty()) out["factor"] = shock.factor;
  if (!shock.cumulative.empty()) out["cumulative"] = shock.cumulative;
  if (!shock.file.empty()) out["file"] = shock.file.string();
  return out;
}

std::vector<InputFile> input_files(const Scenario& s, TableLayout layout) {
  std::vector<InputFile> files;
  const auto add = [&](std::string role, const std::filesystem::path& p) {
    files.push_back({std::move(role), p, pipeline::sha256_file(matrix_file_of(p))});
  };
  add("scenario", s.path);
  for (const std::string& table : table_files(layout)) {
    add(fmt::format("tables/{}", table), s.tables / table);
  }
  if (!s.theta_file.empty()) add("theta", s.theta_file);
  if (!s.sector_names_file.empty()) add("sector_names", s.sector_names_file);
  if (!s.region_names_file.empty()) add("region_names", s.region_names_file);
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
  const TableLayout layout = table_layout(scenario);
  model.economy = scenario_economy(scenario, layout);
  const std::size_t markets = model.economy.mobile_regions * (model.economy.sectors + 1);
  // A sparse file is expanded: the dynamic model keeps mu0 dense on the host (the backend keeps
  // it as solver.mu0_storage says).
  model.mu0 = is_sparse_matrix_file(scenario.mu0)
                  ? to_dense(read_sparse_matrix(scenario.mu0, markets))
                  : read_matrix(scenario.mu0);
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
  in.files = input_files(scenario, layout);
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
