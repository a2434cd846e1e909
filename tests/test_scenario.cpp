// Scenario files: every key is read, defaults and relative paths are as the README documents,
// shocks expand to the per-quarter changes of fundamentals, and every broken rule is reported with
// the scenario file, the key and the rule.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "dynhat/economy.hpp"
#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "dynhat/scenario.hpp"
#include "dynhat/synthetic.hpp"
#include "support/data_requirement.hpp"
#include "support/fixtures.hpp"
#include "support/tiny_economy.hpp"

namespace dynhat {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr double eps = std::numeric_limits<double>::epsilon();

/// The required [data] table; every test scenario starts with it.
const std::string data_table =
    "[data]\n"
    "tables = \"tables\"\n"
    "L0 = \"L0.csv\"\n"
    "mu0 = \"mu0.csv\"\n"
    "mobile_regions = 2\n";

using testing::message_of;

class ScenarioFiles : public testing::ScratchDirectoryTest {
 protected:
  /// Writes `text` to scenario.toml in the scratch directory and reads it.
  Scenario read(const std::string& text) { return read_scenario(write("scenario.toml", text)); }

  /// The message of reading `text` as scenario.toml, which must fail.
  std::string read_error(const std::string& text) {
    return message_of([&] { read(text); });
  }

  /// The message of resolving the shocks of `text`, which must read but not resolve.
  std::string resolve_error(const std::string& text) {
    const Scenario s = read(text);
    return message_of([&] { resolve_shocks(s, economy()); });
  }

  /// J = 3 sectors "sector 0".."sector 2", N = 4 regions "region 0".."region 3", R = 2.
  static const Economy& economy() {
    static const Economy e = synthetic_economy(3, 4, 2, 7);
    return e;
  }

