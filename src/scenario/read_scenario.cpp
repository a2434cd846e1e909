// Scenario files (TOML, README "Scenario files"): parsed with toml++, then every table, key, type
// and range checked here so that a typo fails with the file, line:column, key and rule instead of
// being ignored. Labels stay unresolved (resolve_shocks.cpp resolves them against the tables).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "dynhat/error.hpp"
#include "dynhat/scenario.hpp"
#include "io/file_bytes.hpp"

namespace dynhat {

namespace {

namespace fs = std::filesystem;

constexpr std::int64_t int_max = std::numeric_limits<int>::max();
constexpr std::int64_t no_limit = std::numeric_limits<std::int64_t>::max();

/// "a string", "an integer", ...: the TOML type of `node`, for messages.
std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date or time";
  }
}

/// The value of `node` as written in messages: strings quoted, arrays listed, others by type.
std::string show(const toml::node& node) {
  if (const auto* s = node.as_string()) return fmt::format("\"{}\"", s->get());
  if (const auto* i = node.as_integer()) return fmt::format("{}", i->get());
  if (const auto* f = node.as_floating_point()) return fmt::format("{}", f->get());
  if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
  if (const auto* a = node.as_array()) {
    std::string out = "[";
    for (std::size_t k = 0; k < a->size(); ++k) out += (k > 0 ? ", " : "") + show((*a)[k]);
    return out + "]";
  }
  return std::string(type_name(node));
}

/// The scenario file being read: where messages point and relative paths start.
class ScenarioFile {
 public:
  explicit ScenarioFile(const fs::path& path) : name_(path.string()), dir_(path.parent_path()) {}

  /// "file:line:column" of `region`, or "file" where toml++ recorded no position.
  std::string at(const toml::source_region& region) const {
    if (!region.begin) return name_;
    return fmt::format("{}:{}:{}", name_, region.begin.line, region.begin.column);
  }

  /// Throws "file:line:column: key = value rule".
  [[noreturn]] void fail(const toml::node& node, const std::string& key,
                         const std::string& rule) const {
    throw InvalidInput(fmt::format("{}: {} = {} {}", at(node.source()), key, show(node), rule));
  }

  /// Throws "file[:line:column]: message" (checks that concern a key's presence, not its value).
  [[noreturn]] void fail_at(const toml::source_region& region, const std::string& message) const {
    throw InvalidInput(fmt::format("{}: {}", at(region), message));
  }

  /// Every key of `table` must be one of `allowed`; `prefix` ("solver.", "productivity[0].")
  /// names the table in messages.
  void require_known_keys(const toml::table& table, const std::string& prefix,
                          std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, node] : table) {
      bool known = false;
      for (std::string_view name : allowed) known = known || key.str() == name;
      if (!known) {
        fail_at(key.source(), fmt::format("unknown key {}{}, must be one of: {}", prefix, key.str(),
                                          fmt::join(allowed, ", ")));
      }
    }
  }

  std::int64_t integer(const toml::node& node, const std::string& key, std::int64_t min,
                       std::int64_t max = no_limit) const {
    const auto* value = node.as_integer();
    if (value == nullptr) {
      fail(node, key, fmt::format("must be an integer, not {}", type_name(node)));
    }
    if (value->get() < min || value->get() > max) {
      fail(node, key,
           max == no_limit ? fmt::format("must be >= {}", min)
                           : fmt::format("must be in [{}, {}]", min, max));
    }
    return value->get();
  }

  /// A finite number; integers are accepted as floats.
  double number(const toml::node& node, const std::string& key) const {
    double value = 0.0;
    if (const auto* f = node.as_floating_point()) {
      value = f->get();
    } else if (const auto* i = node.as_integer()) {
      value = static_cast<double>(i->get());
    } else {
      fail(node, key, fmt::format("must be a number, not {}", type_name(node)));
    }
    if (!std::isfinite(value)) fail(node, key, "must be finite");
    return value;
  }

  double positive(const toml::node& node, const std::string& key) const {
    const double value = number(node, key);
    if (!(value > 0.0)) fail(node, key, "must be > 0");
    return value;
  }

  std::string string(const toml::node& node, const std::string& key) const {
    const auto* value = node.as_string();
    if (value == nullptr) fail(node, key, fmt::format("must be a string, not {}", type_name(node)));
    if (value->get().empty()) fail(node, key, "must not be empty");
    return value->get();
  }

  /// `choices` names the accepted strings.
  std::string choice(const toml::node& node, const std::string& key,
                     std::initializer_list<std::string_view> choices) const {
    std::string value = string(node, key);
    for (std::string_view c : choices) {
      if (value == c) return value;
    }
    fail(node, key, fmt::format("must be one of: {}", fmt::join(choices, ", ")));
  }

  /// A path, relative ones resolved against the scenario file's directory.
  fs::path path(const toml::node& node, const std::string& key) const {
    return dir_ / fs::path(string(node, key));
  }

  /// A label or 0-based index, or an array of them (an array must not be empty when
  /// `allow_empty` is false: omitting the key is how every sector or region is meant).
  std::vector<LabelOrIndex> labels(const toml::node& node, const std::string& key,
                                   bool allow_empty) const {
    std::vector<LabelOrIndex> out;
    const auto one = [&](const toml::node& item, const std::string& item_key) {
      if (const auto* s = item.as_string()) {
        if (s->get().empty()) fail(item, item_key, "must not be empty");
        out.emplace_back(s->get());
      } else if (const auto* i = item.as_integer()) {
        if (i->get() < 0) fail(item, item_key, "must be >= 0 (a 0-based index)");
        out.emplace_back(static_cast<std::size_t>(i->get()));
      } else {
        fail(item, item_key,
             fmt::format("must be a label (string) or a 0-based index (integer), not {}",
                         type_name(item)));
      }
    };
    if (const auto* array = node.as_array()) {
      if (array->empty() && !allow_empty) {
        fail(node, key, "must list at least one entry (omit the key to mean all)");
      }
      for (std::size_t k = 0; k < array->size(); ++k) {
        one((*array)[k], fmt::format("{}[{}]", key, k));
      }
    } else {
      one(node, key);
    }
    return out;
  }

 private:
  std::string name_;
  fs::path dir_;
};

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
    file.require_known_keys(*data, "data.", {"tables", "L0", "mu0", "mobile_regions"});
  }
  s.tables =
      file.path(required("tables", "the directory of the six long-format tables"), "data.tables");
  s.L0 = file.path(required("L0", "labor at slot 0, [M] CSV or .npy"), "data.L0");
  s.mu0 = file.path(required("mu0", "flows before slot 0, [M][M] CSV or .npy"), "data.mu0");
  s.mobile_regions = static_cast<std::size_t>(
      file.integer(required("mobile_regions", "R, the first R regions of the tables are mobile"),
                   "data.mobile_regions", 1));
}

