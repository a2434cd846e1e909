// The kit's workspaces from dynhat's paths. dynhat stores paths [T][M] row-major with market
// m = n*(J+1) + q; MATLAB arrays are column-major, so an M x T matrix and a (J+1) x R x T array
// have exactly dynhat's memory order (first index fastest: q, then n, then the slot), and only
// rwage (R x (J+1) x T, region first) is permuted. Slot t is the kit's period t+1.
#include "run/kit_outputs.hpp"

#include "dynhat/io.hpp"

namespace dynhat::pipeline {

namespace {

/// Real-wage changes between consecutive slots, Ċ_t = (w_t/P_t)/(w_{t-1}/P_{t-1}) (1 at slot 0),
/// [T][M]: what the kit's rwage holds (dynhat's real_wage is the level over slot 0's).
Matrix real_wage_changes(const PathSolution& p) {
  const Matrix& level = p.real_wage;
  Matrix change(level.rows, level.cols, 1.0);
  for (std::size_t t = 1; t < level.rows; ++t) {
    for (std::size_t m = 0; m < level.cols; ++m) change(t, m) = level(t, m) / level(t - 1, m);
  }
  return change;
}

/// [T][M] (market m = n*(J+1) + q) as the kit's R x (J+1) x T rwage(n, q, t).
MatArray by_region_market_slot(const char* name, const Matrix& x, std::size_t regions,
                               std::size_t markets_per_region) {
  MatArray a{name, {regions, markets_per_region, x.rows}, std::vector<double>(x.size())};
  for (std::size_t t = 0; t < x.rows; ++t) {
    for (std::size_t n = 0; n < regions; ++n) {
      for (std::size_t q = 0; q < markets_per_region; ++q) {
        a.data[n + regions * (q + markets_per_region * t)] = x(t, n * markets_per_region + q);
      }
    }
  }
  return a;
}

std::vector<MatArray> workspace(const ModelInputs& in, const PathSolution& p, bool counterfactual,
                                const PathSolution& baseline) {
  const std::size_t R = in.model.economy.mobile_regions, Q = in.model.economy.sectors + 1;
  const std::size_t T = p.L.rows, M = p.L.cols;
  std::vector<MatArray> vars;
  // Hvectnoshock / V: M x T, column t the value changes of slot t (V over the baseline's).
  const Matrix& Y = counterfactual ? p.Y_relative : p.Y;
  vars.push_back({counterfactual ? "V" : "Hvectnoshock", {M, T}, Y.data});
  vars.push_back({"Ldyn", {Q, R, T}, p.L.data});
  Matrix rwage = real_wage_changes(p);
  if (counterfactual) {  // the kit's counterfactual real wages are relative to the baseline's
    const Matrix base = real_wage_changes(baseline);
    for (std::size_t k = 0; k < rwage.size(); ++k) rwage.data[k] /= base.data[k];
  }
  vars.push_back(by_region_market_slot("rwage", rwage, R, Q));
  return vars;
}

}  // namespace

std::vector<std::string> write_kit_mat_files(const OutputDirectory& out, const ModelInputs& in,
                                             const RunResult& r) {
  std::vector<std::string> names = {"baseline.mat"};
  write_mat_file(out.staged(names.back()), workspace(in, r.baseline, false, r.baseline));
  if (r.counterfactual) {
    names.emplace_back("counterfactual.mat");
    write_mat_file(out.staged(names.back()), workspace(in, *r.counterfactual, true, r.baseline));
  }
  return names;
}

nlohmann::json kit_mat_layouts(const ModelInputs& in, const std::vector<std::string>& files) {
  const std::size_t R = in.model.economy.mobile_regions, J = in.model.economy.sectors;
  const std::size_t T = in.model.periods, M = in.model.markets();
  const std::string slot = "t = slot t-1 (1-based, as in MATLAB; slot 0 = the base year)";
  const std::string market =
      "m = n*(J+1) + q + 1: region n < R, q = 0 non-employment, 1+j sector j";
  const auto var = [&](std::vector<std::size_t> dims, std::string index, std::string meaning) {
    return nlohmann::json{{"dimensions", dims}, {"index", index}, {"meaning", meaning}};
  };
  const nlohmann::json ldyn = var({J + 1, R, T}, "(q+1, n+1, t): market q of region n; " + slot,
                                  "labor (persons); Ldyn(:, :, 1) = L0");
  nlohmann::json layouts = nlohmann::json::object();
  for (const std::string& file : files) {
    const bool cf = file == "counterfactual.mat";
    layouts[file + (cf ? ":V" : ":Hvectnoshock")] =
        var({M, T}, "(m, t): " + market + "; " + slot,
            cf ? "value changes over the baseline's (dynhat's counterfactual/Y); 1 at t = T"
               : "the baseline's value changes exp((V_t - V_{t-1})/nu) (dynhat's baseline/Y)");
    layouts[file + ":Ldyn"] = ldyn;
    layouts[file + ":rwage"] =
        var({R, J + 1, T}, "(n+1, q+1, t); " + slot,
            cf ? "real-wage change between consecutive slots over the baseline's; 1 at t = 1 and "
                 "in non-employment"
               : "real-wage change between consecutive slots; 1 at t = 1 and in non-employment");
  }
  return layouts;
}

}  // namespace dynhat::pipeline