  std::string file() const { return (dir_ / "scenario.toml").string(); }
};

TEST_F(ScenarioFiles, SyntheticLabelsAreWhatTheTestsAssume) {
  EXPECT_EQ(economy().sector_names, (std::vector<std::string>{"sector 0", "sector 1", "sector 2"}));
  EXPECT_EQ(economy().region_names,
            (std::vector<std::string>{"region 0", "region 1", "region 2", "region 3"}));
}

// ---------------------------------------------------------------------------------------------
// Reading.

TEST_F(ScenarioFiles, FullFileRoundTripsEveryKey) {
  const Scenario s = read(R"(
[data]
tables = "/data/cdp2000"
L0 = "/data/L0.npy"
mu0 = "/data/mu0.csv"
mobile_regions = 50

[model]
periods = 120
beta = 0.95
nu = 3          # an integer where a float is expected

[solver]
method = "picard"
tol = 1e-9
max_iterations = 300
anderson_memory = 4
te_tol = 1e-12
te_max_iterations = 2000
backend = "cuda"
mu0_storage = "float32"

[[productivity]]
sectors = [0, "Machinery"]
regions = ["China"]
quarters = [1, 28]
cumulative = [25.6, 7.6]

[[productivity]]
quarters = 5
factor = 1.05

[[trade_costs]]
sectors = "Machinery"
destinations = [3]
sources = ["China", 1]
quarters = [2, 3]
factor = [0.9]

[[trade_costs]]
file = "/data/kappa.csv"

[effects]
manufacturing = [0, 1, "Machinery"]
)");
  EXPECT_EQ(s.path, dir_ / "scenario.toml");
  EXPECT_EQ(s.tables, fs::path("/data/cdp2000"));
  EXPECT_EQ(s.L0, fs::path("/data/L0.npy"));
  EXPECT_EQ(s.mu0, fs::path("/data/mu0.csv"));
  EXPECT_EQ(s.mobile_regions, 50u);
  EXPECT_EQ(s.periods, 120u);
  EXPECT_EQ(s.beta, 0.95);
  EXPECT_EQ(s.nu, 3.0);
  EXPECT_EQ(s.options.method, OuterMethod::picard);
  EXPECT_EQ(s.options.tol, 1e-9);
  EXPECT_EQ(s.options.max_iterations, 300);
  EXPECT_EQ(s.options.anderson_memory, 4);
  EXPECT_EQ(s.options.te.tol, 1e-12);
  EXPECT_EQ(s.options.te.max_iterations, 2000);
  EXPECT_EQ(s.backend, "cuda");
  EXPECT_EQ(s.options.mu0_storage, Mu0Storage::float32);

  ASSERT_EQ(s.shocks.size(), 4u);  // productivity entries first, then trade costs
  const ShockSpec& p0 = s.shocks[0];
  EXPECT_EQ(p0.table, "productivity");
  EXPECT_EQ(p0.entry, 0u);
  EXPECT_EQ(p0.sectors, (std::vector<LabelOrIndex>{std::size_t{0}, std::string("Machinery")}));
  EXPECT_EQ(p0.regions, (std::vector<LabelOrIndex>{std::string("China")}));
  EXPECT_TRUE(p0.destinations.empty());
  EXPECT_TRUE(p0.sources.empty());
  EXPECT_EQ(p0.first_quarter, 1u);
  EXPECT_EQ(p0.last_quarter, 28u);
  EXPECT_EQ(p0.cumulative, (std::vector<double>{25.6, 7.6}));
  EXPECT_TRUE(p0.factor.empty());
  EXPECT_TRUE(p0.file.empty());

  const ShockSpec& p1 = s.shocks[1];
  EXPECT_EQ(p1.table, "productivity");
  EXPECT_EQ(p1.entry, 1u);
  EXPECT_TRUE(p1.sectors.empty());  // omitted: every sector
  EXPECT_TRUE(p1.regions.empty());
  EXPECT_EQ(p1.first_quarter, 5u);  // one integer: that quarter only
  EXPECT_EQ(p1.last_quarter, 5u);
  EXPECT_EQ(p1.factor, (std::vector<double>{1.05}));

  const ShockSpec& t0 = s.shocks[2];
  EXPECT_EQ(t0.table, "trade_costs");
  EXPECT_EQ(t0.entry, 0u);
  EXPECT_EQ(t0.sectors, (std::vector<LabelOrIndex>{std::string("Machinery")}));
  EXPECT_EQ(t0.destinations, (std::vector<LabelOrIndex>{std::size_t{3}}));
  EXPECT_EQ(t0.sources, (std::vector<LabelOrIndex>{std::string("China"), std::size_t{1}}));
  EXPECT_EQ(t0.first_quarter, 2u);
  EXPECT_EQ(t0.last_quarter, 3u);
  EXPECT_EQ(t0.factor, (std::vector<double>{0.9}));

  const ShockSpec& t1 = s.shocks[3];
  EXPECT_EQ(t1.table, "trade_costs");
  EXPECT_EQ(t1.entry, 1u);
  EXPECT_EQ(t1.file, fs::path("/data/kappa.csv"));
  EXPECT_TRUE(t1.factor.empty());
  EXPECT_TRUE(t1.cumulative.empty());

  EXPECT_EQ(s.manufacturing,
            (std::vector<LabelOrIndex>{std::size_t{0}, std::size_t{1}, std::string("Machinery")}));
}

TEST_F(ScenarioFiles, DefaultsWhenOptionalKeysAreOmitted) {
  const Scenario s = read(data_table + "[[productivity]]\nfactor = 1.1\n");
  const DynamicOptions defaults;
  EXPECT_EQ(s.periods, 200u);
  EXPECT_EQ(s.beta, 0.99);
  EXPECT_EQ(s.nu, 5.3436);
  EXPECT_EQ(s.first_quarter, "2000Q1");
  EXPECT_EQ(s.options.method, OuterMethod::anderson);
  EXPECT_EQ(s.options.tol, 1e-8);
  EXPECT_EQ(s.options.max_iterations, 100);
  EXPECT_EQ(s.options.anderson_memory, 16);  // DynamicOptions default
  EXPECT_EQ(s.options.te.tol, 1e-10);
  EXPECT_EQ(s.options.te.max_iterations, 1000);
  EXPECT_EQ(s.options.te.damping, defaults.te.damping);  // untouched by the scenario
  EXPECT_EQ(s.options.mu0_storage, Mu0Storage::dense);
  EXPECT_EQ(s.backend, "cpu");
  EXPECT_TRUE(s.manufacturing.empty());
  ASSERT_EQ(s.shocks.size(), 1u);
  EXPECT_EQ(s.shocks[0].first_quarter, 1u);  // quarters omitted: slot 1, the news
  EXPECT_EQ(s.shocks[0].last_quarter, 1u);
  EXPECT_TRUE(s.shocks[0].sectors.empty());
  EXPECT_TRUE(s.shocks[0].regions.empty());
}

TEST_F(ScenarioFiles, RelativePathsResolveAgainstTheScenarioDirectory) {
  fs::create_directories(dir_ / "runs");
  const fs::path path = write("runs/china.toml", R"(
[data]
tables = "../data/cdp2000"
L0 = "L0.csv"
mu0 = "/elsewhere/mu0.npy"
mobile_regions = 50
[[productivity]]
file = "shocks/A.csv"
)");
  const Scenario s = read_scenario(path);
  EXPECT_EQ(s.tables.lexically_normal(), (dir_ / "data" / "cdp2000").lexically_normal());
  EXPECT_EQ(s.L0, dir_ / "runs" / "L0.csv");
  EXPECT_EQ(s.mu0, fs::path("/elsewhere/mu0.npy"));  // absolute paths stay
  ASSERT_EQ(s.shocks.size(), 1u);
  EXPECT_EQ(s.shocks[0].file, dir_ / "runs" / "shocks" / "A.csv");
}

// ---------------------------------------------------------------------------------------------
// Resolution.

TEST_F(ScenarioFiles, CumulativeChangeIsSpreadGeometricallyOverTheQuarters) {
  const Scenario s = read(data_table + R"(
[[productivity]]
sectors = ["sector 0", 2]
regions = [1]
quarters = [3, 30]
cumulative = [25.6, 7.6]
)");
  const FundamentalChanges changes = resolve_shocks(s, economy());
  EXPECT_TRUE(changes.trade_costs.empty());
  ASSERT_EQ(changes.productivity.size(), 28u * 2u);  // 28 quarters x 2 sectors x 1 region
  const double cumulative[2] = {25.6, 7.6};
  const std::size_t sectors[2] = {0, 2};
  double product[2] = {1.0, 1.0};
  for (std::size_t k = 0; k < changes.productivity.size(); ++k) {
    const ProductivityChange& c = changes.productivity[k];
    EXPECT_EQ(c.slot, 3 + k / 2) << k;  // quarter-major, then the listed sectors in order
    EXPECT_EQ(c.sector, sectors[k % 2]) << k;
    EXPECT_EQ(c.region, 1u) << k;
    // c^(1/28) by one pow (<= 1 ulp) against exp(log c / 28) (log's error shrinks 28-fold, exp
    // adds <= 1 ulp): 4 eps covers both.
    const double expected = std::exp(std::log(cumulative[k % 2]) / 28.0);
    EXPECT_NEAR(c.factor, expected, 4 * eps * expected) << k;
    product[k % 2] *= c.factor;
  }
  // 28 factors, each within 1 ulp, and 27 rounded products: |relative error| <= 55 eps.
  EXPECT_NEAR(product[0], 25.6, 64 * eps * 25.6);
  EXPECT_NEAR(product[1], 7.6, 64 * eps * 7.6);
}

TEST_F(ScenarioFiles, NamesAndIndicesBothResolve) {
  const Scenario s = read(data_table + R"(
[[productivity]]
sectors = ["sector 2", 0]
regions = [3, "region 1"]
quarters = 4
factor = [1.5, 0.5]

[[trade_costs]]
sectors = 1
destinations = ["region 0"]
sources = [2, "region 3"]
factor = 0.9

[effects]
manufacturing = ["sector 1", 2]
)");
  const FundamentalChanges changes = resolve_shocks(s, economy());
  ASSERT_EQ(changes.productivity.size(), 4u);
  const std::size_t sector[4] = {2, 2, 0, 0}, region[4] = {3, 1, 3, 1};
  const double factor[4] = {1.5, 1.5, 0.5, 0.5};
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(changes.productivity[k].slot, 4u) << k;
    EXPECT_EQ(changes.productivity[k].sector, sector[k]) << k;
    EXPECT_EQ(changes.productivity[k].region, region[k]) << k;
    EXPECT_EQ(changes.productivity[k].factor, factor[k]) << k;  // copied, no arithmetic
  }
  ASSERT_EQ(changes.trade_costs.size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    const TradeCostChange& c = changes.trade_costs[k];
    EXPECT_EQ(c.slot, 1u);
    EXPECT_EQ(c.sector, 1u);
    EXPECT_EQ(c.destination, 0u);
    EXPECT_EQ(c.source, k == 0 ? 2u : 3u);
    EXPECT_EQ(c.factor, 0.9);
  }
  EXPECT_EQ(resolve_sectors(s, economy(), s.manufacturing, "effects.manufacturing"),
            (std::vector<std::size_t>{1, 2}));
}

