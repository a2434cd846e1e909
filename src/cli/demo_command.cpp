// `dynhat demo`: the embedded default. A seeded synthetic economy with the CDP's dimensions (87
// regions of which 50 mobile, 22 sectors, 1150 labor markets, T = 200 quarters) and a China-like
// shock: the productivity of one country's 12 manufacturing sectors doubles over 28 quarters.
// Solves the baseline and the counterfactual and prints the headline effects and the solve time.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "cli/commands.hpp"
#include "cli/dynamic_run.hpp"
#include "cli/option_checks.hpp"
#include "dynhat/io.hpp"
#include "dynhat/synthetic.hpp"

namespace dynhat::cli {

namespace {

struct DemoArgs {
  std::string out;
  std::string backend = "cpu";
  std::size_t regions = 87;
  std::size_t mobile_regions = 50;
  std::size_t sectors = 22;
  std::size_t periods = 200;
  std::uint64_t seed = 20190101;
  double factor = 2.0;  // cumulative productivity change of the shocked country's manufacturing
  std::size_t quarters = 28;
};

int run_demo(const DemoArgs& a) {
  OutputDirectory out(a.out);
  DynamicRun run;
  run.out = a.out;
  run.backend = parse_backend(a.backend, "--backend");
  DynamicModel& model = run.model;
  model.economy = synthetic_economy(a.sectors, a.regions, a.mobile_regions, a.seed);
  SyntheticMobility mobility = synthetic_mobility(a.mobile_regions, a.sectors + 1, a.seed);
  model.mu0 = std::move(mobility.mu0);
  model.L0 = std::move(mobility.L0);
  model.periods = a.periods;
  require_periods(model, "--periods");
  model.base_year = base_year_equilibrium(Context(Backend::cpu), model.economy, run.options.te);

  // The CDP's China is region 56 = R + 6; a smaller economy shocks its last region.
  const std::size_t shocked = std::min(a.mobile_regions + 6, a.regions - 1);
  const std::size_t manufacturing = std::min<std::size_t>(12, a.sectors);
  const std::size_t quarters = std::min(a.quarters, a.periods - 1);
  for (std::size_t j = 0; j < manufacturing; ++j) {
    run.effects.manufacturing.push_back(j);
    for (std::size_t q = 1; q <= quarters; ++q) {
      run.changes.productivity.push_back(
          {q, j, shocked, std::pow(a.factor, 1.0 / static_cast<double>(quarters))});
    }
  }
  run.title = fmt::format(
      "dynhat demo (synthetic, seed {}; shock: productivity of {}'s sectors 0-{} x{} over {} "
      "quarters)",
      a.seed, model.economy.region_names[shocked], manufacturing - 1, a.factor, quarters);
  run.manifest["demo"] = {{"seed", a.seed},
                          {"shocked_region", model.economy.region_names[shocked]},
                          {"cumulative_productivity_factor", a.factor},
                          {"quarters", quarters}};
  return run_dynamic(run, out);
}

}  // namespace

void add_demo_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<DemoArgs>();
  CLI::App* demo = app.add_subcommand("demo", "solve the embedded seeded synthetic example");
  demo->add_option("--out", a->out, "output directory")->required();
  demo->add_option("--backend", a->backend, "cpu or cuda")
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->capture_default_str();
  demo->add_option("--regions", a->regions, "regions N")->check(kAtLeastOne)->capture_default_str();
  demo->add_option("--mobile-regions", a->mobile_regions, "mobile regions R <= N")
      ->check(kAtLeastOne)
      ->capture_default_str();
  demo->add_option("--sectors", a->sectors, "sectors J (markets per region J + 1)")
      ->check(kAtLeastOne)
      ->capture_default_str();
  demo->add_option("--periods", a->periods, "slots T >= 3")
      ->check(CLI::Range(std::size_t{3}, std::size_t{1} << 62))
      ->capture_default_str();
  demo->add_option("--seed", a->seed, "seed of the synthetic economy")->capture_default_str();
  demo->add_option("--factor", a->factor, "cumulative productivity change of the shock")
      ->check(kFinitePositive)
      ->capture_default_str();
  demo->callback([a, &exit_code] { exit_code = run_demo(*a); });
}

}  // namespace dynhat::cli
