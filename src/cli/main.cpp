// dynhat command-line tool: parses, runs one subcommand, maps errors to exit codes
// (0 success, 1 invalid input, argument error or failure, 2 not converged or numerical breakdown).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <new>
#include <string>

#include "cli/commands.hpp"
#include "cli/run_report.hpp"
#include "dynhat/error.hpp"
#include "dynhat/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"dynhat: dynamic spatial general equilibrium (CDP) by dynamic hat algebra"};
  app.set_version_flag("--version", std::string(dynhat::version()));
  app.require_subcommand(1);
  dynhat::cli::Invocation invocation;
  for (int k = 0; k < argc; ++k) invocation.command_line += (k ? " " : "") + std::string(argv[k]);
  dynhat::cli::add_household_commands(app, invocation);
  dynhat::cli::add_equilibrium_commands(app, invocation);
  dynhat::cli::add_solve_command(app, invocation);
  dynhat::cli::add_baseline_command(app, invocation);
  dynhat::cli::add_demo_command(app, invocation);
  dynhat::cli::add_sweep_command(app, invocation);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 numbers its errors 100-120; every argument error is invalid input here (--help: 0).
    return app.exit(e) == 0 ? 0 : 1;
  } catch (const dynhat::NotConverged& e) {
    fmt::print(stderr, "dynhat: not converged: {}\n", e.what());
    return dynhat::cli::kExitNotConverged;
  } catch (const dynhat::Error& e) {
    fmt::print(stderr, "dynhat: error: {}\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr,
               "dynhat: error: out of memory (the inputs or options ask for more than this "
               "machine has)\n");
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "dynhat: unexpected error: {}\n", e.what());
    return 1;
  }
  return invocation.exit_code;
}
