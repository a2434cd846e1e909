// `dynhat demo`: the embedded default (demo_model in dynhat/run.hpp), solved and printed.
#include <memory>

#include "cli/commands.hpp"
#include "cli/dynamic_flow.hpp"
#include "cli/option_checks.hpp"

namespace dynhat::cli {

namespace {

struct DemoArgs {
  DemoSpec spec;
  std::string backend = "cpu";
  DynamicArgs run;
};

}  // namespace

void add_demo_command(CLI::App& app, Invocation& invocation) {
  auto a = std::make_shared<DemoArgs>();
  DemoSpec& s = a->spec;
  CLI::App* demo = app.add_subcommand("demo", "solve the embedded seeded synthetic example");
  add_dynamic_options(*demo, a->run);
  demo->add_option("--backend", a->backend, "cpu or cuda")
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->capture_default_str();
  demo->add_option("--regions", s.regions, "regions N")->check(kAtLeastOne)->capture_default_str();
  demo->add_option("--mobile-regions", s.mobile_regions, "mobile regions R <= N")
      ->check(kAtLeastOne)
      ->capture_default_str();
  demo->add_option("--sectors", s.sectors, "sectors J (markets per region J + 1)")
      ->check(kAtLeastOne)
      ->capture_default_str();
  demo->add_option("--periods", s.periods, "slots T >= 3")
      ->check(CLI::Range(std::size_t{3}, std::size_t{1} << 62))
      ->capture_default_str();
  demo->add_option("--seed", s.seed, "seed of the synthetic economy")->capture_default_str();
  demo->add_option("--factor", s.factor, "cumulative productivity change of the shock")
      ->check(kFinitePositive)
      ->capture_default_str();
  demo->callback([a, &invocation] {
    OutputDirectory out(a->run.out);  // first: a bad --out fails before anything is solved
    a->spec.backend = parse_backend(a->backend, "--backend");
    invocation.exit_code = run_dynamic(demo_model(a->spec), a->run, invocation, &out, false);
  });
}

}  // namespace dynhat::cli