TEST_F(ScenarioFiles, OmittedListsMeanEverySectorAndRegion) {
  const Scenario s = read(data_table + R"(
[[productivity]]
quarters = [2, 3]
factor = 1.01
[[trade_costs]]
factor = [0.9, 0.8, 0.7]   # one per sector of the tables when sectors is omitted
)");
  const FundamentalChanges changes = resolve_shocks(s, economy());
  ASSERT_EQ(changes.productivity.size(), 2u * 3u * 4u);
  for (std::size_t k = 0; k < changes.productivity.size(); ++k) {
    EXPECT_EQ(changes.productivity[k].slot, 2 + k / 12) << k;
    EXPECT_EQ(changes.productivity[k].sector, k / 4 % 3) << k;
    EXPECT_EQ(changes.productivity[k].region, k % 4) << k;
  }
  ASSERT_EQ(changes.trade_costs.size(), 3u * 4u * 4u);
  const double per_sector[3] = {0.9, 0.8, 0.7};
  for (std::size_t k = 0; k < changes.trade_costs.size(); ++k) {
    const TradeCostChange& c = changes.trade_costs[k];
    EXPECT_EQ(c.sector, k / 16) << k;
    EXPECT_EQ(c.destination, k / 4 % 4) << k;
    EXPECT_EQ(c.source, k % 4) << k;
    EXPECT_EQ(c.factor, per_sector[k / 16]) << k;
  }
  EXPECT_TRUE(resolve_sectors(s, economy(), s.manufacturing, "effects.manufacturing").empty());
}

