// `dynhat sweep SWEEP.toml --out DIR [--shard i/n | --collect | --mpi]`: a base scenario and its
// variations, every baseline solved once (README "Scenario sweeps").
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "cli/run_report.hpp"
#include "dynhat/sweep.hpp"

namespace dynhat::cli {

namespace {

struct SweepArgs {
  std::string sweep;
  std::string out;
  std::string shard;
  std::string backend;
  std::string format = "csv";
  bool collect = false;
  bool mpi = false;
  bool quiet = false;
};

int run_sweep_command(const SweepArgs& a, const Invocation& invocation) {
  const Sweep sweep = read_sweep(a.sweep);
  if (a.collect) {
    const SweepRun joined = collect_sweep(sweep, a.out, invocation.command_line);
    if (!a.quiet) {
      fmt::print("{} scenarios joined into {}/summary.csv and sweep.json\n", joined.rows.size(),
                 a.out);
    }
    return joined.converged() ? 0 : kExitNotConverged;
  }
  SweepOptions options;
  options.format = parse_output_format(a.format, "--format");
  options.command_line = invocation.command_line;
  if (!a.shard.empty()) options.shard = parse_shard(a.shard);
  if (!a.backend.empty()) options.backend = parse_backend(a.backend, "--backend");
  if (!a.quiet) {
    options.on_scenario = [](const SweepRow& r, std::size_t done, std::size_t of) {
      fmt::print(
          "[rank {}] {}/{} {}: manufacturing {:+.4f} pp, welfare {:+.4f}%, {} iterations, "
          "{:.1f} s{}\n",
          r.rank, done, of, r.name, r.manufacturing_effect_pp, r.aggregate_welfare,
          r.counterfactual_iterations, r.seconds, r.converged ? "" : ", NOT converged");
      std::fflush(stdout);
    };
  }
  const SweepRun result =
      a.mpi ? run_sweep_mpi(sweep, a.out, options) : run_sweep(sweep, a.out, options);
  if (!a.quiet && result.rank == 0) {
    fmt::print("{} scenarios, {} baselines solved here, {:.1f} s; summary in {}/{}\n",
               result.rows.size(), result.baselines_solved, result.seconds, a.out,
               options.shard.count == 1
                   ? std::string("summary.csv")
                   : fmt::format("summary-{}-of-{}.csv", options.shard.index, options.shard.count));
  }
  if (!result.converged()) {
    fmt::print(stderr, "dynhat: not converged: {} of {} scenarios (see the summary)\n",
               std::count_if(result.rows.begin(), result.rows.end(),
                             [](const SweepRow& r) { return !r.converged; }),
               result.rows.size());
    return kExitNotConverged;
  }
  return 0;
}

}  // namespace

void add_sweep_command(CLI::App& app, Invocation& invocation) {
  auto a = std::make_shared<SweepArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sweep", "a base scenario and a list or grid of variations (README, Scenario sweeps)");
  cmd->add_option("sweep", a->sweep, "sweep file (TOML)")->required();
  cmd->add_option("--out", a->out, "sweep directory: scenarios/NAME/, summary.csv, sweep.json")
      ->required();
  cmd->add_option("--shard", a->shard,
                  "solve the i-th of n slices only, 0 <= i < n (Slurm job arrays)");
  cmd->add_flag("--collect", a->collect,
                "join the shards' summaries in --out into summary.csv and sweep.json");
  cmd->add_flag("--mpi", a->mpi, "distribute the scenarios over the MPI ranks (mpiexec)");
  cmd->add_option("--backend", a->backend, "cpu or cuda (default: the scenario's)")
      ->check(CLI::IsMember({"cpu", "cuda"}));
  cmd->add_option("--format", a->format, "matrix outputs: csv, npy or mat")
      ->check(CLI::IsMember({"csv", "npy", "mat"}))
      ->capture_default_str();
  cmd->add_flag("--quiet", a->quiet, "print nothing but errors");
  cmd->callback([a, &invocation] {
    const int modes = (a->collect ? 1 : 0) + (a->mpi ? 1 : 0) + (a->shard.empty() ? 0 : 1);
    if (modes > 1) {
      throw InvalidInput("--shard, --collect and --mpi exclude each other: give one of them");
    }
    invocation.exit_code = run_sweep_command(*a, invocation);
  });
}

}  // namespace dynhat::cli
