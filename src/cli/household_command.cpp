// `dynhat household levels` (E1-E3) and `dynhat household hat` (E11-E13).
#include <fmt/format.h>

#include <memory>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "cli/run_report.hpp"
#include "dynhat/household.hpp"
#include "dynhat/io.hpp"
#include "dynhat/validate.hpp"
#include "runtime/stopwatch.hpp"

namespace dynhat::cli {

namespace {

struct CommonOptions {
  std::string out;
  std::string backend = "cpu";
  std::string format = "csv";
  double beta = 0.99;
  double nu = 5.3436;
  bool quiet = false;
};

void add_common(CLI::App& cmd, CommonOptions& o) {
  cmd.add_option("--beta", o.beta, "quarterly discount factor, in [0, 1)")->capture_default_str();
  cmd.add_option("--nu", o.nu, "taste-shock dispersion nu > 0")
      ->check(kFinitePositive)
      ->capture_default_str();
  cmd.add_option("--out", o.out, "output directory (created; files replaced atomically)")
      ->required();
  cmd.add_option("--backend", o.backend, "cpu or cuda")
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->capture_default_str();
  cmd.add_option("--format", o.format, "output format: csv or npy")
      ->check(CLI::IsMember({"csv", "npy"}))
      ->capture_default_str();
  cmd.add_flag("--quiet", o.quiet, "print nothing but errors");
}

struct LevelsArgs {
  CommonOptions common;
  std::string tau, utility, L0;
  std::size_t periods = 0;
  double tol = 1e-12;
  int max_iterations = 200000;
};

int run_levels(const LevelsArgs& a) {
  const Stopwatch stopwatch;
  OutputDirectory out(a.common.out);  // first: a bad --out fails before anything is read
  LevelsProblem problem;
  problem.tau = read_matrix(a.tau);
  problem.utility = read_matrix(a.utility);
  problem.L0 = read_vector(a.L0);
  problem.beta = a.common.beta;
  problem.nu = a.common.nu;
  validate(problem, LevelsLabels{a.tau, a.utility, a.L0, "--beta", "--nu"}, a.periods);
  const std::size_t m = problem.tau.rows;

  const Context ctx(parse_backend(a.common.backend, "--backend"));
  LevelsOptions options;
  options.tol = a.tol;
  options.max_iterations = a.max_iterations;
  const LevelsResult result = solve_household_levels(ctx, problem, options);

  write_matrix(out.staged(output_name("V", a.common.format)), result.V);
  write_matrix(out.staged(output_name("L", a.common.format)), result.L);
  nlohmann::json report = run_report(result.stationary, ctx.backend(), stopwatch.seconds());
  report["problem"] = {{"form", "levels"},      {"markets", m},      {"periods", a.periods},
                       {"beta", a.common.beta}, {"nu", a.common.nu}, {"tol", a.tol}};
  report["layouts"] = {
      {output_name("V", a.common.format),
       matrix_layout(result.V, "t = 0..T", "market m",
                     "V_t; row T = the stationary V under U_{T-1}")},
      {output_name("L", a.common.format),
       matrix_layout(result.L, "t = 0..T", "market m", "labor; row 0 = L0, row t+1 = mu_t^T L_t")}};
  write_text_file(out.staged("report.json"), report.dump(2) + "\n");
  out.commit();
  if (a.common.quiet) return result.stationary.converged ? 0 : kExitNotConverged;
  fmt::print("levels: M = {}, T = {}, stationary V {} in {} iterations (bound {:.2e}), {:.3f} s\n",
             m, a.periods, result.stationary.converged ? "converged" : "NOT converged",
             result.stationary.iterations, result.stationary.residual, stopwatch.seconds());
  return result.stationary.converged ? 0 : kExitNotConverged;
}

struct HatArgs {
  CommonOptions common;
  std::string mu0, L0, real_wage;
  std::string method = "anderson";
  double tol = 1e-10;
  int max_iterations = 5000;
  int anderson_memory = 8;
  std::string mu0_storage = "dense";
};

int run_hat(const HatArgs& a) {
  const Stopwatch stopwatch;
  OutputDirectory out(a.common.out);  // first: a bad --out fails before anything is read
  HatProblem problem;
  problem.L0 = read_vector(a.L0);
  // A sparse file (long-format CSV or .npz) is kept sparse; M comes from L0.
  if (is_sparse_matrix_file(a.mu0)) {
    problem.mu0_sparse = read_sparse_matrix(a.mu0, problem.L0.size());
  } else {
    problem.mu0 = read_matrix(a.mu0);
  }
  problem.real_wage = read_matrix(a.real_wage);
  problem.beta = a.common.beta;
  problem.nu = a.common.nu;
  validate(problem, HatLabels{a.mu0, a.L0, a.real_wage, "--beta", "--nu"});
  const std::size_t m = problem.L0.size();

  const Context ctx(parse_backend(a.common.backend, "--backend"));
  HatOptions options;
  options.method = a.method == "picard" ? OuterMethod::picard : OuterMethod::anderson;
  options.tol = a.tol;
  options.max_iterations = a.max_iterations;
  options.anderson_memory = a.anderson_memory;
  options.mu0_storage = parse_mu0_storage(a.mu0_storage, "--mu0-storage");
  if (!a.common.quiet) options.progress = progress_printer("hat " + a.method);
  const HatResult result = solve_household_hat(ctx, problem, options);

  write_matrix(out.staged(output_name("Y", a.common.format)), result.Y);
  write_matrix(out.staged(output_name("L", a.common.format)), result.L);
  nlohmann::json report = run_report(result.report, ctx.backend(), stopwatch.seconds());
  report["problem"] = {{"form", "hat"},
                       {"markets", m},
                       {"slots", problem.real_wage.rows},
                       {"beta", a.common.beta},
                       {"nu", a.common.nu},
                       {"method", a.method},
                       {"mu0_storage", problem.mu0.rows == 0 ? "sparse" : a.mu0_storage},
                       {"tol", a.tol},
                       {"residual_norm", "max |log Y_new - log Y|"}};
  report["layouts"] = {
      {output_name("Y", a.common.format), matrix_layout(result.Y, "slot t = 0..T-1", "market m",
                                                        "value changes Y_t; rows 0 and T-1 are 1")},
      {output_name("L", a.common.format),
       matrix_layout(result.L, "slot t = 0..T", "market m",
                     "labor; row 0 = L0, row t+1 = mu_t^T L_t")}};
  write_text_file(out.staged("report.json"), report.dump(2) + "\n");
  out.commit();
  if (a.common.quiet) return result.report.converged ? 0 : kExitNotConverged;
  fmt::print("hat ({}): M = {}, T = {}, {} in {} iterations (residual {:.2e}), {:.3f} s\n",
             a.method, m, problem.real_wage.rows,
             result.report.converged ? "converged" : "NOT converged", result.report.iterations,
             result.report.residual, stopwatch.seconds());
  return result.report.converged ? 0 : kExitNotConverged;
}

}  // namespace

void add_household_commands(CLI::App& app, Invocation& invocation) {
  CLI::App* household = app.add_subcommand("household", "household (migration) block alone");
  household->require_subcommand(1);

  auto levels = std::make_shared<LevelsArgs>();
  CLI::App* lv = household->add_subcommand("levels", "levels form E1-E3 from moving costs tau");
  lv->add_option("--tau", levels->tau, "moving costs [M][M] (.csv or .npy)")->required();
  lv->add_option("--utility", levels->utility, "period utilities U_t = log C_t, [T][M]")
      ->required();
  lv->add_option("--L0", levels->L0, "labor at t = 0, [M]")->required();
  lv->add_option("--periods", levels->periods, "T, the number of rows of --utility")
      ->required()
      ->check(kAtLeastOne);
  lv->add_option("--tol", levels->tol, "stationary-V error bound (sup norm)")
      ->check(kFinitePositive)
      ->capture_default_str();
  lv->add_option("--max-iterations", levels->max_iterations)
      ->check(kAtLeastOne)
      ->capture_default_str();
  add_common(*lv, levels->common);
  lv->callback([levels, &invocation] { invocation.exit_code = run_levels(*levels); });

  auto hat = std::make_shared<HatArgs>();
  CLI::App* ht = household->add_subcommand("hat", "hat algebra E11-E13 with given real wages");
  ht->add_option("--mu0", hat->mu0,
                 "migration matrix mu_{-1}, [M][M], rows sum to 1 (dense, or sparse: "
                 "origin,destination,share CSV or scipy .npz)")
      ->required();
  ht->add_option("--L0", hat->L0, "labor at slot 0, [M]")->required();
  ht->add_option("--real-wage", hat->real_wage, "real-wage changes Cdot, [T][M], row t = slot t")
      ->required();
  ht->add_option("--method", hat->method, "outer iteration: picard or anderson")
      ->check(CLI::IsMember({"picard", "anderson"}))
      ->capture_default_str();
  ht->add_option("--tol", hat->tol, "converged when max |log Y_new - log Y| <= tol")
      ->check(kFinitePositive)
      ->capture_default_str();
  ht->add_option("--max-iterations", hat->max_iterations)
      ->check(kAtLeastOne)
      ->capture_default_str();
  ht->add_option("--anderson-memory", hat->anderson_memory)
      ->check(kAtLeastOne)
      ->capture_default_str();
  ht->add_option("--mu0-storage", hat->mu0_storage,
                 "mu0 on the backend: dense (doubles), float32 (half the bytes) or sparse (CSR)")
      ->check(CLI::IsMember({"dense", "float32", "sparse"}))
      ->capture_default_str();
  add_common(*ht, hat->common);
  ht->callback([hat, &invocation] { invocation.exit_code = run_hat(*hat); });
}

}  // namespace dynhat::cli
