#include "cli/dynamic_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "cli/run_report.hpp"
#include "dynhat/io.hpp"

namespace dynhat::cli {

namespace {

/// A label as a CSV field: quoted (RFC 4180) when it holds a comma or a quote.
std::string field(const std::string& label) {
  if (label.find_first_of(",\"") == std::string::npos) return label;
  std::string quoted = "\"";
  for (char c : label) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

/// A number as a CSV field: shortest round-trip form; NaN (undefined) as an empty field.
std::string field(double x) {
  return std::isnan(x) ? std::string() : fmt::format("{}", x);
}

std::string market_name(const Economy& e, std::size_t q) {
  return q == 0 ? std::string("Non-employment") : e.sector_names[q - 1];
}

void write_effects(const OutputDirectory& out, const DynamicModel& model, const Effects& fx,
                   const std::vector<bool>& manufacturing) {
  const Economy& e = model.economy;
  const std::size_t J = e.sectors, R = e.mobile_regions;
  std::string sectors =
      "sector,manufacturing,baseline_share,counterfactual_share,effect_pp,"
      "contribution_pct\n";
  for (std::size_t j = 0; j < J; ++j) {
    sectors +=
        fmt::format("{},{},{},{},{},{}\n", field(e.sector_names[j]), manufacturing[j] ? 1 : 0,
                    field(fx.sector_share_baseline[j]), field(fx.sector_share_counterfactual[j]),
                    field(100 * (fx.sector_share_counterfactual[j] - fx.sector_share_baseline[j])),
                    field(fx.sector_contribution[j]));
  }
  write_text_file(out.staged("effects/employment_by_sector.csv"), sectors);

  std::string regions =
      "region,baseline_share,counterfactual_share,effect_pp,baseline_manufacturing_share,"
      "counterfactual_manufacturing_share,manufacturing_effect_pp,contribution_pct,welfare_pct\n";
  for (std::size_t n = 0; n < R; ++n) {
    regions +=
        fmt::format("{},{},{},{},{},{},{},{},{}\n", field(e.region_names[n]),
                    field(fx.region_share_baseline[n]), field(fx.region_share_counterfactual[n]),
                    field(100 * (fx.region_share_counterfactual[n] - fx.region_share_baseline[n])),
                    field(fx.region_manufacturing_baseline[n]),
                    field(fx.region_manufacturing_counterfactual[n]),
                    field(100 * (fx.region_manufacturing_counterfactual[n] -
                                 fx.region_manufacturing_baseline[n])),
                    field(fx.region_contribution[n]), field(fx.region_welfare[n]));
  }
  write_text_file(out.staged("effects/employment_by_region.csv"), regions);

  std::string paths =
      "slot,baseline_manufacturing_share,counterfactual_manufacturing_share,"
      "manufacturing_effect_pp,baseline_nonemployment_share,counterfactual_nonemployment_share\n";
  for (std::size_t t = 0; t < model.periods; ++t) {
    paths += fmt::format(
        "{},{},{},{},{},{}\n", t, field(fx.manufacturing_share_baseline[t]),
        field(fx.manufacturing_share_counterfactual[t]),
        field(100 *
              (fx.manufacturing_share_counterfactual[t] - fx.manufacturing_share_baseline[t])),
        field(fx.nonemployment_share_baseline[t]), field(fx.nonemployment_share_counterfactual[t]));
  }
  write_text_file(out.staged("effects/paths.csv"), paths);

  std::string welfare = "region,market,index,L0,welfare_pct\n";
  for (std::size_t n = 0; n < R; ++n) {
    for (std::size_t q = 0; q <= J; ++q) {
      const std::size_t m = n * (J + 1) + q;
      welfare += fmt::format("{},{},{},{},{}\n", field(e.region_names[n]), field(market_name(e, q)),
                             m, field(model.L0[m]), field(fx.welfare[m]));
    }
  }
  write_text_file(out.staged("effects/welfare_by_market.csv"), welfare);

  const std::size_t h = fx.horizon;
  std::string summary = "measure,baseline,counterfactual,effect\n";
  summary += fmt::format(
      "manufacturing_share_pct,{},{},{}\n", field(100 * fx.manufacturing_share_baseline[h]),
      field(100 * fx.manufacturing_share_counterfactual[h]),
      field(100 * (fx.manufacturing_share_counterfactual[h] - fx.manufacturing_share_baseline[h])));
  summary += fmt::format(
      "nonemployment_share_pct,{},{},{}\n", field(100 * fx.nonemployment_share_baseline[h]),
      field(100 * fx.nonemployment_share_counterfactual[h]),
      field(100 * (fx.nonemployment_share_counterfactual[h] - fx.nonemployment_share_baseline[h])));
  summary += fmt::format("aggregate_welfare_pct,,,{}\n", field(fx.aggregate_welfare));
  write_text_file(out.staged("effects/summary.csv"), summary);
}

void write_path(const OutputDirectory& out, const std::string& dir, const PathSolution& p) {
  write_matrix(out.staged(dir + "/Y.csv"), p.Y_relative.size() ? p.Y_relative : p.Y);
  write_matrix(out.staged(dir + "/L.csv"), p.L);
  write_matrix(out.staged(dir + "/real_wage.csv"), p.real_wage);
}

nlohmann::json path_report(const PathSolution& p, Backend backend) {
  nlohmann::json r = run_report(p.report, backend, p.report.seconds);
  r["temporary_equilibria"] = {{"converged", p.te_converged},
                               {"max_market_clearing_residual", p.te_residual},
                               {"factor_price_iterations", p.te_iterations},
                               {"median_passes_first_evaluation", p.te_passes_first},
                               {"median_passes_per_date", p.te_passes_warm},
                               {"seconds", p.te_seconds}};
  return r;
}

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

}  // namespace

int run_dynamic(DynamicRun& run, OutputDirectory& out) {
  const auto start = std::chrono::steady_clock::now();
  const Context ctx(run.backend);
  const DynamicModel& model = run.model;
  const Economy& e = model.economy;
  fmt::print("{}: J = {}, N = {}, R = {}, M = {} markets, T = {}, backend {}\n", run.title,
             e.sectors, e.regions, e.mobile_regions, model.markets(), model.periods,
             to_string(run.backend));

  DynamicOptions options = run.options;
  options.progress = progress_printer("baseline");
  const PathSolution baseline = solve_baseline(ctx, model, options);
  options.progress = progress_printer("counterfactual");
  const PathSolution counterfactual =
      solve_counterfactual(ctx, model, baseline, run.changes, options);
  const Effects fx = compute_effects(model, baseline, counterfactual, run.effects);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::vector<bool> manufacturing(e.sectors, false);
  for (std::size_t j : run.effects.manufacturing) manufacturing[j] = true;
  for (const char* dir : {"baseline", "counterfactual", "effects"})
    std::filesystem::create_directories(out.staged(dir));
  write_path(out, "baseline", baseline);
  write_path(out, "counterfactual", counterfactual);
  write_effects(out, model, fx, manufacturing);

  const bool converged = baseline.report.converged && baseline.te_converged &&
                         counterfactual.report.converged && counterfactual.te_converged;
  nlohmann::json report = run.manifest;
  report["converged"] = converged;
  report["seconds"] = seconds;
  report["backend"] = std::string(to_string(run.backend));
  report["baseline"] = path_report(baseline, run.backend);
  report["counterfactual"] = path_report(counterfactual, run.backend);
  report["model"] = {{"sectors", e.sectors},
                     {"regions", e.regions},
                     {"mobile_regions", e.mobile_regions},
                     {"markets", model.markets()},
                     {"periods", model.periods},
                     {"beta", model.beta},
                     {"nu", model.nu}};
  report["options"] = {{"method", options.method == OuterMethod::anderson ? "anderson" : "picard"},
                       {"tol", options.tol},
                       {"max_iterations", options.max_iterations},
                       {"anderson_memory", options.anderson_memory},
                       {"damping", options.damping},
                       {"te_tol", options.te.tol},
                       {"te_max_iterations", options.te.max_iterations}};
  report["changes"] = {{"productivity", run.changes.productivity.size()},
                       {"trade_costs", run.changes.trade_costs.size()}};
  report["effects"] = {{"horizon_slot", fx.horizon},
                       {"manufacturing_sectors", run.effects.manufacturing},
                       {"aggregate_welfare_pct", fx.aggregate_welfare}};
  report["orders"] = {
      {"markets", "m = n*(J+1) + q: region n < R, q = 0 non-employment, q = 1+j sector j"},
      {"T x M tables", "row t = slot t (slot 0 = base year), column m = market m"},
      {"baseline/Y.csv", "Y_t = exp((V_t - V_{t-1})/nu), the baseline's value changes"},
      {"counterfactual/Y.csv",
       "MODEL.md section 4's Y: counterfactual over baseline value changes; slot 1 is the "
       "level jump at the news"},
      {"real_wage.csv", "real wage over its slot-0 value; 1 in non-employment"},
      {"effects", "effect = counterfactual - baseline; shares at horizon_slot"},
      {"sectors", e.sector_names},
      {"regions", std::vector<std::string>(e.region_names.begin(),
                                           e.region_names.begin() + e.mobile_regions)}};
  write_text_file(out.staged("report.json"), report.dump(2) + "\n");
  out.commit();

  const std::size_t h = fx.horizon;
  fmt::print(
      "  manufacturing share of employment at slot {}: {:.3f}% baseline, {:.3f}% "
      "counterfactual: effect {:+.3f} pp\n",
      h, 100 * fx.manufacturing_share_baseline[h], 100 * fx.manufacturing_share_counterfactual[h],
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
  fmt::print(
      "  outer iterations: baseline {}, counterfactual {}; solve {:.1f} s (temporary "
      "equilibria {:.1f} s); {}; outputs in {}\n",
      baseline.report.iterations, counterfactual.report.iterations, seconds,
      baseline.te_seconds + counterfactual.te_seconds, converged ? "converged" : "NOT converged",
      run.out);
  if (!converged) {
    fmt::print(stderr,
               "dynhat: not converged: baseline residual {:.3e} (TE {}), counterfactual residual "
               "{:.3e} (TE {}), tol {:g}\n",
               baseline.report.residual, baseline.te_converged ? "converged" : "NOT converged",
               counterfactual.report.residual,
               counterfactual.te_converged ? "converged" : "NOT converged", options.tol);
  }
  return converged ? 0 : kExitNotConverged;
}

}  // namespace dynhat::cli