TEST_F(ScenarioFiles, FileShocksGiveTheirRowsAgainstTheTinyTables) {
  // The tiny economy's sector "Goods, Wares" holds a comma: the CSV quotes it.
  testing::write_tiny_economy(dir_ / "tiny");
  const Economy tiny = load_economy(dir_ / "tiny", 2);
  write("A.csv",
        "sector,region,quarter,value\n"
        "\"Goods, Wares\",C,1,1.25\n"
        "Services,A,7,0.5\n");
  write("kappa.csv",
        "sector,destination,source,quarter,value\n"
        "Services,B,C,2,0.75\n");
  const Scenario s = read(data_table + R"(
[[productivity]]
file = "A.csv"
[[trade_costs]]
file = "kappa.csv"
[effects]
manufacturing = ["Goods, Wares"]
)");
  const FundamentalChanges changes = resolve_shocks(s, tiny);
  ASSERT_EQ(changes.productivity.size(), 2u);
  EXPECT_EQ(changes.productivity[0].slot, 1u);
  EXPECT_EQ(changes.productivity[0].sector, 0u);
  EXPECT_EQ(changes.productivity[0].region, 2u);
  EXPECT_EQ(changes.productivity[0].factor, 1.25);
  EXPECT_EQ(changes.productivity[1].slot, 7u);
  EXPECT_EQ(changes.productivity[1].sector, 1u);
  EXPECT_EQ(changes.productivity[1].region, 0u);
  EXPECT_EQ(changes.productivity[1].factor, 0.5);
  ASSERT_EQ(changes.trade_costs.size(), 1u);
  EXPECT_EQ(changes.trade_costs[0].slot, 2u);
  EXPECT_EQ(changes.trade_costs[0].sector, 1u);
  EXPECT_EQ(changes.trade_costs[0].destination, 1u);
  EXPECT_EQ(changes.trade_costs[0].source, 2u);
  EXPECT_EQ(changes.trade_costs[0].factor, 0.75);
  EXPECT_EQ(resolve_sectors(s, tiny, s.manufacturing, "effects.manufacturing"),
            (std::vector<std::size_t>{0}));
}

// ---------------------------------------------------------------------------------------------
// Errors: each names the scenario file, the key and the rule.

