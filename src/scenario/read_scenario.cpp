// Scenario files (TOML, README "Scenario files"): parsed with toml++, then every table, key, type
// and range checked here so that a typo fails with the file, line:column, key and rule instead of
// being ignored. Labels stay unresolved (resolve_shocks.cpp resolves them against the tables).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "dynhat/error.hpp"
#include "dynhat/scenario.hpp"
#include "scenario/scenario_file.hpp"

namespace dynhat {

namespace {

namespace fs = std::filesystem;

using scenario_file::int_max;
using scenario_file::ScenarioFile;

/// The table `name` of `root`, or nullptr when absent; must be a [name] table.
const toml::table* section(const ScenarioFile& file, const toml::table& root,
                           std::string_view name) {
  const toml::node* node = root.get(name);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) {
    file.fail(*node, std::string(name), fmt::format("must be a table [{}]", name));
  }
  return node->as_table();
}

void read_data(const ScenarioFile& file, const toml::table* data, Scenario& s) {
  const auto required = [&](std::string_view key, std::string_view meaning) -> const toml::node& {
    const toml::node* node = data != nullptr ? data->get(key) : nullptr;
    if (node == nullptr) {
      file.fail_at(data != nullptr ? data->source() : toml::source_region{},
                   fmt::format("data.{} is required ({})", key, meaning));
    }
    return *node;
  };
  if (data != nullptr) {
    file.require_known_keys(*data, "data.",
                            {"tables", "L0", "mu0", "mobile_regions", "layout", "theta",
                             "sector_names", "region_names"});
  }
  s.tables = file.path(required("tables", "the directory of the base-year tables"), "data.tables");
  s.L0 =
      file.path(required("L0", "labor at slot 0, [M] CSV, .npy or file.mat:variable"), "data.L0");
  s.mu0 = file.path(required("mu0", "flows before slot 0, [M][M] CSV, .npy or file.mat:variable"),
                    "data.mu0");
  s.mobile_regions = static_cast<std::size_t>(
      file.integer(required("mobile_regions", "R, the first R regions of the tables are mobile"),
                   "data.mobile_regions", 1));
  if (data == nullptr) return;
  if (const toml::node* n = data->get("layout")) {
    s.layout = file.choice(*n, "data.layout", {"dynhat", "kit"});
  }
  if (const toml::node* n = data->get("theta")) {
    if (const auto* array = n->as_array()) {
      if (array->empty()) file.fail(*n, "data.theta", "must list one theta per sector");
      for (std::size_t k = 0; k < array->size(); ++k) {
        s.theta.push_back(file.positive((*array)[k], fmt::format("data.theta[{}]", k)));
      }
    } else if (n->is_string()) {
      s.theta_file = file.path(*n, "data.theta");
    } else {
      file.fail(*n, "data.theta", "must be a list of numbers (one theta per sector) or a file");
    }
  }
  const auto names = [&](std::string_view key, std::vector<std::string>& list, fs::path& path) {
    const toml::node* n = data->get(key);
    if (n == nullptr) return;
    const std::string name = fmt::format("data.{}", key);
    if (const auto* array = n->as_array()) {
      if (array->empty()) file.fail(*n, name, "must list one name each (omit it for defaults)");
      for (std::size_t k = 0; k < array->size(); ++k) {
        list.push_back(file.string((*array)[k], fmt::format("{}[{}]", name, k)));
      }
    } else if (n->is_string()) {
      path = file.path(*n, name);
    } else {
      file.fail(*n, name, "must be a list of strings or a file of one name per line");
    }
  };
  names("sector_names", s.sector_names, s.sector_names_file);
  names("region_names", s.region_names, s.region_names_file);
}

void read_model(const ScenarioFile& file, const toml::table& model, Scenario& s) {
  file.require_known_keys(model, "model.", {"periods", "beta", "nu", "first_quarter"});
  if (const toml::node* n = model.get("periods")) {
    s.periods = static_cast<std::size_t>(file.integer(*n, "model.periods", 3));
  }
  if (const toml::node* n = model.get("beta")) {
    s.beta = file.number(*n, "model.beta");
    if (!(s.beta >= 0.0 && s.beta < 1.0)) file.fail(*n, "model.beta", "must be in [0, 1)");
  }
  if (const toml::node* n = model.get("nu")) s.nu = file.positive(*n, "model.nu");
  if (const toml::node* n = model.get("first_quarter")) {
    s.first_quarter = file.string(*n, "model.first_quarter");
    const std::string& q = s.first_quarter;
    const bool valid = q.size() == 6 &&
                       std::all_of(q.begin(), q.begin() + 4,
                                   [](unsigned char c) { return std::isdigit(c) != 0; }) &&
                       q[4] == 'Q' && q[5] >= '1' && q[5] <= '4';
    if (!valid) file.fail(*n, "model.first_quarter", "must be a quarter \"YYYYQn\", n in 1..4");
  }
}

void read_solver(const ScenarioFile& file, const toml::table& solver, Scenario& s) {
  file.require_known_keys(solver, "solver.",
                          {"method", "tol", "max_iterations", "anderson_memory", "te_tol",
                           "te_max_iterations", "backend", "mu0_storage"});
  DynamicOptions& o = s.options;
  if (const toml::node* n = solver.get("method")) {
    o.method = file.choice(*n, "solver.method", {"anderson", "picard"}) == "picard"
                   ? OuterMethod::picard
                   : OuterMethod::anderson;
  }
  if (const toml::node* n = solver.get("tol")) o.tol = file.positive(*n, "solver.tol");
  if (const toml::node* n = solver.get("max_iterations")) {
    o.max_iterations = static_cast<int>(file.integer(*n, "solver.max_iterations", 1, int_max));
  }
  if (const toml::node* n = solver.get("anderson_memory")) {
    o.anderson_memory = static_cast<int>(file.integer(*n, "solver.anderson_memory", 1, int_max));
  }
  if (const toml::node* n = solver.get("te_tol")) o.te.tol = file.positive(*n, "solver.te_tol");
  if (const toml::node* n = solver.get("te_max_iterations")) {
    o.te.max_iterations =
        static_cast<int>(file.integer(*n, "solver.te_max_iterations", 1, int_max));
  }
  if (const toml::node* n = solver.get("backend")) {
    s.backend = file.choice(*n, "solver.backend", {"cpu", "cuda"});
  }
  if (const toml::node* n = solver.get("mu0_storage")) {
    o.mu0_storage =
        parse_mu0_storage(file.choice(*n, "solver.mu0_storage", {"dense", "float32", "sparse"}));
  }
}

/// factor or cumulative: one positive number, or one per listed sector.
std::vector<double> read_factors(const ScenarioFile& file, const toml::node& node,
                                 const std::string& key, const std::string& prefix,
                                 const ShockSpec& spec) {
  const auto* array = node.as_array();
  if (array == nullptr) return {file.positive(node, key)};
  if (array->empty()) file.fail(node, key, "must list one number per sector, or be one number");
  if (!spec.sectors.empty() && array->size() != spec.sectors.size()) {
    file.fail(node, key,
              fmt::format("lists {} values for the {} sectors of {}sectors, must list one per "
                          "sector or be one number",
                          array->size(), spec.sectors.size(), prefix));
  }
  std::vector<double> values;
  for (std::size_t k = 0; k < array->size(); ++k) {
    values.push_back(file.positive((*array)[k], fmt::format("{}[{}]", key, k)));
  }
  return values;
}

ShockSpec read_shock(const ScenarioFile& file, const toml::table& entry, std::string_view table,
                     std::size_t index, bool baseline) {
  const bool productivity = table == "productivity";
  ShockSpec spec;
  spec.table = std::string(table);
  spec.entry = index;
  spec.baseline = baseline;
  const std::string prefix = spec.key() + ".";
  if (productivity) {
    file.require_known_keys(entry, prefix,
                            {"sectors", "regions", "quarters", "factor", "cumulative", "file"});
  } else {
    file.require_known_keys(
        entry, prefix,
        {"sectors", "destinations", "sources", "quarters", "factor", "cumulative", "file"});
  }

  const toml::node* factor = entry.get("factor");
  const toml::node* cumulative = entry.get("cumulative");
  const toml::node* path = entry.get("file");
  std::vector<std::string_view> given;
  if (factor != nullptr) given.push_back("factor");
  if (cumulative != nullptr) given.push_back("cumulative");
  if (path != nullptr) given.push_back("file");
  if (given.size() != 1) {
    file.fail_at(
        entry.source(),
        fmt::format("{} gives {}, must give exactly one of factor | cumulative | file", spec.key(),
                    given.empty() ? "none" : fmt::to_string(fmt::join(given, " and "))));
  }

  if (path != nullptr) {
    for (std::string_view key : {"sectors", "regions", "destinations", "sources", "quarters"}) {
      if (const toml::node* n = entry.get(key)) {
        file.fail(*n, prefix + std::string(key),
                  fmt::format("is not allowed with {}file (the file lists the entries)", prefix));
      }
    }
    spec.file = file.path(*path, prefix + "file");
    return spec;
  }

  const auto labels = [&](std::string_view key, std::vector<LabelOrIndex>& out) {
    if (const toml::node* n = entry.get(key))
      out = file.labels(*n, prefix + std::string(key), false);
  };
  labels("sectors", spec.sectors);
  labels("regions", spec.regions);
  labels("destinations", spec.destinations);
  labels("sources", spec.sources);

  if (const toml::node* n = entry.get("quarters")) {
    const std::string key = prefix + "quarters";
    if (const auto* array = n->as_array()) {
      if (array->size() != 2) file.fail(*n, key, "must be [first, last] or one quarter");
      spec.first_quarter = static_cast<std::size_t>(file.integer((*array)[0], key + "[0]", 1));
      spec.last_quarter = static_cast<std::size_t>(file.integer((*array)[1], key + "[1]", 1));
      if (spec.last_quarter < spec.first_quarter) {
        file.fail(*n, key, "must have first <= last");
      }
    } else {
      spec.first_quarter = static_cast<std::size_t>(file.integer(*n, key, 1));
      spec.last_quarter = spec.first_quarter;
    }
  }

  if (factor != nullptr) spec.factor = read_factors(file, *factor, prefix + "factor", prefix, spec);
  if (cumulative != nullptr) {
    spec.cumulative = read_factors(file, *cumulative, prefix + "cumulative", prefix, spec);
  }
  return spec;
}

/// The [[table]] entries of `root` (the scenario, or its [baseline] section when `baseline`).
void read_shocks(const ScenarioFile& file, const toml::table& root, std::string_view table,
                 bool baseline, Scenario& s) {
  const toml::node* node = root.get(table);
  if (node == nullptr) return;
  const std::string key = fmt::format("{}{}", baseline ? "baseline." : "", table);
  if (!node->is_array_of_tables()) {
    file.fail(*node, key,
              fmt::format("must be an array of tables: write [[{}]] above each entry", key));
  }
  const toml::array& entries = *node->as_array();
  for (std::size_t k = 0; k < entries.size(); ++k) {
    s.shocks.push_back(read_shock(file, *entries[k].as_table(), table, k, baseline));
  }
}

}  // namespace

