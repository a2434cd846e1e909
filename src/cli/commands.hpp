// Subcommands of the dynhat CLI; each registers itself on the parent app.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace dynhat::cli {

/// What every command shares: the command line (for manifests) and where its exit status goes.
struct Invocation {
  std::string command_line;
  int exit_code = 0;
};

/// `dynhat household levels ...` and `dynhat household hat ...`.
void add_household_commands(CLI::App& app, Invocation& invocation);
/// `dynhat equilibrium base-year ...` and `dynhat equilibrium shock ...`.
void add_equilibrium_commands(CLI::App& app, Invocation& invocation);
/// `dynhat solve SCENARIO.toml --out DIR [--baseline DIR]`.
void add_solve_command(CLI::App& app, Invocation& invocation);
/// `dynhat baseline SCENARIO.toml --out DIR`.
void add_baseline_command(CLI::App& app, Invocation& invocation);
/// `dynhat demo --out DIR`.
void add_demo_command(CLI::App& app, Invocation& invocation);
/// `dynhat sweep SWEEP.toml --out DIR [--shard i/n | --collect | --mpi]`.
void add_sweep_command(CLI::App& app, Invocation& invocation);

}  // namespace dynhat::cli