TEST_F(ScenarioFiles, MissingFileAndMissingRequiredKey) {
  EXPECT_THAT(message_of([&] { read_scenario(dir_ / "absent.toml"); }),
              AllOf(HasSubstr("absent.toml"), HasSubstr("scenario file not found")));
  EXPECT_THAT(read_error("[data]\ntables = \"t\"\nL0 = \"L0.csv\"\nmu0 = \"mu0.csv\"\n"),
              AllOf(HasSubstr(file() + ":1:1: "), HasSubstr("data.mobile_regions is required")));
  EXPECT_THAT(read_error("[model]\nperiods = 10\n"),
              AllOf(HasSubstr(file() + ": "), HasSubstr("data.tables is required")));
}

TEST_F(ScenarioFiles, SyntaxErrorNamesLineAndColumn) {
  EXPECT_THAT(read_error(data_table + "[model]\nbeta = = 0.9\n"),
              AllOf(HasSubstr(file() + ":7:"), HasSubstr("TOML syntax error")));
}

TEST_F(ScenarioFiles, UnknownTableOrKey) {
  EXPECT_THAT(read_error(data_table + "[solver]\nmethod = \"picard\"\ntolerance = 1e-8\n"),
              AllOf(HasSubstr(file() + ":8:1: unknown key solver.tolerance"),
                    HasSubstr("must be one of: method, tol, max_iterations")));
  EXPECT_THAT(read_error(data_table + "[modle]\nperiods = 10\n"),
              AllOf(HasSubstr(file() + ":6:"), HasSubstr("unknown key modle"),
                    HasSubstr("must be one of: data, model, solver")));
  EXPECT_THAT(read_error(data_table + "[[productivity]]\nfactor = 1.1\n[[productivity]]\n"
                                      "factors = 1.1\n"),
              AllOf(HasSubstr("unknown key productivity[1].factors"),
                    HasSubstr("must be one of: sectors, regions, quarters")));
  // regions belong to productivity; trade costs have destinations and sources.
  EXPECT_THAT(read_error(data_table + "[[trade_costs]]\nregions = [0]\nfactor = 1.1\n"),
              HasSubstr("unknown key trade_costs[0].regions"));
}

TEST_F(ScenarioFiles, WrongType) {
  EXPECT_THAT(read_error(data_table + "[model]\nperiods = 1.5\n"),
              AllOf(HasSubstr(file() + ":7:11: model.periods = 1.5"),
                    HasSubstr("must be an integer, not a float")));
  EXPECT_THAT(read_error(data_table + "[solver]\ntol = \"1e-8\"\n"),
              HasSubstr("solver.tol = \"1e-8\" must be a number, not a string"));
  EXPECT_THAT(read_error(data_table + "[[productivity]]\nsectors = [0, 1.5]\nfactor = 1.1\n"),
              HasSubstr("productivity[0].sectors[1] = 1.5 must be a label (string) or a 0-based "
                        "index (integer), not a float"));
  EXPECT_THAT(read_error(data_table + "[productivity]\nfactor = 1.1\n"),
              HasSubstr("productivity = a table must be an array of tables: write "
                        "[[productivity]]"));
  EXPECT_THAT(read_error("data = 3\n"), HasSubstr("data = 3 must be a table [data]"));
}

