// write_outputs: a run's output directory and its manifest (report.json).
#include <fmt/format.h>
#include <omp.h>

#include "dynhat/run.hpp"
#include "dynhat/version.hpp"
#include "run/effects_tables.hpp"
#include "run/kit_outputs.hpp"
#include "run/path_files.hpp"
#include "run/run_environment.hpp"

namespace dynhat {

namespace {

using pipeline::host_name;
using pipeline::iso8601_utc;

nlohmann::json run_environment(const ModelInputs& in, const OutputSettings& settings,
                               const RunResult& r) {
  return {{"dynhat_version", DYNHAT_VERSION},
          {"git_revision", DYNHAT_GIT_REVISION},
          {"command_line", settings.command_line},
          {"started", iso8601_utc(r.started)},
          {"finished", iso8601_utc(r.finished)},
          {"host", host_name()},
          {"omp_threads", omp_get_max_threads()},
          {"mpi_ranks", in.options.ranks ? in.options.ranks->size() : 1},
          {"backend", std::string(to_string(in.backend))},
          {"device", in.backend == Backend::cuda ? cuda_device_name(in.device) : std::string()}};
}

nlohmann::json model_record(const ModelInputs& in) {
  const Economy& e = in.model.economy;
  return {{"sectors", e.sectors},
          {"regions", e.regions},
          {"mobile_regions", e.mobile_regions},
          {"markets", in.model.markets()},
          {"periods", in.model.periods},
          {"beta", in.model.beta},
          {"nu", in.model.nu},
          {"first_quarter", in.first_quarter},
          // Every baseline flow is mu0's scaled by positive factors (E11), so no cell switches on
          // and the factorised form (MODEL.md 5.5) is exact; it is the one used.
          {"migration_path", "factorised"},
          {"sector_names", e.sector_names},
          {"region_names", e.region_names}};
}

nlohmann::json inputs_record(const ModelInputs& in) {
  nlohmann::json files = nlohmann::json::array();
  for (const InputFile& f : in.files) {
    files.push_back({{"role", f.role}, {"path", f.path.string()}, {"sha256", f.sha256}});
  }
  return files;
}

nlohmann::json effects_record(const ModelInputs& in, const Effects& fx) {
  const std::size_t h = fx.horizon;
  return {{"horizon_slot", h},
          {"horizon_quarter", quarter_label(in.first_quarter, h)},
          {"manufacturing_sectors", in.effects.manufacturing},
          {"manufacturing_share_effect_pp",
           100 * (fx.manufacturing_share_counterfactual[h] - fx.manufacturing_share_baseline[h])},
          {"aggregate_welfare_pct", fx.aggregate_welfare},
          {"effect", "counterfactual - baseline; shares at horizon_slot"}};
}

}  // namespace

std::vector<std::string> write_outputs(OutputDirectory& out, const ModelInputs& in,
                                       const RunResult& r, const OutputSettings& settings) {
  // --format mat: the path files stay CSV (what --baseline reads back), the kit's workspaces
  // are written beside them.
  const bool mat = settings.format == OutputFormat::mat;
  const OutputFormat path_format = mat ? OutputFormat::csv : settings.format;
  std::vector<std::string> files =
      pipeline::write_path_files(out, "baseline", r.baseline, path_format);
  nlohmann::json baseline = {{"schema_version", pipeline::kSchemaVersion},
                             {"dynhat_version", DYNHAT_VERSION},
                             {"git_revision", DYNHAT_GIT_REVISION},
                             {"depends_on", pipeline::baseline_dependencies(in)},
                             {"solution", pipeline::path_record(r.baseline, in.backend)},
                             {"layouts", pipeline::matrix_layouts(in, files)}};
  write_text_file(out.staged("baseline/baseline.json"), baseline.dump(2) + "\n");
  files.emplace_back("baseline/baseline.json");
  if (r.counterfactual) {
    const std::vector<std::string> paths =
        pipeline::write_path_files(out, "counterfactual", *r.counterfactual, path_format);
    files.insert(files.end(), paths.begin(), paths.end());
    std::filesystem::create_directories(out.staged("effects"));
    const std::vector<std::string> tables =
        pipeline::write_effects_tables(out, in, r.baseline, *r.counterfactual, *r.effects);
    files.insert(files.end(), tables.begin(), tables.end());
  }
  const std::vector<std::string> mat_files =
      mat ? pipeline::write_kit_mat_files(out, in, r) : std::vector<std::string>{};
  files.insert(files.end(), mat_files.begin(), mat_files.end());
  files.emplace_back("report.json");

  nlohmann::json report = {
      {"schema_version", pipeline::kSchemaVersion},
      {"converged", r.converged()},
      {"seconds", r.seconds},
      {"run", run_environment(in, settings, r)},
      {"description", in.description},
      {"source", nlohmann::json::parse(in.source_json)},
      {"inputs", inputs_record(in)},
      {"model", model_record(in)},
      {"options", pipeline::options_record(in.options)},
      {"baseline_changes", pipeline::changes_record(in.model.economy, in.model.baseline_changes)},
      {"changes", pipeline::changes_record(in.model.economy, in.changes)},
      {"news_slot", in.changes.news_slot},
      {"baseline", pipeline::path_record(r.baseline, in.backend)},
      {"files", files},
      {"layouts", pipeline::matrix_layouts(in, files)}};
  report["layouts"].update(pipeline::kit_mat_layouts(in, mat_files));
  report["baseline"]["reused"] = r.baseline_reused;
  if (r.counterfactual) {
    report["counterfactual"] = pipeline::path_record(*r.counterfactual, in.backend);
    report["effects"] = effects_record(in, *r.effects);
  }
  write_text_file(out.staged("report.json"), report.dump(2) + "\n");
  out.commit();
  return files;
}

}  // namespace dynhat
