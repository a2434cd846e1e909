// Subcommands of the dynhat CLI; each registers itself on the parent app.
#pragma once

#include <CLI/CLI.hpp>

namespace dynhat::cli {

/// `dynhat household levels ...` and `dynhat household hat ...`.
void add_household_commands(CLI::App& app, int& exit_code);
/// `dynhat equilibrium base-year ...` and `dynhat equilibrium shock ...`.
void add_equilibrium_commands(CLI::App& app, int& exit_code);
/// `dynhat solve SCENARIO.toml --out DIR`.
void add_solve_command(CLI::App& app, int& exit_code);
/// `dynhat demo --out DIR`.
void add_demo_command(CLI::App& app, int& exit_code);

}  // namespace dynhat::cli