TEST_F(ScenarioFiles, OutOfRange) {
  EXPECT_THAT(read_error(data_table + "[model]\nperiods = 2\n"),
              HasSubstr("model.periods = 2 must be >= 3"));
  EXPECT_THAT(read_error(data_table + "[model]\nbeta = 1\n"),
              HasSubstr("model.beta = 1 must be in [0, 1)"));
  EXPECT_THAT(read_error(data_table + "[model]\nnu = 0.0\n"),
              HasSubstr("model.nu = 0 must be > 0"));
  EXPECT_THAT(read_error(data_table + "[model]\nfirst_quarter = \"2000Q5\"\n"),
              HasSubstr("model.first_quarter = \"2000Q5\" must be a quarter \"YYYYQn\""));
  EXPECT_EQ(read(data_table + "[model]\nfirst_quarter = \"1995Q3\"\n").first_quarter, "1995Q3");
  EXPECT_THAT(read_error(data_table + "[solver]\ntol = nan\n"),
              HasSubstr("solver.tol = nan must be finite"));
  EXPECT_THAT(read_error(data_table + "[solver]\nmax_iterations = 0\n"),
              HasSubstr("solver.max_iterations = 0 must be in [1, 2147483647]"));
  EXPECT_THAT(read_error(data_table + "[solver]\nmethod = \"newton\"\n"),
              HasSubstr("solver.method = \"newton\" must be one of: anderson, picard"));
  EXPECT_THAT(read_error(data_table + "[[productivity]]\nquarters = [0, 3]\nfactor = 1.1\n"),
              HasSubstr("productivity[0].quarters[0] = 0 must be >= 1"));
  EXPECT_THAT(read_error(data_table + "[[productivity]]\nquarters = [5, 2]\nfactor = 1.1\n"),
              HasSubstr("productivity[0].quarters = [5, 2] must have first <= last"));
  EXPECT_THAT(read_error(data_table + "[[productivity]]\nsectors = [-1]\nfactor = 1.1\n"),
              HasSubstr("productivity[0].sectors[0] = -1 must be >= 0 (a 0-based index)"));
  EXPECT_THAT(resolve_error(data_table + "[[productivity]]\nsectors = [1, 3]\nfactor = 1.1\n"),
              AllOf(HasSubstr(file() + ": productivity[0].sectors[1] = 3 is out of range"),
                    HasSubstr("must be a sector index < 3")));
  EXPECT_THAT(resolve_error(data_table + "[[productivity]]\nsectors = [1, \"sector 1\"]\n"
                                         "factor = 1.1\n"),
              HasSubstr("productivity[0].sectors[1] = \"sector 1\" is listed twice"));
}

// [[baseline.productivity]] / [[baseline.trade_costs]] are the baseline's own changes, with the
// counterfactual's keys; [counterfactual] news_slot dates the counterfactual's news.
TEST_F(ScenarioFiles, BaselineChangesAndNewsSlot) {
  const Scenario s = read(data_table +
                          "[model]\nperiods = 12\n"
                          "[counterfactual]\nnews_slot = 4\n"
                          "[[productivity]]\nsectors = [1]\nregions = [3]\nquarters = [4, 5]\n"
                          "factor = 1.1\n"
                          "[[baseline.productivity]]\nsectors = [0]\nregions = [2]\n"
                          "quarters = [1, 3]\ncumulative = 8.0\n"
                          "[[baseline.trade_costs]]\nsectors = [2]\ndestinations = [0]\n"
                          "sources = [3]\nquarters = 2\nfactor = 0.9\n");
  EXPECT_EQ(s.news_slot, 4u);
  const FundamentalChanges counterfactual = resolve_shocks(s, economy());
  EXPECT_EQ(counterfactual.news_slot, 4u);
  ASSERT_EQ(counterfactual.productivity.size(), 2u);
  EXPECT_TRUE(counterfactual.trade_costs.empty());
  const FundamentalChanges baseline = resolve_baseline_shocks(s, economy());
  EXPECT_EQ(baseline.news_slot, 1u);
  ASSERT_EQ(baseline.productivity.size(), 3u);
  for (const ProductivityChange& c : baseline.productivity) {
    EXPECT_EQ(c.sector, 0u);
    EXPECT_EQ(c.region, 2u);
    EXPECT_NEAR(c.factor, 2.0, 4 * eps);  // 8^(1/3)
  }
  ASSERT_EQ(baseline.trade_costs.size(), 1u);
  EXPECT_EQ(baseline.trade_costs[0].slot, 2u);
  EXPECT_EQ(baseline.trade_costs[0].source, 3u);

  EXPECT_THAT(read_error(data_table + "[counterfactual]\nnews_slot = 0\n"),
              HasSubstr("counterfactual.news_slot = 0 must be in [1, 198]"));
  EXPECT_THAT(read_error(data_table + "[model]\nperiods = 10\n[counterfactual]\nnews_slot = 9\n"),
              HasSubstr("counterfactual.news_slot = 9 must be in [1, 8]"));
  EXPECT_THAT(read_error(data_table + "[counterfactual]\nnews = 2\n"),
              HasSubstr("counterfactual.news"));
  EXPECT_THAT(read_error(data_table + "[baseline]\nfactor = 2\n"), HasSubstr("baseline.factor"));
  EXPECT_THAT(read_error(data_table + "[[baseline.productivity]]\nquarters = [0, 3]\n"
                                      "factor = 1.1\n"),
              HasSubstr("baseline.productivity[0].quarters[0] = 0 must be >= 1"));
  EXPECT_THAT(resolve_error(data_table + "[[baseline.productivity]]\nsectors = [7]\n"
                                         "factor = 1.1\n[[productivity]]\nsectors = [7]\n"
                                         "factor = 1.1\n"),
              HasSubstr(": productivity[0].sectors[0] = 7 is out of range"));
  const Scenario bad =
      read(data_table + "[[baseline.productivity]]\nsectors = [7]\nfactor = 1.1\n");
  EXPECT_THAT(message_of([&] { resolve_baseline_shocks(bad, economy()); }),
              HasSubstr(": baseline.productivity[0].sectors[0] = 7 is out of range"));
}

