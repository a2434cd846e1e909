// A sweep's summary table (one row per scenario: its parameters and headline effects) and its
// manifest, for the whole sweep or for one shard, and the shards' manifests joined.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdio>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "dynhat/version.hpp"
#include "run/digest.hpp"
#include "run/effects_tables.hpp"
#include "run/run_environment.hpp"
#include "sweep/sweep_steps.hpp"

namespace dynhat {

namespace sweep {

namespace {

namespace fs = std::filesystem;

using pipeline::csv_field;

std::string shard_suffix(Shard shard) {
  return shard.count == 1 ? std::string() : fmt::format("-{}-of-{}", shard.index, shard.count);
}

/// A label list of the parameters as one field ("Food;3"), or "all" when the point keeps all.
std::string labels_field(const nlohmann::json& parameters, const char* key) {
  if (!parameters.contains(key)) return "all";
  std::string text;
  for (const nlohmann::json& x : parameters[key]) {
    text += (text.empty() ? "" : ";") + (x.is_string() ? x.get<std::string>() : x.dump());
  }
  return csv_field(text);
}

std::string summary_csv(const std::vector<SweepRow>& rows) {
  std::string text =
      "index,name,variant,shock_scale,sectors,regions,beta,nu,theta_scale,baseline,converged,"
      "baseline_iterations,counterfactual_iterations,manufacturing_effect_pp,"
      "nonemployment_effect_pp,aggregate_welfare_pct,seconds,rank,directory\n";
  for (const SweepRow& r : rows) {
    const nlohmann::json p = nlohmann::json::parse(r.parameters_json);
    text += fmt::format(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", r.index, csv_field(r.name),
        csv_field(p.value("variant", std::string())), csv_field(p.at("shock_scale").get<double>()),
        labels_field(p, "sectors"), labels_field(p, "regions"),
        csv_field(p.at("beta").get<double>()), csv_field(p.at("nu").get<double>()),
        csv_field(p.at("theta_scale").get<double>()), r.baseline, r.converged ? 1 : 0,
        r.baseline_iterations, r.counterfactual_iterations, csv_field(r.manufacturing_effect_pp),
        csv_field(r.nonemployment_effect_pp), csv_field(r.aggregate_welfare), csv_field(r.seconds),
        r.rank, csv_field("scenarios/" + r.name));
  }
  return text;
}

nlohmann::json read_json_file(const fs::path& path) {
  try {
    return nlohmann::json::parse(read_text_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw InvalidInput(fmt::format("{}: not a sweep manifest: {}", path.string(), e.what()));
  }
}

}  // namespace

nlohmann::json row_json(const SweepRow& r) {
  return {{"index", r.index},
          {"name", r.name},
          {"parameters", nlohmann::json::parse(r.parameters_json)},
          {"baseline", r.baseline},
          {"converged", r.converged},
          {"baseline_iterations", r.baseline_iterations},
          {"counterfactual_iterations", r.counterfactual_iterations},
          {"manufacturing_effect_pp", r.manufacturing_effect_pp},
          {"nonemployment_effect_pp", r.nonemployment_effect_pp},
          {"aggregate_welfare_pct", r.aggregate_welfare},
          {"seconds", r.seconds},
          {"rank", r.rank},
          {"directory", "scenarios/" + r.name}};
}

SweepRow row_from_json(const nlohmann::json& j, const std::string& where) {
  try {
    SweepRow r;
    r.index = j.at("index").get<std::size_t>();
    r.name = j.at("name").get<std::string>();
    r.parameters_json = j.at("parameters").dump();
    r.baseline = j.at("baseline").get<std::size_t>();
    r.converged = j.at("converged").get<bool>();
    r.baseline_iterations = j.at("baseline_iterations").get<int>();
    r.counterfactual_iterations = j.at("counterfactual_iterations").get<int>();
    r.manufacturing_effect_pp = j.at("manufacturing_effect_pp").get<double>();
    r.nonemployment_effect_pp = j.at("nonemployment_effect_pp").get<double>();
    r.aggregate_welfare = j.at("aggregate_welfare_pct").get<double>();
    r.seconds = j.at("seconds").get<double>();
    r.rank = j.at("rank").get<int>();
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw InvalidInput(fmt::format("{}: a scenario row is malformed: {}", where, e.what()));
  }
}

nlohmann::json baseline_json(const SolvedBaseline& b, const SweepModels& models) {
  return {{"index", b.index},
          {"parameters", models.baseline_label(b.index)},
          {"converged", b.solution.report.converged && b.solution.te_converged},
          {"iterations", b.solution.report.iterations},
          {"residual", b.solution.report.residual},
          {"seconds", b.seconds},
          {"rank", b.rank}};
}

void write_manifest(const fs::path& out, const Sweep& sweep, Shard shard,
                    const std::vector<SweepRow>& rows, const nlohmann::json& baselines,
                    const std::string& command_line, double started, double finished) {
  const std::string suffix = shard_suffix(shard);
  const std::string summary = fmt::format("summary{}.csv", suffix);
  nlohmann::json scenarios = nlohmann::json::array();
  bool converged = true;
  for (const SweepRow& r : rows) {
    scenarios.push_back(row_json(r));
    converged = converged && r.converged;
  }
  const nlohmann::json manifest = {
      {"schema_version", 1},
      {"dynhat_version", DYNHAT_VERSION},
      {"git_revision", DYNHAT_GIT_REVISION},
      {"command_line", command_line},
      {"host", pipeline::host_name()},
      {"started", pipeline::iso8601_utc(started)},
      {"finished", pipeline::iso8601_utc(finished)},
      {"seconds", finished - started},
      {"sweep", {{"file", sweep.path.string()}, {"sha256", pipeline::sha256_file(sweep.path)}}},
      {"scenario", sweep.base.path.string()},
      {"points", sweep.points.size()},
      {"shard", {{"index", shard.index}, {"count", shard.count}}},
      {"converged", converged},
      {"summary", summary},
      {"baselines", baselines},
      {"scenarios", scenarios}};
  write_text_file(out / summary, summary_csv(rows));
  write_text_file(out / fmt::format("sweep{}.json", suffix), manifest.dump(2) + "\n");
}

}  // namespace sweep

bool SweepRun::converged() const {
  for (const SweepRow& r : rows) {
    if (!r.converged) return false;
  }
  return true;
}

SweepRun collect_sweep(const Sweep& sweep, const std::filesystem::path& out,
                       const std::string& command_line) {
  namespace fs = std::filesystem;
  // The shard count from the first manifest found; every shard of that count must be there.
  std::size_t count = 0;
  std::error_code ec;
  if (fs::is_directory(out, ec)) {
    for (const fs::directory_entry& entry : fs::directory_iterator(out)) {
      unsigned long i = 0, n = 0;
      const std::string name = entry.path().filename().string();
      if (std::sscanf(name.c_str(), "sweep-%lu-of-%lu.json", &i, &n) == 2 && n > 0) {
        if (count != 0 && count != n) {
          throw InvalidInput(
              fmt::format("--out {}: holds manifests of {} and of {} shards; remove the older ones",
                          out.string(), count, n));
        }
        count = n;
      }
    }
  }
  if (count == 0) {
    throw InvalidInput(
        fmt::format("--out {}: holds no shard manifest sweep-i-of-n.json (run the shards first)",
                    out.string()));
  }
  SweepRun result;
  std::vector<SweepRow> rows(sweep.points.size());
  std::vector<char> seen(sweep.points.size(), 0);
  nlohmann::json baselines = nlohmann::json::array();
  std::vector<std::size_t> missing_shards;
  for (std::size_t i = 0; i < count; ++i) {
    const fs::path path = out / fmt::format("sweep-{}-of-{}.json", i, count);
    if (!fs::exists(path, ec)) {
      missing_shards.push_back(i);
      continue;
    }
    const nlohmann::json manifest = sweep::read_json_file(path);
    if (manifest.value("points", std::size_t{0}) != sweep.points.size()) {
      throw InvalidInput(fmt::format("{}: lists a sweep of {} scenarios, {} has {}", path.string(),
                                     manifest.value("points", std::size_t{0}), sweep.path.string(),
                                     sweep.points.size()));
    }
    for (const nlohmann::json& b : manifest.at("baselines")) baselines.push_back(b);
    for (const nlohmann::json& j : manifest.at("scenarios")) {
      SweepRow row = sweep::row_from_json(j, path.string());
      if (row.index >= rows.size() || sweep.points[row.index].name != row.name) {
        throw InvalidInput(fmt::format("{}: scenario {} ({}) is not one of {}", path.string(),
                                       row.index, row.name, sweep.path.string()));
      }
      seen[row.index] = 1;
      rows[row.index] = std::move(row);
    }
    result.seconds = std::max(result.seconds, manifest.value("seconds", 0.0));
  }
  if (!missing_shards.empty()) {
    throw InvalidInput(fmt::format("--out {}: the manifests of shards {} of {} are missing",
                                   out.string(), fmt::join(missing_shards, ", "), count));
  }
  std::vector<std::string> missing;
  for (std::size_t k = 0; k < seen.size(); ++k) {
    if (!seen[k]) missing.push_back(sweep.points[k].name);
  }
  if (!missing.empty()) {
    throw InvalidInput(fmt::format("--out {}: no shard solved scenarios {}", out.string(),
                                   fmt::join(missing, ", ")));
  }
  result.rows = std::move(rows);
  result.baselines_solved = baselines.size();
  // The joined manifest's times are the join's; each shard's manifest keeps its own.
  const double now = pipeline::unix_seconds();
  sweep::write_manifest(out, sweep, Shard{}, result.rows, baselines, command_line, now, now);
  return result;
}

}  // namespace dynhat