std::string ShockSpec::key() const {
  return fmt::format("{}{}[{}]", baseline ? "baseline." : "", table, entry);
}

Scenario read_scenario(const fs::path& path) {
  const toml::table root = scenario_file::parse_toml_file(path, "scenario");
  const ScenarioFile file(path);
  file.require_known_keys(root, "",
                          {"data", "model", "solver", "productivity", "trade_costs",
                           "counterfactual", "baseline", "effects"});
  Scenario s;
  s.path = path;
  read_data(file, section(file, root, "data"), s);
  if (const toml::table* model = section(file, root, "model")) read_model(file, *model, s);
  if (const toml::table* solver = section(file, root, "solver")) read_solver(file, *solver, s);
  read_shocks(file, root, "productivity", false, s);
  read_shocks(file, root, "trade_costs", false, s);
  if (const toml::table* counterfactual = section(file, root, "counterfactual")) {
    file.require_known_keys(*counterfactual, "counterfactual.", {"news_slot"});
    if (const toml::node* n = counterfactual->get("news_slot")) {
      s.news_slot = static_cast<std::size_t>(file.integer(
          *n, "counterfactual.news_slot", 1, static_cast<std::int64_t>(s.periods) - 2));
    }
  }
  if (const toml::table* baseline = section(file, root, "baseline")) {
    file.require_known_keys(*baseline, "baseline.", {"productivity", "trade_costs"});
    read_shocks(file, *baseline, "productivity", true, s);
    read_shocks(file, *baseline, "trade_costs", true, s);
  }
  if (const toml::table* effects = section(file, root, "effects")) {
    file.require_known_keys(*effects, "effects.", {"manufacturing"});
    if (const toml::node* n = effects->get("manufacturing")) {
      s.manufacturing = file.labels(*n, "effects.manufacturing", true);
    }
  }
  return s;
}

}  // namespace dynhat
