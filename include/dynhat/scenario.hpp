// Scenario files (TOML): what `dynhat solve` runs. Every key is documented in the README
// ("Scenario files"). Relative paths are resolved against the scenario file's directory.
//
//   [data]     tables (directory of the six long-format tables), L0, mu0 (CSV or .npy),
//              mobile_regions
//   [model]    periods (T), beta, nu, first_quarter (label of slot 0, "2000Q1")
//   [solver]   method ("anderson" | "picard"), tol, max_iterations, anderson_memory, te_tol,
//              te_max_iterations, backend ("cpu" | "cuda"), mu0_storage ("dense" | "float32" |
//              "sparse")
//   [[productivity]]  sectors, regions, quarters = [first, last], factor | cumulative | file
//   [[trade_costs]]   sectors, destinations, sources, quarters, factor | cumulative | file
//   [counterfactual]  news_slot (the slot at which agents learn the changes above; default 1)
//   [[baseline.productivity]], [[baseline.trade_costs]]  the baseline's own changes (same keys)
//   [effects]  manufacturing (sector names or 0-based indices)
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "dynhat/dynamic.hpp"
#include "dynhat/economy.hpp"

namespace dynhat {

/// A sector or region as written in the scenario: a label of the tables or a 0-based index.
using LabelOrIndex = std::variant<std::string, std::size_t>;

/// One [[productivity]] or [[trade_costs]] entry before labels are resolved.
struct ShockSpec {
  std::string table;      ///< "productivity" or "trade_costs"
  std::size_t entry = 0;  ///< 0-based position among the entries of that table (for messages)
  bool baseline = false;  ///< a [[baseline.productivity]] or [[baseline.trade_costs]] entry
  /// "productivity[2]" or "baseline.trade_costs[0]": the entry as the scenario names it.
  std::string key() const;
  std::vector<LabelOrIndex> sectors;       ///< empty = every sector
  std::vector<LabelOrIndex> regions;       ///< productivity: regions; empty = every region
  std::vector<LabelOrIndex> destinations;  ///< trade costs; empty = every region
  std::vector<LabelOrIndex> sources;       ///< trade costs; empty = every region
  std::size_t first_quarter = 1;           ///< first slot of the change (>= 1)
  std::size_t last_quarter = 1;            ///< last slot of the change (inclusive)
  /// Per-quarter factor per listed sector, or per sector of the tables when `sectors` is empty
  /// (one value: the same for all sectors).
  std::vector<double> factor;
  /// Or: the total change over the quarters per listed sector, spread geometrically
  /// (per-quarter factor = cumulative^(1 / number of quarters)).
  std::vector<double> cumulative;
  /// Or: a long-format CSV of per-quarter factors, `sector,region,quarter,value` (productivity) or
  /// `sector,destination,source,quarter,value` (trade costs); quarter = slot >= 1.
  std::filesystem::path file;
};

struct Scenario {
  std::filesystem::path path;  ///< the scenario file itself
  std::filesystem::path tables;
  std::filesystem::path L0;
  std::filesystem::path mu0;
  std::size_t mobile_regions = 0;
  /// data.layout: "dynhat" (six long tables), "kit" (the replication kit's Base_Year/*.txt) or
  /// empty: detected from the files in `tables` (detect_table_layout).
  std::string layout;
  /// The kit layout's θ_j (the kit sets them in Base_year.m): listed, or a file of J numbers.
  std::vector<double> theta;
  std::filesystem::path theta_file;
  /// The kit layout's labels: listed, or a file of one name per line; none: "sector 0", ...
  std::vector<std::string> sector_names;
  std::filesystem::path sector_names_file;
  std::vector<std::string> region_names;
  std::filesystem::path region_names_file;
  std::size_t periods = 200;
  double beta = 0.99;
  double nu = 5.3436;
  std::string first_quarter = "2000Q1";  ///< label of slot 0, "YYYYQn"
  DynamicOptions options;                ///< method, tol, max_iterations, anderson_memory, te.tol,
                           ///< te.max_iterations, mu0_storage
  std::string backend = "cpu";
  std::vector<ShockSpec> shocks;  ///< the counterfactual's and the baseline's (ShockSpec::baseline)
  std::size_t news_slot = 1;      ///< counterfactual.news_slot
  std::vector<LabelOrIndex> manufacturing;  ///< sectors counted as manufacturing in the effects
};

/// Parses and checks a scenario file: TOML syntax (with line and column), unknown keys, types,
/// ranges (periods >= 3, beta in [0, 1), nu > 0, tolerances > 0, factors > 0, quarters ordered and
/// >= 1, exactly one of factor | cumulative | file per shock). Throws InvalidInput naming the file,
/// the key and the rule.
Scenario read_scenario(const std::filesystem::path& path);

/// The scenario's counterfactual shocks as changes of fundamentals (news_slot included): labels
/// resolved against `economy`, quarters checked against T, files read. Throws InvalidInput naming
/// the scenario file, the entry and the rule (unknown sector or region, index out of range,
/// quarter >= T, factor <= 0).
FundamentalChanges resolve_shocks(const Scenario& scenario, const Economy& economy);
/// The same for the baseline's own shocks ([[baseline.*]] entries).
FundamentalChanges resolve_baseline_shocks(const Scenario& scenario, const Economy& economy);

/// The scenario's manufacturing sectors as 0-based indices (labels resolved against `economy`).
std::vector<std::size_t> resolve_sectors(const Scenario& scenario, const Economy& economy,
                                         const std::vector<LabelOrIndex>& sectors,
                                         const std::string& key);

/// Labels of `names` or 0-based indices (each at most once) as indices; `kind` ("sector",
/// "region") names one in messages. Throws InvalidInput naming `file`, `key` and the entry.
std::vector<std::size_t> resolve_labels(const std::vector<std::string>& names,
                                        const std::string& kind,
                                        const std::vector<LabelOrIndex>& items,
                                        const std::string& file, const std::string& key);

}  // namespace dynhat
