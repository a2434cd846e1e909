// The scenario file being read (read_scenario.cpp): typed access to its TOML nodes with messages
// that name the file, line:column, key and rule, and paths relative to the file's directory.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"

namespace dynhat::scenario_file {

namespace fs = std::filesystem;

inline constexpr std::int64_t int_max = std::numeric_limits<int>::max();
inline constexpr std::int64_t no_limit = std::numeric_limits<std::int64_t>::max();

/// "a string", "an integer", ...: the TOML type of `node`, for messages.
inline std::string_view type_name(const toml::node& node) {
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
inline std::string show(const toml::node& node) {
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

/// The TOML file at `path` parsed; throws InvalidInput "FILE: KIND file not found" or
/// "FILE:LINE:COLUMN: TOML syntax error: ...". `kind` is "scenario" or "sweep".
inline toml::table parse_toml_file(const fs::path& path, std::string_view kind) {
  const std::string name = path.string();
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InvalidInput(fmt::format("{}: {} file not found", name, kind));
  const std::string text = read_text_file(path);
  try {
    return toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    throw InvalidInput(fmt::format("{}:{}:{}: TOML syntax error: {}", name, e.source().begin.line,
                                   e.source().begin.column, e.description()));
  }
}

}  // namespace dynhat::scenario_file