TEST_F(ScenarioFiles, UnknownSectorOrRegionName) {
  EXPECT_THAT(resolve_error(data_table + "[[productivity]]\nregions = [\"Regoin 1\"]\n"
                                         "factor = 1.1\n"),
              HasSubstr(file() + ": productivity[0].regions[0] = \"Regoin 1\" is not a region of "
                                 "the tables (4 regions; closest \"region 1\")"));
  const Scenario s = read(data_table + "[effects]\nmanufacturing = [0, \"sector 9\"]\n");
  EXPECT_THAT(
      message_of([&] { resolve_sectors(s, economy(), s.manufacturing, "effects.manufacturing"); }),
      HasSubstr(file() + ": effects.manufacturing[1] = \"sector 9\" is not a sector of "
                         "the tables (3 sectors;"));
  write("A.csv", "sector,region,quarter,value\nsector 1,Mars,2,1.1\n");
  EXPECT_THAT(resolve_error(data_table + "[[productivity]]\nfile = \"A.csv\"\n"),
              AllOf(HasSubstr(file() + ": productivity[0].file: "),
                    HasSubstr("A.csv line 2 (sector 'sector 1', region 'Mars', quarter '2')"),
                    HasSubstr("region 'Mars' is not a region of the tables")));
  EXPECT_THAT(resolve_error(data_table + "[[productivity]]\nfile = \"absent.csv\"\n"),
              AllOf(HasSubstr(file() + ": productivity[0].file: "),
                    HasSubstr("absent.csv: cannot open for reading")));
}

TEST_F(ScenarioFiles, FactorNotPositive) {
  EXPECT_THAT(read_error(data_table + "[[productivity]]\nfactor = 0\n"),
              HasSubstr("productivity[0].factor = 0 must be > 0"));
  EXPECT_THAT(read_error(data_table + "[[trade_costs]]\nsectors = [0, 1]\n"
                                      "cumulative = [1.2, -1]\n"),
              HasSubstr("trade_costs[0].cumulative[1] = -1 must be > 0"));
  write("A.csv", "sector,region,quarter,value\nsector 1,region 0,2,0\n");
  EXPECT_THAT(resolve_error(data_table + "[[productivity]]\nfile = \"A.csv\"\n"),
              AllOf(HasSubstr("productivity[0].file: "), HasSubstr("A.csv line 2"),
                    HasSubstr("value 0 must be > 0")));
}

TEST_F(ScenarioFiles, QuarterAtOrBeyondTheHorizon) {
  EXPECT_THAT(resolve_error(data_table + "[model]\nperiods = 10\n"
                                         "[[productivity]]\nquarters = [5, 10]\nfactor = 1.1\n"),
              AllOf(HasSubstr(file() + ": productivity[0].quarters = [5, 10]"),
                    HasSubstr("must satisfy 1 <= first <= last < T = 10")));
  write("kappa.csv", "sector,destination,source,quarter,value\nsector 0,region 0,region 1,10,2\n");
  EXPECT_THAT(resolve_error(data_table + "[model]\nperiods = 10\n"
                                         "[[trade_costs]]\nfile = \"kappa.csv\"\n"),
              AllOf(HasSubstr("trade_costs[0].file: "),
                    HasSubstr("quarter '10' must be an integer slot in [1, 10)")));
}

TEST_F(ScenarioFiles, NotExactlyOneOfFactorCumulativeFile) {
  EXPECT_THAT(read_error(data_table + "[[productivity]]\nfactor = 1.1\ncumulative = 2\n"),
              AllOf(HasSubstr(file() + ":6:"),
                    HasSubstr("productivity[0] gives factor and cumulative, must give exactly one "
                              "of factor | cumulative | file")));
  EXPECT_THAT(read_error(data_table + "[[trade_costs]]\nsectors = [0]\n"),
              HasSubstr("trade_costs[0] gives none, must give exactly one of factor | "
                        "cumulative | file"));
  EXPECT_THAT(read_error(data_table + "[[productivity]]\nfile = \"A.csv\"\nquarters = 2\n"),
              HasSubstr("productivity[0].quarters = 2 is not allowed with productivity[0].file"));
}

