// `dynhat demo`: the embedded default. A seeded synthetic economy with the CDP's US dimensions
// (50 regions x 23 labor markets, T = 200 quarters) whose manufacturing real wages (sectors 0-11)
// rise 20% over 28 quarters; solves the household path with and without the rise and prints the
// headline employment effect and the solve time.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <numeric>

#include "cli/commands.hpp"
#include "cli/run_report.hpp"
#include "dynhat/household.hpp"
#include "dynhat/io.hpp"
#include "dynhat/synthetic.hpp"

namespace dynhat::cli {

namespace {

struct DemoArgs {
  std::string out;
  std::string backend = "cpu";
  std::size_t regions = 50;
  std::size_t sectors = 22;
  std::size_t manufacturing = 12;
  std::size_t periods = 200;
  std::uint64_t seed = 20190101;
  double factor = 1.2;
  std::size_t quarters = 28;
};

/// Share of employment (slots q >= 1) in sectors 0..manufacturing-1 at labor row `L`.
double manufacturing_share(const double* L, std::size_t regions, std::size_t slots,
                           std::size_t manufacturing) {
  double employed = 0.0;
  double in_manufacturing = 0.0;
  for (std::size_t n = 0; n < regions; ++n) {
    for (std::size_t q = 1; q < slots; ++q) {
      employed += L[n * slots + q];
      if (q - 1 < manufacturing) in_manufacturing += L[n * slots + q];
    }
  }
  return in_manufacturing / employed;
}

int run_demo(const DemoArgs& a) {
  const auto start = std::chrono::steady_clock::now();
  const std::size_t slots = a.sectors + 1;
  SyntheticMobility economy = synthetic_mobility(a.regions, slots, a.seed);
  const std::size_t manufacturing = std::min(a.manufacturing, a.sectors);
  std::vector<std::size_t> shocked(manufacturing);
  std::iota(shocked.begin(), shocked.end(), 0);

  HatProblem problem;
  problem.mu0 = std::move(economy.mu0);
  problem.L0 = std::move(economy.L0);
  problem.real_wage = phased_real_wage(a.regions, slots, a.periods, shocked, a.factor, a.quarters);
  const Context ctx(parse_backend(a.backend, "--backend"));
  HatOptions options;
  options.progress = progress_printer("demo shock");
  const HatResult shock = solve_household_hat(ctx, problem, options);

  problem.real_wage = Matrix(a.periods, problem.mu0.rows, 1.0);
  options.progress = progress_printer("demo no-shock");
  const HatResult baseline = solve_household_hat(ctx, problem, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  OutputDirectory out(a.out);
  write_matrix(out.staged("Y.csv"), shock.Y);
  write_matrix(out.staged("L.csv"), shock.L);
  write_matrix(out.staged("L_no_shock.csv"), baseline.L);
  nlohmann::json report = run_report(shock.report, ctx.backend(), seconds);
  report["no_shock"] = run_report(baseline.report, ctx.backend(), seconds);
  report["problem"] = {{"form", "hat"},
                       {"regions", a.regions},
                       {"sectors", a.sectors},
                       {"markets", problem.mu0.rows},
                       {"slots", a.periods},
                       {"seed", a.seed},
                       {"shock", fmt::format("real wages of sectors 0-{} x{} over {} quarters",
                                             manufacturing - 1, a.factor, a.quarters)}};
  write_text_file(out.staged("report.json"), report.dump(2) + "\n");
  out.commit();

  const std::size_t horizon = a.periods;
  const double share0 = manufacturing_share(shock.L.row(0), a.regions, slots, manufacturing);
  const double share_shock =
      manufacturing_share(shock.L.row(horizon), a.regions, slots, manufacturing);
  const double share_base =
      manufacturing_share(baseline.L.row(horizon), a.regions, slots, manufacturing);
  fmt::print("dynhat demo: synthetic economy, {} regions x {} markets = {} markets, T = {}\n",
             a.regions, slots, problem.mu0.rows, a.periods);
  fmt::print("  shock: manufacturing real wages x{} over {} quarters (seed {})\n", a.factor,
             a.quarters, a.seed);
  fmt::print(
      "  manufacturing employment share: {:.3f}% at slot 0, {:.3f}% at T with the shock, "
      "{:.3f}% without: effect {:+.3f} pp\n",
      100 * share0, 100 * share_shock, 100 * share_base, 100 * (share_shock - share_base));
  fmt::print("  outer iterations (Anderson): {} with the shock, {} without; converged: {}\n",
             shock.report.iterations, baseline.report.iterations,
             shock.report.converged && baseline.report.converged ? "yes" : "NO");
  fmt::print("  solve time: {:.3f} s + {:.3f} s on {}; total {:.3f} s; outputs in {}\n",
             shock.report.seconds, baseline.report.seconds, to_string(ctx.backend()), seconds,
             a.out);
  return shock.report.converged && baseline.report.converged ? 0 : kExitNotConverged;
}

}  // namespace

void add_demo_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<DemoArgs>();
  CLI::App* demo = app.add_subcommand("demo", "solve the embedded seeded synthetic example");
  demo->add_option("--out", a->out, "output directory")->required();
  demo->add_option("--backend", a->backend, "cpu or cuda")
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->capture_default_str();
  demo->add_option("--regions", a->regions, "mobile regions R")->capture_default_str();
  demo->add_option("--sectors", a->sectors, "sectors J (markets per region J + 1)")
      ->capture_default_str();
  demo->add_option("--periods", a->periods, "slots T")->capture_default_str();
  demo->add_option("--seed", a->seed, "seed of the synthetic economy")->capture_default_str();
  demo->callback([a, &exit_code] { exit_code = run_demo(*a); });
}

}  // namespace dynhat::cli
