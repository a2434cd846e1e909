// `dynhat equilibrium base-year` and `dynhat equilibrium shock`: the temporary equilibrium of the
// CDP trade economy from the tables of a directory (MODEL.md 5.1); the fast solver on either
// backend, the replication algorithm on the CPU.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "cli/run_report.hpp"
#include "dynhat/economy.hpp"
#include "dynhat/io.hpp"
#include "dynhat/static_equilibrium.hpp"
#include "runtime/stopwatch.hpp"

namespace dynhat::cli {

namespace {

struct EquilibriumArgs {
  std::string data;
  std::size_t mobile_regions = 50;
  std::string out;
  std::string method = "fast";
  std::string backend = "cpu";
  double tol = 1e-10;
  std::string format = "csv";
  bool quiet = false;
  std::string productivity, trade_costs, labor;  // shock tables (shock command only)
};

/// [rows][cols] matrix view of a flat array, for writing.
Matrix as_matrix(const std::vector<double>& flat, std::size_t rows, std::size_t cols) {
  Matrix m(rows, cols);
  m.data = flat;
  return m;
}

StaticSolution solve(const Economy& e, const ReferenceState& ref, const StaticShock& shock,
                     const EquilibriumArgs& a) {
  if (a.method == "replication") return solve_static_replication(e, ref, shock);
  StaticOptions options;
  options.tol = a.tol;
  const Context ctx(parse_backend(a.backend, "--backend"));
  return solve_static(ctx, e, ref, shock, options);
}

nlohmann::json solve_report(const StaticSolution& s, const EquilibriumArgs& a) {
  const Backend backend =
      a.method == "replication" ? Backend::cpu : parse_backend(a.backend, "--backend");
  nlohmann::json report = run_report(s.report, backend, s.report.seconds);
  report["method"] = a.method;
  report["market_clearing_residual"] = s.market_clearing_residual;
  report["residual_norm"] = a.method == "replication"
                                ? "squared damped factor-price step (MODEL.md 5.1 f)"
                                : "max |log omegatilde - log omega| over markets";
  return report;
}

void print_solve(const char* what, const StaticSolution& s, bool quiet) {
  if (quiet) return;
  fmt::print("  {}: {} in {} passes, residual {:.2e}, market clearing {:.2e}, {:.3f} s\n", what,
             s.report.converged ? "converged" : "NOT converged", s.report.iterations,
             s.report.residual, s.market_clearing_residual, s.report.seconds);
}

/// The outputs of one solution, each with its shape and index rule for the manifest.
struct SolutionFile {
  const char* stem;
  std::vector<double> StaticSolution::*values;
  const char* rows;  // index rule of the rows, then of the columns
  const char* columns;
};

constexpr SolutionFile kSolutionFiles[] = {
    {"omega", &StaticSolution::omega, "sector j", "region n"},
    {"price_index", &StaticSolution::price_index, "region n", "one column"},
    {"sector_prices", &StaticSolution::sector_prices, "sector j", "region n"},
    {"trade_shares", &StaticSolution::trade_shares, "j*N + n: destination n in sector j",
     "source i"},
    {"expenditure", &StaticSolution::expenditure, "sector j", "region n"},
    {"VAL", &StaticSolution::VAL, "sector j", "region n"},
    {"VAR", &StaticSolution::VAR, "sector j", "region n"},
    {"real_wage", &StaticSolution::real_wage, "sector j", "region n"},
};

/// Writes the solution's files (real_wage only for a shock) and returns their layouts.
nlohmann::json write_solution(OutputDirectory& out, const Economy& e, const StaticSolution& s,
                              const std::string& format, bool shocked) {
  nlohmann::json layouts = nlohmann::json::object();
  for (const SolutionFile& f : kSolutionFiles) {
    if (!shocked && f.values == &StaticSolution::real_wage) continue;
    const std::vector<double>& x = s.*f.values;
    const std::size_t cols = f.values == &StaticSolution::price_index ? 1 : e.regions;
    const std::size_t rows = x.size() / cols;
    const std::string name = output_name(f.stem, format);
    write_matrix(out.staged(name), as_matrix(x, rows, cols));
    layouts[name] = {{"rows", rows},
                     {"columns", cols},
                     {"row", f.rows},
                     {"column", f.columns},
                     {"header", false}};
  }
  return layouts;
}

nlohmann::json orders(const Economy& e) {
  return {{"sectors", e.sector_names},
          {"regions", e.region_names},
          {"mobile_regions", e.mobile_regions},
          {"J x N tables", "row j = sector j, column n = region n"},
          {"trade_shares.csv", "row j*N + n = destination n in sector j, column i = source i"},
          {"price_index.csv", "row n = region n"}};
}

int run(const EquilibriumArgs& a, bool shocked) {
  const Stopwatch stopwatch;
  OutputDirectory out(a.out);  // before solving: a bad --out fails at once
  const Economy e = load_economy(a.data, a.mobile_regions);
  StaticShock shock;
  if (shocked) {
    if (!a.productivity.empty()) shock.productivity = read_sector_region_shock(a.productivity, e);
    if (!a.trade_costs.empty()) shock.trade_costs = read_bilateral_shock(a.trade_costs, e);
    if (!a.labor.empty()) shock.labor = read_sector_region_shock(a.labor, e);
  }
  const StaticSolution base = solve(e, ReferenceState::from_data(e), {}, a);
  nlohmann::json report;
  report["base_year"] = solve_report(base, a);
  print_solve("base year", base, a.quiet);
  bool converged = base.report.converged;
  if (!shocked) {
    report["layouts"] = write_solution(out, e, base, a.format, false);
  } else {
    const ReferenceState equilibrium{base.trade_shares, base.VAL, base.VAR};
    const StaticSolution s = solve(e, equilibrium, shock, a);
    report["shock"] = solve_report(s, a);
    print_solve("shock", s, a.quiet);
    report["shock"]["inputs"] = {
        {"productivity", a.productivity}, {"trade_costs", a.trade_costs}, {"labor", a.labor}};
    converged = converged && s.report.converged;
    report["layouts"] = write_solution(out, e, s, a.format, true);
  }
  const double seconds = stopwatch.seconds();
  report["converged"] = converged;
  report["seconds"] = seconds;
  report["backend"] = a.method == "replication" ? "cpu" : a.backend;
  report["data"] = a.data;
  report["orders"] = orders(e);
  write_text_file(out.staged("report.json"), report.dump(2) + "\n");
  out.commit();
  if (a.quiet) return converged ? 0 : kExitNotConverged;
  fmt::print("equilibrium {} ({}): J = {}, N = {}, R = {}: {}, {:.3f} s; outputs in {}\n",
             shocked ? "shock" : "base-year", a.method, e.sectors, e.regions, e.mobile_regions,
             converged ? "converged" : "NOT converged", seconds, a.out);
  return converged ? 0 : kExitNotConverged;
}

void add_common(CLI::App& cmd, EquilibriumArgs& a) {
  cmd.add_option("--data", a.data, "directory of the six long-format tables")->required();
  cmd.add_option("--mobile-regions", a.mobile_regions, "R: the first R regions are mobile")
      ->check(kAtLeastOne)
      ->capture_default_str();
  cmd.add_option("--out", a.out, "output directory")->required();
  cmd.add_option("--method", a.method, "fast or replication (MODEL.md 5.1 literally)")
      ->check(CLI::IsMember({"fast", "replication"}))
      ->capture_default_str();
  cmd.add_option("--backend", a.backend, "fast method: cpu or cuda")
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->capture_default_str();
  cmd.add_option("--tol", a.tol, "fast: max |log omegatilde - log omega|")
      ->check(kFinitePositive)
      ->capture_default_str();
  cmd.add_option("--format", a.format, "matrix outputs: csv or npy")
      ->check(CLI::IsMember({"csv", "npy"}))
      ->capture_default_str();
  cmd.add_flag("--quiet", a.quiet, "print nothing but errors");
}

}  // namespace

void add_equilibrium_commands(CLI::App& app, Invocation& invocation) {
  CLI::App* equilibrium = app.add_subcommand("equilibrium", "temporary (static) equilibrium");
  equilibrium->require_subcommand(1);

  auto base = std::make_shared<EquilibriumArgs>();
  CLI::App* by = equilibrium->add_subcommand("base-year", "model-consistent base-year equilibrium");
  add_common(*by, *base);
  by->callback([base, &invocation] { invocation.exit_code = run(*base, false); });

  auto shock = std::make_shared<EquilibriumArgs>();
  CLI::App* sh =
      equilibrium->add_subcommand("shock", "one-period counterfactual from the base year");
  add_common(*sh, *shock);
  sh->add_option("--productivity", shock->productivity, "Ahat: sector,region,value (missing = 1)");
  sh->add_option("--trade-costs", shock->trade_costs,
                 "kappahat: sector,destination,source,value (missing = 1)");
  sh->add_option("--labor", shock->labor, "Ldot (mobile regions): sector,region,value");
  sh->callback([shock, &invocation] { invocation.exit_code = run(*shock, true); });
}

}  // namespace dynhat::cli
