// Reading an output directory back: the saved baseline (to reuse it) and the whole run.
#include <fmt/format.h>

#include <sstream>

#include "dynhat/error.hpp"
#include "dynhat/run.hpp"
#include "run/path_files.hpp"

namespace dynhat {

namespace {

nlohmann::json read_json(const std::filesystem::path& path) {
  const std::string text = read_text_file(path);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw InvalidInput(fmt::format("{}: not valid JSON: {}", path.string(), e.what()));
  }
}

/// The first leaf of `expected` that `saved` lacks or holds with another value, as "a.b".
std::optional<std::string> first_difference(const nlohmann::json& saved,
                                            const nlohmann::json& expected,
                                            const std::string& prefix) {
  for (const auto& [key, value] : expected.items()) {
    const std::string name = prefix.empty() ? key : prefix + "." + key;
    if (!saved.is_object() || !saved.contains(key)) return name;
    if (value.is_object()) {
      if (auto d = first_difference(saved.at(key), value, name)) return d;
    } else if (saved.at(key) != value) {
      return name;
    }
  }
  return std::nullopt;
}

const nlohmann::json* at_path(const nlohmann::json& j, const std::string& dotted) {
  const nlohmann::json* node = &j;
  std::stringstream parts(dotted);
  for (std::string key; std::getline(parts, key, '.');) {
    if (!node->is_object() || !node->contains(key)) return nullptr;
    node = &node->at(key);
  }
  return node;
}

}  // namespace

SavedBaseline read_baseline(const std::filesystem::path& dir) {
  const std::filesystem::path folder =
      std::filesystem::exists(dir / "baseline" / "baseline.json") ? dir / "baseline" : dir;
  SavedBaseline saved;
  saved.path = folder / "baseline.json";
  if (!std::filesystem::exists(saved.path)) {
    throw InvalidInput(fmt::format(
        "--baseline {}: no baseline.json there or in its baseline/ (an output directory of "
        "dynhat solve or dynhat baseline)",
        dir.string()));
  }
  const nlohmann::json record = read_json(saved.path);
  if (record.value("schema_version", 0) != pipeline::kSchemaVersion) {
    throw InvalidInput(fmt::format("{}: schema_version {} (this dynhat reads {})",
                                   saved.path.string(), record.value("schema_version", 0),
                                   pipeline::kSchemaVersion));
  }
  if (!record.contains("solution")) {
    throw InvalidInput(fmt::format("{}: no \"solution\" record", saved.path.string()));
  }
  saved.solution = pipeline::read_path_files(folder, record.at("solution"), false);
  saved.record_json = record.dump();
  return saved;
}

void require_matching_baseline(const SavedBaseline& saved, const ModelInputs& inputs) {
  const nlohmann::json record = nlohmann::json::parse(saved.record_json);
  const nlohmann::json expected = pipeline::baseline_dependencies(inputs);
  const nlohmann::json depends_on = record.value("depends_on", nlohmann::json::object());
  if (const auto name = first_difference(depends_on, expected, "")) {
    const nlohmann::json* was = at_path(depends_on, *name);
    throw InvalidInput(fmt::format(
        "{}: solved for other inputs: {} is {} in the saved baseline, {} in this scenario",
        saved.path.string(), *name, was ? was->dump() : std::string("missing"),
        at_path(expected, *name)->dump()));
  }
  const PathSolution& b = saved.solution;
  if (!b.report.converged || !b.te_converged) {
    throw InvalidInput(fmt::format("{}: the saved baseline did not converge (residual {:.3e})",
                                   saved.path.string(), b.report.residual));
  }
  if (b.Y.rows != inputs.model.periods || b.Y.cols != inputs.model.markets()) {
    throw InvalidInput(fmt::format("{}: Y is {} x {}, the model needs {} x {}", saved.path.string(),
                                   b.Y.rows, b.Y.cols, inputs.model.periods,
                                   inputs.model.markets()));
  }
}

SavedRun read_outputs(const std::filesystem::path& dir) {
  SavedRun out;
  out.baseline = read_baseline(dir);
  const nlohmann::json report = read_json(dir / "report.json");
  out.report_json = report.dump();
  if (report.contains("counterfactual")) {
    out.counterfactual =
        pipeline::read_path_files(dir / "counterfactual", report.at("counterfactual"), true);
  }
  return out;
}

}  // namespace dynhat
