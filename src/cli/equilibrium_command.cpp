// `dynhat equilibrium base-year` and `dynhat equilibrium shock`: the temporary equilibrium of the
// CDP trade economy from the tables of a directory (MODEL.md 5.1); the fast solver on either
// backend, the replication algorithm on the CPU.
#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "cli/run_report.hpp"
#include "dynhat/economy.hpp"
#include "dynhat/io.hpp"
#include "dynhat/static_equilibrium.hpp"

namespace dynhat::cli {

namespace {

struct EquilibriumArgs {
  std::string data;
  std::size_t mobile_regions = 50;
  std::string out;
  std::string method = "fast";
  std::string backend = "cpu";
  double tol = 1e-10;
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

void print_solve(const char* what, const StaticSolution& s) {
  fmt::print("  {}: {} in {} passes, residual {:.2e}, market clearing {:.2e}, {:.3f} s\n", what,
             s.report.converged ? "converged" : "NOT converged", s.report.iterations,
             s.report.residual, s.market_clearing_residual, s.report.seconds);
}

void write_solution(OutputDirectory& out, const Economy& e, const StaticSolution& s) {
  const std::size_t J = e.sectors, N = e.regions;
  write_matrix(out.staged("omega.csv"), as_matrix(s.omega, J, N));
  write_matrix(out.staged("price_index.csv"), as_matrix(s.price_index, N, 1));
  write_matrix(out.staged("sector_prices.csv"), as_matrix(s.sector_prices, J, N));
  write_matrix(out.staged("trade_shares.csv"), as_matrix(s.trade_shares, J * N, N));
  write_matrix(out.staged("expenditure.csv"), as_matrix(s.expenditure, J, N));
  write_matrix(out.staged("VAL.csv"), as_matrix(s.VAL, J, N));
  write_matrix(out.staged("VAR.csv"), as_matrix(s.VAR, J, N));
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
  const auto start = std::chrono::steady_clock::now();
  OutputDirectory out(a.out);
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
  print_solve("base year", base);
  bool converged = base.report.converged;
  if (!shocked) {
    write_solution(out, e, base);
  } else {
    const ReferenceState equilibrium{base.trade_shares, base.VAL, base.VAR};
    const StaticSolution s = solve(e, equilibrium, shock, a);
    report["shock"] = solve_report(s, a);
    print_solve("shock", s);
    report["shock"]["inputs"] = {
        {"productivity", a.productivity}, {"trade_costs", a.trade_costs}, {"labor", a.labor}};
    converged = converged && s.report.converged;
    write_solution(out, e, s);
    write_matrix(out.staged("real_wage.csv"), as_matrix(s.real_wage, e.sectors, e.regions));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report["converged"] = converged;
  report["seconds"] = seconds;
  report["backend"] = a.method == "replication" ? "cpu" : a.backend;
  report["data"] = a.data;
  report["orders"] = orders(e);
  write_text_file(out.staged("report.json"), report.dump(2) + "\n");
  out.commit();
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
}

}  // namespace

void add_equilibrium_commands(CLI::App& app, int& exit_code) {
  CLI::App* equilibrium = app.add_subcommand("equilibrium", "temporary (static) equilibrium");
  equilibrium->require_subcommand(1);

  auto base = std::make_shared<EquilibriumArgs>();
  CLI::App* by = equilibrium->add_subcommand("base-year", "model-consistent base-year equilibrium");
  add_common(*by, *base);
  by->callback([base, &exit_code] { exit_code = run(*base, false); });

  auto shock = std::make_shared<EquilibriumArgs>();
  CLI::App* sh =
      equilibrium->add_subcommand("shock", "one-period counterfactual from the base year");
  add_common(*sh, *shock);
  sh->add_option("--productivity", shock->productivity, "Ahat: sector,region,value (missing = 1)");
  sh->add_option("--trade-costs", shock->trade_costs,
                 "kappahat: sector,destination,source,value (missing = 1)");
  sh->add_option("--labor", shock->labor, "Ldot (mobile regions): sector,region,value");
  sh->callback([shock, &exit_code] { exit_code = run(*shock, true); });
}

}  // namespace dynhat::cli
