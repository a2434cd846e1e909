// Sweep files (TOML, README "Scenario sweeps"): the base scenario, a [grid] whose every
// combination is a scenario and [[variant]] entries crossed with it; every key, type and range
// checked here, with the file, line:column, key and rule in the message.
#include <fmt/format.h>
#include <toml++/toml.h>

#include <cctype>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "dynhat/error.hpp"
#include "dynhat/sweep.hpp"
#include "scenario/scenario_file.hpp"

namespace dynhat {

namespace {

namespace fs = std::filesystem;

using scenario_file::ScenarioFile;

/// More points than any sweep means: a grid of this many is a mistake, not a plan.
constexpr std::size_t kMaxPoints = 1'000'000;

/// The keys a variation may set, in the order the summary lists them.
const std::initializer_list<std::string_view> kVariationKeys = {
    "shock_scale", "sectors", "regions", "beta", "nu", "theta_scale"};

/// Sets `key` of `point` from `node`, one value (a label list counts as one value).
void set_variation(const ScenarioFile& file, const toml::node& node, const std::string& key,
                   std::string_view name, SweepPoint& point) {
  if (name == "shock_scale") {
    const double s = file.number(node, key);
    if (s == 0.0) file.fail(node, key, "must not be 0 (it would leave no change)");
    point.shock_scale = s;
  } else if (name == "sectors") {
    point.sectors = file.labels(node, key, false);
  } else if (name == "regions") {
    point.regions = file.labels(node, key, false);
  } else if (name == "beta") {
    const double beta = file.number(node, key);
    if (!(beta >= 0.0 && beta < 1.0)) file.fail(node, key, "must be in [0, 1)");
    point.beta = beta;
  } else if (name == "nu") {
    point.nu = file.positive(node, key);
  } else {
    point.theta_scale = file.positive(node, key);
  }
}

/// A value as it appears in a point's name: numbers shortest, labels joined by "+".
std::string name_part(const toml::node& node) {
  if (const auto* a = node.as_array()) {
    std::string out;
    for (std::size_t k = 0; k < a->size(); ++k) out += (k ? "+" : "") + name_part((*a)[k]);
    return out;
  }
  if (const auto* s = node.as_string()) return s->get();
  if (const auto* i = node.as_integer()) return fmt::format("{}", i->get());
  if (const auto* f = node.as_floating_point()) return fmt::format("{}", f->get());
  return "?";
}

/// Characters other than letters, digits and ._=+- become '_' (the name is a directory).
std::string directory_safe(std::string text) {
  for (char& c : text) {
    const bool safe = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' ||
                      c == '=' || c == '+' || c == '-';
    if (!safe) c = '_';
  }
  return text;
}

struct GridKey {
  std::string name;
  const toml::array* values = nullptr;
};

std::vector<GridKey> read_grid(const ScenarioFile& file, const toml::table& grid) {
  file.require_known_keys(grid, "grid.", kVariationKeys);
  std::vector<GridKey> keys;
  for (std::string_view name : kVariationKeys) {
    const toml::node* node = grid.get(name);
    if (node == nullptr) continue;
    const std::string key = fmt::format("grid.{}", name);
    const toml::array* values = node->as_array();
    if (values == nullptr || values->empty()) {
      file.fail(*node, key, "must be a non-empty list of values, one per scenario");
    }
    keys.push_back({std::string(name), values});
  }
  return keys;
}

struct Variant {
  SweepPoint point;
  std::string key;
};

std::vector<Variant> read_variants(const ScenarioFile& file, const toml::node& node) {
  if (!node.is_array_of_tables()) {
    file.fail(node, "variant", "must be an array of tables: write [[variant]] above each entry");
  }
  std::vector<Variant> variants;
  std::set<std::string> names;
  const toml::array& entries = *node.as_array();
  for (std::size_t k = 0; k < entries.size(); ++k) {
    const toml::table& entry = *entries[k].as_table();
    const std::string prefix = fmt::format("variant[{}].", k);
    file.require_known_keys(
        entry, prefix, {"name", "shock_scale", "sectors", "regions", "beta", "nu", "theta_scale"});
    const toml::node* name = entry.get("name");
    if (name == nullptr) {
      file.fail_at(entry.source(), fmt::format("{}name is required (it names the scenario's "
                                               "directory)",
                                               prefix));
    }
    Variant v{{}, prefix};
    v.point.variant = file.string(*name, prefix + "name");
    if (directory_safe(v.point.variant) != v.point.variant) {
      file.fail(*name, prefix + "name", "must hold letters, digits and ._=+- only");
    }
    if (!names.insert(v.point.variant).second) {
      file.fail(*name, prefix + "name", "names an earlier variant too; names must be unique");
    }
    for (std::string_view key : kVariationKeys) {
      if (const toml::node* n = entry.get(key)) {
        set_variation(file, *n, prefix + std::string(key), key, v.point);
      }
    }
    variants.push_back(std::move(v));
  }
  return variants;
}

}  // namespace

Sweep read_sweep(const fs::path& path) {
  const toml::table root = scenario_file::parse_toml_file(path, "sweep");
  const ScenarioFile file(path);
  file.require_known_keys(root, "", {"scenario", "grid", "variant"});
  const toml::node* scenario = root.get("scenario");
  if (scenario == nullptr) {
    file.fail_at({}, "scenario is required (the base scenario file, relative to the sweep file)");
  }
  Sweep sweep;
  sweep.path = path;
  sweep.base = read_scenario(file.path(*scenario, "scenario"));

  std::vector<GridKey> grid;
  if (const toml::node* node = root.get("grid")) {
    if (!node->is_table()) file.fail(*node, "grid", "must be a table [grid]");
    grid = read_grid(file, *node->as_table());
  }
  std::vector<Variant> variants;
  if (const toml::node* node = root.get("variant")) variants = read_variants(file, *node);
  if (grid.empty() && variants.empty()) {
    file.fail_at({}, "a sweep needs a [grid] or at least one [[variant]]");
  }
  if (variants.empty()) variants.push_back({});

  std::size_t combinations = 1;
  for (const GridKey& g : grid) {
    combinations *= g.values->size();
    if (combinations * variants.size() > kMaxPoints) {
      file.fail_at({},
                   fmt::format("the grid and variants make more than {} scenarios", kMaxPoints));
    }
  }
  // Every variant with every combination, the last grid key fastest.
  for (const Variant& v : variants) {
    for (std::size_t c = 0; c < combinations; ++c) {
      SweepPoint point = v.point;
      point.index = sweep.points.size();
      point.name = fmt::format("{:04}", point.index);
      if (!point.variant.empty()) point.name += "-" + point.variant;
      std::size_t rest = c;
      std::vector<std::string> parts(grid.size());
      for (std::size_t g = grid.size(); g-- > 0;) {
        const std::size_t pick = rest % grid[g].values->size();
        rest /= grid[g].values->size();
        const toml::node& value = (*grid[g].values)[pick];
        set_variation(file, value, fmt::format("grid.{}[{}]", grid[g].name, pick), grid[g].name,
                      point);
        parts[g] = directory_safe(fmt::format("{}={}", grid[g].name, name_part(value)));
      }
      for (std::size_t g = 0; g < parts.size(); ++g) point.name += (g ? "_" : "-") + parts[g];
      sweep.points.push_back(std::move(point));
    }
  }
  return sweep;
}

Shard parse_shard(std::string_view text, std::string_view option) {
  const std::size_t slash = text.find('/');
  const auto number = [](std::string_view digits, std::size_t& value) {
    if (digits.empty() || digits.size() > 9) return false;
    value = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + static_cast<std::size_t>(c - '0');
    }
    return true;
  };
  Shard shard;
  if (slash == std::string_view::npos || !number(text.substr(0, slash), shard.index) ||
      !number(text.substr(slash + 1), shard.count) || shard.count == 0 ||
      shard.index >= shard.count) {
    throw InvalidInput(
        fmt::format("{} {}: must be i/n with 0 <= i < n (the i-th of n slices, 0-based as Slurm's "
                    "SLURM_ARRAY_TASK_ID with --array=0-(n-1))",
                    option, text));
  }
  return shard;
}

}  // namespace dynhat
