#include "run/path_files.hpp"

#include <fmt/format.h>

#include "dynhat/error.hpp"
#include "run/digest.hpp"

namespace dynhat::pipeline {

namespace {

enum class Columns { markets, factor_prices, regions };

struct PathFile {
  const char* stem;
  Matrix PathSolution::*matrix;
  Columns columns;
  const char* meaning;
};

constexpr const char* kSlotRow = "slot t = 0..T-1 (slot 0 = the base year, first_quarter)";

const char* column_rule(Columns c) {
  switch (c) {
    case Columns::markets:
      return "market m = n*(J+1) + q: mobile region n < R, q = 0 non-employment, q = 1+j sector j";
    case Columns::factor_prices:
      return "j*N + n: sector j, region n";
    case Columns::regions:
      break;
  }
  return "region n < N";
}

const PathFile kPathFiles[] = {
    {"Y", &PathSolution::Y, Columns::markets,
     "value changes Y_t = exp((V_t - V_{t-1})/nu); counterfactual: over the baseline's (MODEL.md "
     "section 4, slot 1 the level jump at the news)"},
    {"L", &PathSolution::L, Columns::markets, "labor (persons); row 0 = L0"},
    {"real_wage", &PathSolution::real_wage, Columns::markets,
     "real wage over its slot-0 value; 1 in non-employment"},
    {"stay", &PathSolution::stay, Columns::markets,
     "mu_t^{mm}: share of market m staying in m after slot t"},
    {"omega", &PathSolution::omega, Columns::factor_prices,
     "factor-price change relative to the base year (world value added as numeraire)"},
    {"price_index", &PathSolution::price_index, Columns::regions,
     "aggregate price index relative to the base year (same numeraire)"},
};
const PathFile kOwnY = {"Y_own", &PathSolution::Y, Columns::markets,
                        "the counterfactual's own value changes exp((V'_t - V'_{t-1})/nu)"};

std::string file_name(const std::string& dir, const char* stem, OutputFormat format) {
  return fmt::format("{}/{}.{}", dir, stem, to_string(format));
}

/// The file of `stem` in `dir`, whichever format it was written in.
std::filesystem::path existing(const std::filesystem::path& dir, const char* stem) {
  for (const char* ext : {".npy", ".csv"}) {
    const std::filesystem::path p = dir / (std::string(stem) + ext);
    if (std::filesystem::exists(p)) return p;
  }
  throw InvalidInput(fmt::format("{}: no {}.csv or {}.npy", dir.string(), stem, stem));
}

const nlohmann::json& field(const nlohmann::json& record, const char* key,
                            const std::filesystem::path& dir) {
  if (!record.is_object() || !record.contains(key)) {
    throw InvalidInput(fmt::format("{}: the record has no \"{}\"", dir.string(), key));
  }
  return record.at(key);
}

}  // namespace

std::vector<std::string> write_path_files(const OutputDirectory& out, const std::string& dir,
                                          const PathSolution& p, OutputFormat format) {
  std::filesystem::create_directories(out.staged(dir));
  std::vector<std::string> names;
  const bool counterfactual = p.Y_relative.size() > 0;
  for (const PathFile& f : kPathFiles) {
    names.push_back(file_name(dir, f.stem, format));
    const Matrix& x = counterfactual && f.matrix == &PathSolution::Y ? p.Y_relative : p.*f.matrix;
    write_matrix(out.staged(names.back()), x);
  }
  if (counterfactual) {
    names.push_back(file_name(dir, kOwnY.stem, format));
    write_matrix(out.staged(names.back()), p.Y);
  }
  return names;
}

PathSolution read_path_files(const std::filesystem::path& dir, const nlohmann::json& record,
                             bool counterfactual) {
  PathSolution p;
  for (const PathFile& f : kPathFiles) p.*f.matrix = read_matrix(existing(dir, f.stem));
  if (counterfactual) {
    p.Y_relative = std::move(p.Y);
    p.Y = read_matrix(existing(dir, kOwnY.stem));
  }
  try {
    const nlohmann::json& outer = field(record, "outer", dir);
    p.report.converged = outer.at("converged").get<bool>();
    p.report.iterations = outer.at("iterations").get<int>();
    p.report.residual = outer.at("residual").get<double>();
    p.report.residual_history = outer.at("residual_history").get<std::vector<double>>();
    p.report.seconds = outer.at("seconds").get<double>();
    const nlohmann::json& te = field(record, "temporary_equilibria", dir);
    p.te_converged = te.at("converged").get<bool>();
    p.te_residual = te.at("max_market_clearing_residual").get<double>();
    p.te_iterations = te.at("factor_price_iterations").get<long>();
    p.te_passes_first = te.at("median_passes_first_evaluation").get<double>();
    p.te_passes_warm = te.at("median_passes_per_date").get<double>();
    p.te_seconds = te.at("seconds").get<double>();
  } catch (const nlohmann::json::exception& e) {
    throw InvalidInput(fmt::format("{}: malformed solver record: {}", dir.string(), e.what()));
  }
  const std::size_t T = p.Y.rows, M = p.Y.cols;
  for (const PathFile& f : kPathFiles) {
    const Matrix& x = counterfactual && f.matrix == &PathSolution::Y ? p.Y_relative : p.*f.matrix;
    if (x.rows != T || (f.columns == Columns::markets && x.cols != M)) {
      throw InvalidInput(fmt::format("{}/{}: {} x {}, but Y is {} x {}", dir.string(), f.stem,
                                     x.rows, x.cols, T, M));
    }
  }
  return p;
}

nlohmann::json path_record(const PathSolution& p, Backend backend) {
  return {{"backend", std::string(to_string(backend))},
          {"outer",
           {{"converged", p.report.converged},
            {"iterations", p.report.iterations},
            {"residual", p.report.residual},
            {"residual_history", p.report.residual_history},
            {"seconds", p.report.seconds}}},
          {"temporary_equilibria",
           {{"converged", p.te_converged},
            {"max_market_clearing_residual", p.te_residual},
            {"factor_price_iterations", p.te_iterations},
            {"median_passes_first_evaluation", p.te_passes_first},
            {"median_passes_per_date", p.te_passes_warm},
            {"seconds", p.te_seconds}}}};
}

nlohmann::json options_record(const DynamicOptions& o) {
  return {{"method", o.method == OuterMethod::anderson ? "anderson" : "picard"},
          {"tol", o.tol},
          {"max_iterations", o.max_iterations},
          {"anderson_memory", o.anderson_memory},
          {"damping", o.damping},
          {"te_tol", o.te.tol},
          {"te_max_iterations", o.te.max_iterations},
          {"te_chord", o.te_chord},
          {"dense_news_block_max", o.dense_news_block_max},
          {"mu0_storage", std::string(to_string(o.mu0_storage))}};
}

nlohmann::json matrix_layouts(const ModelInputs& in, const std::vector<std::string>& files) {
  const Economy& e = in.model.economy;
  const std::size_t T = in.model.periods, M = in.model.markets();
  nlohmann::json layouts = nlohmann::json::object();
  const auto describe = [&](const std::string& name, const PathFile& f) {
    const std::size_t cols = f.columns == Columns::markets         ? M
                             : f.columns == Columns::factor_prices ? e.sectors * e.regions
                                                                   : e.regions;
    layouts[name] = {{"rows", T},
                     {"columns", cols},
                     {"row", kSlotRow},
                     {"column", column_rule(f.columns)},
                     {"meaning", f.meaning},
                     {"header", false}};
  };
  for (const std::string& name : files) {
    const std::filesystem::path path(name);
    if (path.parent_path().empty()) continue;  // report.json
    const std::string stem = path.stem().string();
    for (const PathFile& f : kPathFiles) {
      if (stem == f.stem) describe(name, f);
    }
    if (stem == kOwnY.stem) describe(name, kOwnY);
  }
  return layouts;
}

/// Resolved changes of fundamentals in full, one row per change.
nlohmann::json changes_record(const Economy& e, const FundamentalChanges& changes) {
  nlohmann::json productivity = nlohmann::json::array();
  for (const ProductivityChange& c : changes.productivity) {
    productivity.push_back({c.slot, e.sector_names[c.sector], e.region_names[c.region], c.factor});
  }
  nlohmann::json trade_costs = nlohmann::json::array();
  for (const TradeCostChange& c : changes.trade_costs) {
    trade_costs.push_back({c.slot, e.sector_names[c.sector], e.region_names[c.destination],
                           e.region_names[c.source], c.factor});
  }
  return {{"productivity",
           {{"columns", {"slot", "sector", "region", "factor"}}, {"rows", productivity}}},
          {"trade_costs",
           {{"columns", {"slot", "sector", "destination", "source", "factor"}},
            {"rows", trade_costs}}}};
}

nlohmann::json baseline_dependencies(const ModelInputs& in) {
  const DynamicModel& m = in.model;
  const Economy& e = m.economy;
  Digest tables;
  tables.add(e.sectors);
  tables.add(e.regions);
  tables.add(e.sector_names);
  tables.add(e.region_names);
  for (const std::vector<double>* x :
       {&e.theta, &e.gamma, &e.xi, &e.G, &e.alpha, &e.iota, &e.trade_flows}) {
    tables.add(*x);
  }
  Digest L0, mu0;
  L0.add(m.L0);
  mu0.add(m.mu0.rows);
  mu0.add(m.mu0.data);
  Digest changes;  // the baseline's own changes of fundamentals, as resolved (in order)
  for (const ProductivityChange& c : m.baseline_changes.productivity) {
    for (std::size_t x : {c.slot, c.sector, c.region}) changes.add(x);
    changes.add(c.factor);
  }
  changes.add(std::string_view("trade costs"));
  for (const TradeCostChange& c : m.baseline_changes.trade_costs) {
    for (std::size_t x : {c.slot, c.sector, c.destination, c.source}) changes.add(x);
    changes.add(c.factor);
  }
  const DynamicOptions& o = in.options;
  return {{"data",
           {{"tables_sha256", tables.hex()},
            {"L0_sha256", L0.hex()},
            {"mu0_sha256", mu0.hex()},
            {"mobile_regions", e.mobile_regions}}},
          {"model",
           {{"periods", m.periods},
            {"beta", m.beta},
            {"nu", m.nu},
            {"baseline_changes",
             m.baseline_changes.productivity.size() + m.baseline_changes.trade_costs.size()},
            {"baseline_changes_sha256", changes.hex()}}},
          {"solver",
           {{"method", o.method == OuterMethod::picard ? "picard" : "anderson"},
            {"tol", o.tol},
            {"te_tol", o.te.tol}}}};
}

}  // namespace dynhat::pipeline
