#include "cli/dynamic_flow.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include "cli/run_report.hpp"

namespace dynhat::cli {

namespace {

/// The extreme entries of `values` (largest effect first), as "name (value)".
template <class Name>
std::string extremes(const std::vector<double>& values, std::size_t count, Name name) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::abs(values[a]) > std::abs(values[b]);
  });
  std::string text;
  for (std::size_t k = 0; k < std::min(count, order.size()); ++k) {
    text += fmt::format("{}{} ({:+.3f})", k ? ", " : "", name(order[k]), values[order[k]]);
  }
  return text;
}

void print_effects(const ModelInputs& in, const Effects& fx) {
  const Economy& e = in.model.economy;
  const std::size_t h = fx.horizon;
  fmt::print(
      "  manufacturing share of employment at slot {} ({}): {:.3f}% baseline, {:.3f}% "
      "counterfactual: effect {:+.3f} pp\n",
      h, quarter_label(in.first_quarter, h), 100 * fx.manufacturing_share_baseline[h],
      100 * fx.manufacturing_share_counterfactual[h],
      100 * (fx.manufacturing_share_counterfactual[h] - fx.manufacturing_share_baseline[h]));
  fmt::print("  aggregate welfare effect: {:+.4f}% (consumption equivalent, L0-weighted)\n",
             fx.aggregate_welfare);
  std::vector<double> region_effect(e.mobile_regions);
  for (std::size_t n = 0; n < e.mobile_regions; ++n)
    region_effect[n] =
        100 * (fx.region_manufacturing_counterfactual[n] - fx.region_manufacturing_baseline[n]);
  fmt::print("  largest manufacturing effects by region (pp of employment): {}\n",
             extremes(region_effect, 3, [&](std::size_t n) { return e.region_names[n]; }));
  std::vector<double> sector_effect(e.sectors);
  for (std::size_t j = 0; j < e.sectors; ++j)
    sector_effect[j] = 100 * (fx.sector_share_counterfactual[j] - fx.sector_share_baseline[j]);
  fmt::print("  largest effects by sector (pp of employment): {}\n",
             extremes(sector_effect, 3, [&](std::size_t j) { return e.sector_names[j]; }));
}

std::string path_status(const PathSolution& p) {
  return fmt::format("residual {:.3e} (temporary equilibria {})", p.report.residual,
                     p.te_converged ? "converged" : "NOT converged");
}

}  // namespace

void add_dynamic_options(CLI::App& cmd, DynamicArgs& args) {
  cmd.add_option("--out", args.out, "output directory (replaced whole on success)")->required();
  cmd.add_option("--format", args.format,
                 "matrix outputs: csv, npy or mat (CSV paths plus the kit's baseline.mat, "
                 "counterfactual.mat)")
      ->check(CLI::IsMember({"csv", "npy", "mat"}))
      ->capture_default_str();
  cmd.add_flag("--quiet", args.quiet, "print nothing but errors");
}

int run_dynamic(const ModelInputs& inputs, const DynamicArgs& args, const Invocation& invocation,
                OutputDirectory* out, bool baseline_only) {
  const OutputSettings settings{parse_output_format(args.format, "--format"),
                                invocation.command_line};
  std::optional<SavedBaseline> saved;
  if (!args.baseline.empty()) {
    saved = read_baseline(args.baseline);
    require_matching_baseline(*saved, inputs);
  }
  const Economy& e = inputs.model.economy;
  if (!args.quiet) {
    fmt::print("{}: J = {}, N = {}, R = {}, M = {} markets, T = {}, backend {}{}\n",
               inputs.description, e.sectors, e.regions, e.mobile_regions, inputs.model.markets(),
               inputs.model.periods, to_string(inputs.backend),
               saved ? fmt::format("; baseline from {}", saved->path.string()) : std::string());
  }
  RunOptions options;
  if (!args.quiet) {
    options.baseline_progress = progress_printer("baseline");
    options.counterfactual_progress = progress_printer("counterfactual");
  }
  if (saved) options.baseline = &saved->solution;
  const RunResult result = baseline_only ? run_baseline(inputs, options) : run(inputs, options);
  if (out) write_outputs(*out, inputs, result, settings);

  const bool converged = result.converged();
  if (!args.quiet) {
    if (result.effects) print_effects(inputs, *result.effects);
    const PathSolution& b = result.baseline;
    fmt::print("  outer iterations: baseline {}{}", b.report.iterations,
               result.baseline_reused ? " (reused)" : "");
    if (result.counterfactual) {
      fmt::print(", counterfactual {}", result.counterfactual->report.iterations);
    }
    const double te = (result.baseline_reused ? 0.0 : b.te_seconds) +
                      (result.counterfactual ? result.counterfactual->te_seconds : 0.0);
    fmt::print("; solve {:.1f} s (temporary equilibria {:.1f} s); {}; outputs in {}\n",
               result.seconds, te, converged ? "converged" : "NOT converged", args.out);
  }
  if (!converged) {
    fmt::print(stderr, "dynhat: not converged: baseline {}{}, tol {:g}\n",
               path_status(result.baseline),
               result.counterfactual
                   ? fmt::format(", counterfactual {}", path_status(*result.counterfactual))
                   : std::string(),
               inputs.options.tol);
  }
  return converged ? 0 : kExitNotConverged;
}

}  // namespace dynhat::cli
