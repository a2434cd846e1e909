// Bindings of the run pipeline (include/dynhat/run.hpp): scenario files, model inputs, the solve
// of baseline and counterfactual with the GIL released, the output directory, and the solved
// paths and effects as zero-copy NumPy views.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <nlohmann/json.hpp>

#include "bindings.hpp"
#include "dynhat/run.hpp"
#include "run/path_files.hpp"

namespace dynhat::python {

namespace {

std::optional<Backend> backend_override(const std::optional<std::string>& name) {
  if (!name) return std::nullopt;
  return parse_backend(*name, "backend");
}

/// What one solve returns to Python: the paths and effects (moved out of the RunResult, so the
/// arrays are never copied) and the timings.
using SolveOutput = std::tuple<std::optional<PathSolution>, std::optional<PathSolution>,
                               std::optional<Effects>, double, double, double, bool>;

SolveOutput solve(const ModelInputs& inputs, nb::object baseline_progress,
                  nb::object counterfactual_progress, const PathSolution* baseline,
                  bool counterfactual, const std::optional<std::string>& out,
                  const std::string& format, const std::string& command_line) {
  ProgressBridge bridge;
  RunOptions options;
  options.baseline_progress = bridge.wrap(baseline_progress);
  options.counterfactual_progress = bridge.wrap(counterfactual_progress);
  options.baseline = baseline;
  const OutputSettings settings{parse_output_format(format), command_line};
  RunResult r = without_gil(bridge, [&] {
    // Checked before solving, like the CLI's --out; all files appear at the end, or none.
    std::optional<OutputDirectory> directory;
    if (out) directory.emplace(*out);
    RunResult result = counterfactual ? run(inputs, options) : run_baseline(inputs, options);
    if (directory) write_outputs(*directory, inputs, result, settings);
    return result;
  });
  const bool converged = r.converged();
  std::optional<PathSolution> solved_baseline;
  if (!r.baseline_reused) solved_baseline = std::move(r.baseline);
  return {std::move(solved_baseline),
          std::move(r.counterfactual),
          std::move(r.effects),
          r.seconds,
          r.started,
          r.finished,
          converged};
}

/// Throws InvalidInput unless `baseline`, solved for `solved_for`, can serve `inputs` (the same
/// data, model and tolerances; converged): require_matching_baseline's rules and messages.
void require_baseline_for(const ModelInputs& solved_for, const PathSolution& baseline,
                          const ModelInputs& inputs) {
  SavedBaseline saved;
  saved.path = "baseline";
  saved.solution = baseline;
  saved.record_json =
      nlohmann::json{{"depends_on", pipeline::baseline_dependencies(solved_for)}}.dump();
  require_matching_baseline(saved, inputs);
}

std::vector<std::string> names(const std::vector<std::size_t>& index,
                               const std::vector<std::string>& all) {
  std::vector<std::string> out;
  for (std::size_t i : index) out.push_back(all[i]);
  return out;
}

}  // namespace

void bind_run(nb::module_& m) {
  nb::class_<Scenario>(m, "ScenarioFile",
                       "A parsed and checked scenario file (read_scenario): the keys of the "
                       "README's \"Scenario files\", relative paths resolved.")
      .def_prop_ro(
          "path", [](const Scenario& s) { return s.path.string(); }, "The scenario file.")
      .def_prop_ro(
          "tables", [](const Scenario& s) { return s.tables.string(); },
          "Directory of the six tables.")
      .def_ro("periods", &Scenario::periods, "T slots.")
      .def_ro("mobile_regions", &Scenario::mobile_regions, "R, the mobile regions.")
      .def_ro("first_quarter", &Scenario::first_quarter, "Label of slot 0, \"YYYYQn\".")
      .def_ro("backend", &Scenario::backend, "solver.backend, \"cpu\" or \"cuda\".");
  m.def(
      "read_scenario", [](const std::string& path) { return read_scenario(path); }, nb::arg("path"),
      "Parses and checks a scenario file (TOML); raises InputError naming the file, the key "
      "and the rule.");

  nb::class_<ModelInputs>(m, "Model",
                          "A scenario's model inputs: the economy, L0, mu0, T, beta, nu, the "
                          "base-year equilibrium, the resolved shocks and solver options.")
      .def_prop_ro(
          "sector_names", [](const ModelInputs& in) { return in.model.economy.sector_names; },
          "[J] sector names.")
      .def_prop_ro(
          "region_names", [](const ModelInputs& in) { return in.model.economy.region_names; },
          "[N] region names; the first R are the mobile ones (US states).")
      .def_prop_ro(
          "mobile_regions", [](const ModelInputs& in) { return in.model.economy.mobile_regions; },
          "R.")
      .def_prop_ro(
          "periods", [](const ModelInputs& in) { return in.model.periods; }, "T slots.")
      .def_prop_ro(
          "beta", [](const ModelInputs& in) { return in.model.beta; }, "Quarterly discount factor.")
      .def_prop_ro(
          "nu", [](const ModelInputs& in) { return in.model.nu; }, "Migration elasticity nu.")
      .def_prop_ro(
          "L0", [](const ModelInputs& in) { return view(in.model.L0, nb::find(&in)); },
          "[M] labor at slot 0 (market m = n*(J+1)+q).")
      .def_prop_ro(
          "manufacturing", [](const ModelInputs& in) { return in.effects.manufacturing; },
          "0-based manufacturing sectors of the effects.")
      .def_prop_ro(
          "manufacturing_names",
          [](const ModelInputs& in) {
            return names(in.effects.manufacturing, in.model.economy.sector_names);
          },
          "Names of the manufacturing sectors.")
      .def_prop_ro(
          "backend", [](const ModelInputs& in) { return std::string(to_string(in.backend)); },
          "\"cpu\" or \"cuda\".")
      .def_ro("first_quarter", &ModelInputs::first_quarter, "Label of slot 0, \"YYYYQn\".")
      .def_ro("description", &ModelInputs::description, "Where the inputs come from.")
      .def_ro("source_json", &ModelInputs::source_json,
              "JSON: the scenario's path and its shocks as written (report.json's source).")
      .def_prop_ro(
          "files",
          [](const ModelInputs& in) {
            std::vector<std::tuple<std::string, std::string, std::string>> out;
            for (const InputFile& f : in.files) out.emplace_back(f.role, f.path.string(), f.sha256);
            return out;
          },
          "Files read, as (role, path, sha256).")
      .def_prop_ro(
          "options_json",
          [](const ModelInputs& in) { return pipeline::options_record(in.options).dump(); },
          "JSON: the solver settings (report.json's options).")
      .def_prop_ro(
          "changes_json",
          [](const ModelInputs& in) {
            return pipeline::changes_record(in.model.economy, in.changes).dump();
          },
          "JSON: the counterfactual's resolved changes of fundamentals (report.json's changes).")
      .def_prop_ro(
          "baseline_changes_json",
          [](const ModelInputs& in) {
            return pipeline::changes_record(in.model.economy, in.model.baseline_changes).dump();
          },
          "JSON: the baseline's own resolved changes (report.json's baseline_changes).")
      .def_prop_ro(
          "news_slot", [](const ModelInputs& in) { return in.changes.news_slot; },
          "The slot at which the counterfactual's agents learn its changes.");

  m.def(
      "load_model",
      [](const Scenario& scenario, const std::optional<std::string>& backend) {
        const std::optional<Backend> override = backend_override(backend);
        nb::gil_scoped_release release;
        return load_model(scenario, override);
      },
      nb::arg("scenario"), nb::arg("backend") = nb::none(),
      "The model inputs of a scenario: tables, L0 and mu0 read and checked, the base-year "
      "equilibrium solved. `backend` overrides solver.backend.");
  m.def(
      "demo_model",
      [](std::size_t regions, std::size_t mobile_regions, std::size_t sectors, std::size_t periods,
         std::uint64_t seed, double factor, const std::string& backend) {
        DemoSpec spec;
        spec.regions = regions;
        spec.mobile_regions = mobile_regions;
        spec.sectors = sectors;
        spec.periods = periods;
        spec.seed = seed;
        spec.factor = factor;
        spec.backend = parse_backend(backend);
        nb::gil_scoped_release release;
        return demo_model(spec);
      },
      nb::arg("regions") = 87, nb::arg("mobile_regions") = 50, nb::arg("sectors") = 22,
      nb::arg("periods") = 200, nb::arg("seed") = 20190101, nb::arg("factor") = 2.0,
      nb::arg("backend") = "cpu",
      "The embedded default of `dynhat demo`: a seeded synthetic economy and a China-like "
      "productivity shock.");

  nb::class_<PathSolution>(m, "Path",
                           "One solved path (baseline or counterfactual), slots t = 0..T-1. The "
                           "arrays are read-only views of the library's memory.")
      .def_prop_ro(
          "Y", [](const PathSolution& p) { return view(p.Y, nb::find(&p)); },
          "[T][M] the path's own value changes exp((V_t - V_{t-1})/nu).")
      .def_prop_ro(
          "Y_relative", [](const PathSolution& p) { return view(p.Y_relative, nb::find(&p)); },
          "[T][M] counterfactual: Y over the baseline's (slot 1 = the jump at the news); "
          "0 x 0 for a baseline.")
      .def_prop_ro(
          "L", [](const PathSolution& p) { return view(p.L, nb::find(&p)); },
          "[T][M] labor (persons), row 0 = L0.")
      .def_prop_ro(
          "real_wage", [](const PathSolution& p) { return view(p.real_wage, nb::find(&p)); },
          "[T][M] real wage over its slot-0 value (1 in non-employment).")
      .def_prop_ro(
          "stay", [](const PathSolution& p) { return view(p.stay, nb::find(&p)); },
          "[T][M] share of market m staying in m after slot t.")
      .def_prop_ro(
          "omega", [](const PathSolution& p) { return view(p.omega, nb::find(&p)); },
          "[T][J*N] factor-price change (column j*N+n) relative to the base year.")
      .def_prop_ro(
          "price_index", [](const PathSolution& p) { return view(p.price_index, nb::find(&p)); },
          "[T][N] aggregate price index relative to the base year.")
      .def_prop_ro(
          "converged", [](const PathSolution& p) { return p.report.converged && p.te_converged; },
          "Outer iteration and every temporary equilibrium converged.")
      .def_prop_ro(
          "iterations", [](const PathSolution& p) { return p.report.iterations; },
          "Outer iterations.")
      .def_prop_ro(
          "residual", [](const PathSolution& p) { return p.report.residual; },
          "Final max |Delta log Y|.")
      .def_prop_ro(
          "residual_history", [](const PathSolution& p) { return p.report.residual_history; },
          "Residual after every outer iteration.")
      .def(
          "record_json",
          [](const PathSolution& p, const std::string& backend) {
            return pipeline::path_record(p, parse_backend(backend)).dump();
          },
          nb::arg("backend"),
          "JSON: the solver record of report.json (outer iteration, temporary equilibria).");

  nb::class_<Effects> effects(m, "Effects",
                              "Employment and welfare effects (counterfactual - baseline); "
                              "shares at the horizon slot T-2. Arrays are read-only views.");
  effects.def_ro("horizon", &Effects::horizon, "The slot at which shares are compared (T-2).")
      .def_ro("aggregate_welfare", &Effects::aggregate_welfare,
              "L0-weighted welfare effect, percent consumption equivalent.");
  // One read-only view property per vector of Effects.
  const std::pair<const char*, std::vector<double> Effects::*> vectors[] = {
      {"sector_share_baseline", &Effects::sector_share_baseline},
      {"sector_share_counterfactual", &Effects::sector_share_counterfactual},
      {"sector_contribution", &Effects::sector_contribution},
      {"region_share_baseline", &Effects::region_share_baseline},
      {"region_share_counterfactual", &Effects::region_share_counterfactual},
      {"region_manufacturing_baseline", &Effects::region_manufacturing_baseline},
      {"region_manufacturing_counterfactual", &Effects::region_manufacturing_counterfactual},
      {"region_contribution", &Effects::region_contribution},
      {"manufacturing_share_baseline", &Effects::manufacturing_share_baseline},
      {"manufacturing_share_counterfactual", &Effects::manufacturing_share_counterfactual},
      {"nonemployment_share_baseline", &Effects::nonemployment_share_baseline},
      {"nonemployment_share_counterfactual", &Effects::nonemployment_share_counterfactual},
      {"welfare", &Effects::welfare},
      {"region_welfare", &Effects::region_welfare}};
  for (const auto& [name, member] : vectors) {
    effects.def_prop_ro(
        name, [member = member](const Effects& fx) { return view(fx.*member, nb::find(&fx)); },
        "A vector of dynhat::Effects (include/dynhat/effects.hpp): [J] sector_*, [R] region_*, "
        "[T] *_share_*, [M] welfare.");
  }

  m.def("solve", &solve, nb::arg("model"), nb::arg("baseline_progress").none(),
        nb::arg("counterfactual_progress").none(), nb::arg("baseline").none(),
        nb::arg("counterfactual"), nb::arg("out").none(), nb::arg("format"),
        nb::arg("command_line"),
        "Solves the model (the GIL released): the baseline unless one is given, the "
        "counterfactual and effects when asked; writes the output directory `out` when given "
        "(all files or none). Progress callables get (iteration, residual, seconds); an "
        "exception they raise (or Ctrl-C) stops the solve and is raised here. Returns "
        "(baseline or None when given, counterfactual, effects, seconds, started, finished, "
        "converged).");
  m.def("require_baseline_for", &require_baseline_for, nb::arg("solved_for"), nb::arg("baseline"),
        nb::arg("model"),
        "Raises InputError unless a baseline solved for `solved_for` serves `model` (same data, "
        "model and tolerances, converged).");
  m.def("quarter_label", &quarter_label, nb::arg("first"), nb::arg("slot"),
        "\"YYYYQn\" of the quarter `slot` quarters after `first`.");
}

}  // namespace dynhat::python