void read_model(const ScenarioFile& file, const toml::table& model, Scenario& s) {
  file.require_known_keys(model, "model.", {"periods", "beta", "nu"});
  if (const toml::node* n = model.get("periods")) {
    s.periods = static_cast<std::size_t>(file.integer(*n, "model.periods", 3));
  }
  if (const toml::node* n = model.get("beta")) {
    s.beta = file.number(*n, "model.beta");
    if (!(s.beta >= 0.0 && s.beta < 1.0)) file.fail(*n, "model.beta", "must be in [0, 1)");
  }
  if (const toml::node* n = model.get("nu")) s.nu = file.positive(*n, "model.nu");
}

void read_solver(const ScenarioFile& file, const toml::table& solver, Scenario& s) {
  file.require_known_keys(solver, "solver.",
                          {"method", "tol", "max_iterations", "anderson_memory", "te_tol",
                           "te_max_iterations", "backend"});
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
                     std::size_t index) {
  const bool productivity = table == "productivity";
  const std::string prefix = fmt::format("{}[{}].", table, index);
  if (productivity) {
    file.require_known_keys(entry, prefix,
                            {"sectors", "regions", "quarters", "factor", "cumulative", "file"});
  } else {
    file.require_known_keys(
        entry, prefix,
        {"sectors", "destinations", "sources", "quarters", "factor", "cumulative", "file"});
  }
  ShockSpec spec;
  spec.table = std::string(table);
  spec.entry = index;

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
        fmt::format("{}[{}] gives {}, must give exactly one of factor | cumulative | file", table,
                    index, given.empty() ? "none" : fmt::to_string(fmt::join(given, " and "))));
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

void read_shocks(const ScenarioFile& file, const toml::table& root, std::string_view table,
                 Scenario& s) {
  const toml::node* node = root.get(table);
  if (node == nullptr) return;
  if (!node->is_array_of_tables()) {
    file.fail(*node, std::string(table),
              fmt::format("must be an array of tables: write [[{}]] above each entry", table));
  }
  const toml::array& entries = *node->as_array();
  for (std::size_t k = 0; k < entries.size(); ++k) {
    s.shocks.push_back(read_shock(file, *entries[k].as_table(), table, k));
  }
}

toml::table parse_file(const fs::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    throw InvalidInput(fmt::format("{}: scenario file not found", name));
  }
  const std::string text = read_file_bytes(path);
  try {
    return toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    throw InvalidInput(fmt::format("{}:{}:{}: TOML syntax error: {}", name, e.source().begin.line,
                                   e.source().begin.column, e.description()));
  }
}

}  // namespace

Scenario read_scenario(const fs::path& path) {
  const toml::table root = parse_file(path);
  const ScenarioFile file(path);
  file.require_known_keys(root, "",
                          {"data", "model", "solver", "productivity", "trade_costs", "effects"});
  Scenario s;
  s.path = path;
  read_data(file, section(file, root, "data"), s);
  if (const toml::table* model = section(file, root, "model")) read_model(file, *model, s);
  if (const toml::table* solver = section(file, root, "solver")) read_solver(file, *solver, s);
  read_shocks(file, root, "productivity", s);
  read_shocks(file, root, "trade_costs", s);
  if (const toml::table* effects = section(file, root, "effects")) {
    file.require_known_keys(*effects, "effects.", {"manufacturing"});
    if (const toml::node* n = effects->get("manufacturing")) {
      s.manufacturing = file.labels(*n, "effects.manufacturing", true);
    }
  }
  return s;
}

}  // namespace dynhat
