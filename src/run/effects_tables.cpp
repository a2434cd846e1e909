#include "run/effects_tables.hpp"

#include <fmt/format.h>

#include <cmath>

namespace dynhat::pipeline {

namespace {

std::string pp(double counterfactual, double baseline) {
  return csv_field(100 * (counterfactual - baseline));
}

std::string by_sector(const Economy& e, const Effects& fx, const std::vector<bool>& manufacturing) {
  std::string text =
      "sector,manufacturing,baseline_share,counterfactual_share,effect_pp,contribution_pct\n";
  for (std::size_t j = 0; j < e.sectors; ++j) {
    text += fmt::format("{},{},{},{},{},{}\n", csv_field(e.sector_names[j]),
                        manufacturing[j] ? 1 : 0, csv_field(fx.sector_share_baseline[j]),
                        csv_field(fx.sector_share_counterfactual[j]),
                        pp(fx.sector_share_counterfactual[j], fx.sector_share_baseline[j]),
                        csv_field(fx.sector_contribution[j]));
  }
  return text;
}

std::string by_region(const Economy& e, const Effects& fx) {
  std::string text =
      "region,baseline_share,counterfactual_share,effect_pp,baseline_manufacturing_share,"
      "counterfactual_manufacturing_share,manufacturing_effect_pp,contribution_pct,welfare_pct\n";
  for (std::size_t n = 0; n < e.mobile_regions; ++n) {
    text += fmt::format(
        "{},{},{},{},{},{},{},{},{}\n", csv_field(e.region_names[n]),
        csv_field(fx.region_share_baseline[n]), csv_field(fx.region_share_counterfactual[n]),
        pp(fx.region_share_counterfactual[n], fx.region_share_baseline[n]),
        csv_field(fx.region_manufacturing_baseline[n]),
        csv_field(fx.region_manufacturing_counterfactual[n]),
        pp(fx.region_manufacturing_counterfactual[n], fx.region_manufacturing_baseline[n]),
        csv_field(fx.region_contribution[n]), csv_field(fx.region_welfare[n]));
  }
  return text;
}

std::string share_paths(const ModelInputs& in, const Effects& fx) {
  std::string text =
      "slot,quarter,baseline_manufacturing_share,counterfactual_manufacturing_share,"
      "manufacturing_effect_pp,baseline_nonemployment_share,counterfactual_nonemployment_share\n";
  for (std::size_t t = 0; t < in.model.periods; ++t) {
    text += fmt::format(
        "{},{},{},{},{},{},{}\n", t, quarter_label(in.first_quarter, t),
        csv_field(fx.manufacturing_share_baseline[t]),
        csv_field(fx.manufacturing_share_counterfactual[t]),
        pp(fx.manufacturing_share_counterfactual[t], fx.manufacturing_share_baseline[t]),
        csv_field(fx.nonemployment_share_baseline[t]),
        csv_field(fx.nonemployment_share_counterfactual[t]));
  }
  return text;
}

std::string welfare_by_market(const ModelInputs& in, const Effects& fx) {
  const Economy& e = in.model.economy;
  std::string text = "region,market,index,L0,welfare_pct\n";
  for (std::size_t n = 0; n < e.mobile_regions; ++n) {
    for (std::size_t q = 0; q <= e.sectors; ++q) {
      const std::size_t m = n * (e.sectors + 1) + q;
      text += fmt::format("{},{},{},{},{}\n", csv_field(e.region_names[n]),
                          csv_field(market_name(e, q)), m, csv_field(in.model.L0[m]),
                          csv_field(fx.welfare[m]));
    }
  }
  return text;
}

std::string summary(const Effects& fx) {
  const std::size_t h = fx.horizon;
  const auto row = [&](const char* measure, double baseline, double counterfactual) {
    return fmt::format("{},{},{},{}\n", measure, csv_field(100 * baseline),
                       csv_field(100 * counterfactual), pp(counterfactual, baseline));
  };
  return "measure,baseline,counterfactual,effect\n" +
         row("manufacturing_share_pct", fx.manufacturing_share_baseline[h],
             fx.manufacturing_share_counterfactual[h]) +
         row("nonemployment_share_pct", fx.nonemployment_share_baseline[h],
             fx.nonemployment_share_counterfactual[h]) +
         fmt::format("aggregate_welfare_pct,,,{}\n", csv_field(fx.aggregate_welfare));
}

/// One row per (region, market, quarter): the two labor paths in persons.
std::string employment_long(const ModelInputs& in, const PathSolution& baseline,
                            const PathSolution& counterfactual) {
  const Economy& e = in.model.economy;
  const std::size_t J = e.sectors, T = in.model.periods;
  std::vector<std::string> quarters(T);
  for (std::size_t t = 0; t < T; ++t) quarters[t] = quarter_label(in.first_quarter, t);
  std::string text = "state,market,quarter,baseline,counterfactual\n";
  for (std::size_t n = 0; n < e.mobile_regions; ++n) {
    const std::string state = csv_field(e.region_names[n]);
    for (std::size_t q = 0; q <= J; ++q) {
      const std::string market = csv_field(market_name(e, q));
      const std::size_t m = n * (J + 1) + q;
      for (std::size_t t = 0; t < T; ++t) {
        text += fmt::format("{},{},{},{},{}\n", state, market, quarters[t],
                            csv_field(baseline.L(t, m)), csv_field(counterfactual.L(t, m)));
      }
    }
  }
  return text;
}

}  // namespace

std::string csv_field(const std::string& label) {
  if (label.find_first_of(",\"\n") == std::string::npos) return label;
  std::string quoted = "\"";
  for (char c : label) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string csv_field(double x) {
  return std::isnan(x) ? std::string() : fmt::format("{}", x);
}

std::string market_name(const Economy& e, std::size_t q) {
  return q == 0 ? std::string("Non-employment") : e.sector_names[q - 1];
}

std::vector<std::string> write_effects_tables(const OutputDirectory& out, const ModelInputs& in,
                                              const PathSolution& baseline,
                                              const PathSolution& counterfactual,
                                              const Effects& fx) {
  const Economy& e = in.model.economy;
  std::vector<bool> manufacturing(e.sectors, false);
  for (std::size_t j : in.effects.manufacturing) manufacturing[j] = true;
  const std::pair<const char*, std::string> tables[] = {
      {"effects/summary.csv", summary(fx)},
      {"effects/employment_by_sector.csv", by_sector(e, fx, manufacturing)},
      {"effects/employment_by_region.csv", by_region(e, fx)},
      {"effects/paths.csv", share_paths(in, fx)},
      {"effects/welfare_by_market.csv", welfare_by_market(in, fx)},
      {"effects/employment_long.csv", employment_long(in, baseline, counterfactual)}};
  std::vector<std::string> names;
  for (const auto& [name, text] : tables) {
    write_text_file(out.staged(name), text);
    names.emplace_back(name);
  }
  return names;
}

}  // namespace dynhat::pipeline