TEST_F(ScenarioFiles, ListLengthMismatch) {
  EXPECT_THAT(read_error(data_table + "[[productivity]]\nsectors = [0, 1, 2]\n"
                                      "factor = [1.1, 1.2]\n"),
              HasSubstr("productivity[0].factor = [1.1, 1.2] lists 2 values for the 3 sectors of "
                        "productivity[0].sectors, must list one per sector or be one number"));
  EXPECT_THAT(resolve_error(data_table + "[[productivity]]\ncumulative = [2, 3]\n"),
              HasSubstr(file() + ": productivity[0].cumulative lists 2 values for 3 sectors, "
                                 "must list one per sector or be one number"));
}

// The shipped example: it parses, its paths lead to the CDP tables and their L0 / mu0, and its
// China shock resolves to 12 sectors x 28 quarters of China's productivity, each quarter the
// 28th root of the cumulative change.
TEST(ExampleScenario, ChinaShockParsesAndResolvesAgainstTheCdpTables) {
  const fs::path examples = DYNHAT_EXAMPLES_DIR;
  const Scenario s = read_scenario(examples / "china_shock.toml");
  const fs::path tables = examples / "../../shared/data/cdp2000";  // ../shared beside the checkout
  EXPECT_EQ(s.tables.lexically_normal(), tables.lexically_normal());
  EXPECT_EQ(s.L0.lexically_normal(), (tables / "L0.csv").lexically_normal());
  EXPECT_EQ(s.mu0.lexically_normal(), (tables / "mu0.csv").lexically_normal());
  EXPECT_EQ(s.mobile_regions, 50u);
  EXPECT_EQ(s.periods, 200u);
  EXPECT_EQ(s.beta, 0.99);
  EXPECT_EQ(s.nu, 5.3436);
  EXPECT_EQ(s.options.method, OuterMethod::anderson);
  EXPECT_EQ(s.options.tol, 1e-8);
  EXPECT_EQ(s.options.te.tol, 1e-10);
  EXPECT_EQ(s.options.max_iterations, 100);
  EXPECT_EQ(s.backend, "cpu");

  DYNHAT_SKIP_WITHOUT_CDP_TABLES(s.tables);
  const Economy e = load_economy(s.tables, s.mobile_regions);
  const std::size_t M = s.mobile_regions * (e.sectors + 1);
  EXPECT_EQ(read_vector(s.L0).size(), M);
  const Matrix mu0 = read_matrix(s.mu0);
  EXPECT_EQ(mu0.rows, M);
  EXPECT_EQ(mu0.cols, M);

  const double cumulative[12] = {25.6097, 7.6093, 5.2773,  9.2464,  7.6897,   45.7781,
                                 5.9298,  5.6533, 64.5661, 38.9064, 196.6509, 3.5324};
  const FundamentalChanges changes = resolve_shocks(s, e);
  EXPECT_TRUE(changes.trade_costs.empty());
  ASSERT_EQ(changes.productivity.size(), 28u * 12u);
  for (std::size_t k = 0; k < changes.productivity.size(); ++k) {
    const ProductivityChange& c = changes.productivity[k];
    EXPECT_EQ(c.slot, 1 + k / 12) << k;  // quarter-major, then the listed sectors in order
    EXPECT_EQ(c.sector, k % 12) << k;
    EXPECT_EQ(e.region_names[c.region], "China") << k;
    // As CumulativeChangeIsSpreadGeometricallyOverTheQuarters: pow and exp(log / 28), 4 eps.
    const double expected = std::exp(std::log(cumulative[k % 12]) / 28.0);
    EXPECT_NEAR(c.factor, expected, 4 * eps * expected) << k;
  }
  const std::vector<std::size_t> manufacturing =
      resolve_sectors(s, e, s.manufacturing, "effects.manufacturing");
  EXPECT_EQ(manufacturing, (std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
}

}  // namespace
}  // namespace dynhat
