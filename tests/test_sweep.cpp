// Scenario sweeps (dynhat/sweep.hpp): the grid and variants expand in the documented order, each
// point's changes are the base scenario's masked and scaled, every broken rule is reported with
// the file, key and rule, shards partition the sweep, and a sweep's scenarios are the
// counterfactuals solved one by one with run(), bit for bit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "dynhat/sweep.hpp"
#include "support/fixtures.hpp"
#include "support/tiny_economy.hpp"
#include "sweep/path_bytes.hpp"

namespace dynhat {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::message_of;

/// The tiny economy (sectors "Goods, Wares" and "Services", regions A, B, C; R = 2, M = 6) with a
/// productivity rise in C's services and a trade-cost cut on goods from C.
const std::string base_scenario = R"(
[data]
tables = "tiny"
L0 = "L0.csv"
mu0 = "mu0.csv"
mobile_regions = 2
[model]
periods = 16
[[productivity]]
sectors = ["Services"]
regions = ["C"]
quarters = [1, 4]
cumulative = 1.5
[[trade_costs]]
sectors = [0]
sources = ["C"]
quarters = [2, 3]
factor = 0.9
[effects]
manufacturing = [0]
)";

class SweepFiles : public testing::ScratchDirectoryTest {
 protected:
  void SetUp() override {
    ScratchDirectoryTest::SetUp();
    testing::write_tiny_economy(dir_ / "tiny");
    write("L0.csv", "1000\n800\n300\n900\n700\n200\n");
    std::string mu0;
    for (int i = 0; i < 6; ++i) {
      for (int k = 0; k < 6; ++k) mu0 += std::string(k ? "," : "") + (i == k ? "0.9" : "0.02");
      mu0 += "\n";
    }
    write("mu0.csv", mu0);
    write("scenario.toml", base_scenario);
  }
  Sweep read(const std::string& text) { return read_sweep(write("sweep.toml", text)); }
  std::string read_error(const std::string& text) {
    return message_of([&] { read(text); });
  }
};

TEST_F(SweepFiles, VariantsCrossTheGridWithTheLastKeyFastest) {
  const Sweep s = read(R"(
scenario = "scenario.toml"
[grid]
shock_scale = [0.5, 2]
beta = [0.99, 0.95, 0.9]
[[variant]]
name = "all"
[[variant]]
name = "goods"
sectors = ["Goods, Wares"]
)");
  ASSERT_EQ(s.points.size(), 12u);  // 2 variants x 2 scales x 3 betas
  EXPECT_EQ(s.base.periods, 16u);
  // Grid keys in the documented order (shock_scale before beta), beta fastest.
  EXPECT_EQ(s.points[0].name, "0000-all-shock_scale=0.5_beta=0.99");
  EXPECT_EQ(s.points[1].name, "0001-all-shock_scale=0.5_beta=0.95");
  EXPECT_EQ(s.points[3].name, "0003-all-shock_scale=2_beta=0.99");
  EXPECT_EQ(s.points[11].name, "0011-goods-shock_scale=2_beta=0.9");
  for (std::size_t k = 0; k < s.points.size(); ++k) {
    const SweepPoint& p = s.points[k];
    EXPECT_EQ(p.index, k);
    EXPECT_EQ(p.variant, k < 6 ? "all" : "goods");
    EXPECT_EQ(*p.shock_scale, k % 6 < 3 ? 0.5 : 2.0);
    EXPECT_EQ(*p.beta, (std::vector<double>{0.99, 0.95, 0.9})[k % 3]);
    EXPECT_EQ(p.sectors.has_value(), k >= 6);
    EXPECT_FALSE(p.nu || p.theta_scale || p.regions);
  }
}

TEST_F(SweepFiles, BrokenRulesNameTheFileKeyAndRule) {
  const std::string head = "scenario = \"scenario.toml\"\n";
  EXPECT_THAT(read_error(head + "[grid]\nshockscale = [1]\n"),
              AllOf(HasSubstr("sweep.toml"), HasSubstr("unknown key grid.shockscale"),
                    HasSubstr("shock_scale")));
  EXPECT_THAT(
      read_error(head + "[grid]\nbeta = []\n"),
      AllOf(HasSubstr("sweep.toml:3:8"), HasSubstr("grid.beta"), HasSubstr("non-empty list")));
  EXPECT_THAT(read_error(head + "[grid]\nbeta = [0.9, 1.0]\n"),
              AllOf(HasSubstr("grid.beta[1] = 1 must be in [0, 1)")));
  EXPECT_THAT(read_error(head + "[grid]\nshock_scale = [0]\n"),
              AllOf(HasSubstr("grid.shock_scale[0] = 0"), HasSubstr("must not be 0")));
  EXPECT_THAT(read_error(head + "[grid]\ntheta_scale = [-1]\n"), HasSubstr("must be > 0"));
  EXPECT_THAT(read_error(head + "[[variant]]\nname = \"a\"\n[[variant]]\nname = \"a\"\n"),
              AllOf(HasSubstr("variant[1].name = \"a\""), HasSubstr("unique")));
  EXPECT_THAT(read_error(head + "[[variant]]\nname = \"a/b\"\n"),
              HasSubstr("letters, digits and ._=+- only"));
  EXPECT_THAT(read_error(head + "[[variant]]\nbeta = 0.9\n"),
              AllOf(HasSubstr("variant[0].name is required")));
  EXPECT_THAT(read_error(head + "[[variant]]\nname = \"x\"\nsectors = []\n"),
              HasSubstr("must list at least one entry"));
  EXPECT_THAT(read_error(head), HasSubstr("needs a [grid] or at least one [[variant]]"));
  EXPECT_THAT(read_error("[grid]\nbeta = [0.9]\n"), HasSubstr("scenario is required"));
  EXPECT_THAT(read_error("scenario = \"missing.toml\"\n[grid]\nbeta = [0.9]\n"),
              AllOf(HasSubstr("missing.toml"), HasSubstr("scenario file not found")));
  EXPECT_THAT(read_error(head + "[grid]\nbeta = [0.9\n"), HasSubstr("TOML syntax error"));
}

TEST(SweepShards, ParseAcceptsIOfNOnly) {
  EXPECT_EQ(parse_shard("0/1").count, 1u);
  EXPECT_EQ(parse_shard("3/4").index, 3u);
  for (const char* bad : {"4/4", "1", "-1/4", "1/0", "a/b", "1/4/5", "/4", "1/"}) {
    EXPECT_THAT(message_of([&] { parse_shard(bad); }),
                AllOf(HasSubstr("--shard"), HasSubstr(bad), HasSubstr("0 <= i < n")))
        << bad;
  }
}

TEST_F(SweepFiles, PointChangesAreTheBaseChangesMaskedAndRaisedToTheScale) {
  const Sweep s = read(R"(
scenario = "scenario.toml"
[[variant]]
name = "base"
[[variant]]
name = "half_services"
shock_scale = 0.5
sectors = ["Services"]
[[variant]]
name = "reversed_from_C"
shock_scale = -1
regions = ["C"]
[[variant]]
name = "steeper_theta"
theta_scale = 2
[[variant]]
name = "patient"
beta = 0.95
nu = 3
)");
  SweepModels models(s);
  // Distinct (beta, nu, theta scale): base, theta x 2, (0.95, 3).
  ASSERT_EQ(models.baselines(), 3u);
  EXPECT_EQ(models.baseline_of(0), 0u);
  EXPECT_EQ(models.baseline_of(1), 0u);
  EXPECT_EQ(models.baseline_of(2), 0u);
  EXPECT_EQ(models.baseline_of(3), 1u);
  EXPECT_EQ(models.baseline_of(4), 2u);
  const FundamentalChanges base = models.inputs(0).changes;
  ASSERT_EQ(base.productivity.size(), 4u);  // quarters 1-4, Services (1), region C (2)
  ASSERT_EQ(base.trade_costs.size(), 6u);   // quarters 2-3, goods, every destination, from C

  const FundamentalChanges half = models.inputs(1).changes;
  EXPECT_TRUE(half.trade_costs.empty());  // goods dropped
  ASSERT_EQ(half.productivity.size(), base.productivity.size());
  for (std::size_t k = 0; k < half.productivity.size(); ++k) {
    EXPECT_EQ(half.productivity[k].factor, std::pow(base.productivity[k].factor, 0.5));
    EXPECT_EQ(half.productivity[k].slot, base.productivity[k].slot);
  }
  // Every change is in or from C: the region mask keeps all; scale -1 inverts each factor.
  const FundamentalChanges reversed = models.inputs(2).changes;
  ASSERT_EQ(reversed.trade_costs.size(), base.trade_costs.size());
  for (std::size_t k = 0; k < reversed.trade_costs.size(); ++k) {
    EXPECT_EQ(reversed.trade_costs[k].factor, std::pow(base.trade_costs[k].factor, -1.0));
  }

  const ModelInputs& steep = models.baseline_inputs(1);
  const ModelInputs& plain = models.baseline_inputs(0);
  for (std::size_t j = 0; j < 2; ++j) {
    EXPECT_EQ(steep.model.economy.theta[j], 2 * plain.model.economy.theta[j]);
  }
  EXPECT_EQ(models.baseline_inputs(2).model.beta, 0.95);
  EXPECT_EQ(models.baseline_inputs(2).model.nu, 3.0);
  EXPECT_EQ(models.baseline_label(2), "beta=0.95 nu=3 theta_scale=1");
  EXPECT_THAT(models.inputs(4).source_json, HasSubstr("\"variant\":\"patient\""));
}

TEST_F(SweepFiles, AMaskThatLeavesNoChangeIsRefusedBeforeAnySolve) {
  const Sweep s = read(R"(
scenario = "scenario.toml"
[[variant]]
name = "nothing_in_A"
regions = ["A"]
)");
  EXPECT_THAT(message_of([&] { SweepModels models(s); }),
              AllOf(HasSubstr("sweep.toml"), HasSubstr("0000-nothing_in_A"),
                    HasSubstr("leaves no change")));
  const Sweep unknown = read("scenario = \"scenario.toml\"\n[grid]\nsectors = [\"Food\"]\n");
  EXPECT_THAT(message_of([&] { SweepModels models(unknown); }),
              AllOf(HasSubstr("sweep.toml"), HasSubstr("\"Food\""), HasSubstr("not a sector")));
}

TEST_F(SweepFiles, ShardsPartitionTheSweepAndKeepBaselinesTogether) {
  const Sweep s = read(R"(
scenario = "scenario.toml"
[grid]
shock_scale = [0.5, 1, 1.5, 2, 2.5]
beta = [0.99, 0.95]
)");
  const SweepModels models(s);
  for (std::size_t n : {1, 2, 3, 4, 10, 13}) {
    std::multiset<std::size_t> all;
    std::size_t baselines_solved = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::vector<std::size_t> mine = shard_points(models, s.points.size(), {i, n});
      // Sizes differ by at most one.
      EXPECT_LE(mine.size(), (s.points.size() + n - 1) / n);
      EXPECT_GE(mine.size(), s.points.size() / n);
      all.insert(mine.begin(), mine.end());
      for (std::size_t k = 0; k < mine.size(); ++k) {
        if (k == 0 || models.baseline_of(mine[k]) != models.baseline_of(mine[k - 1])) {
          ++baselines_solved;
        }
        if (k > 0) {
          EXPECT_LE(models.baseline_of(mine[k - 1]), models.baseline_of(mine[k]));
        }
      }
    }
    EXPECT_EQ(all.size(), s.points.size()) << n;
    EXPECT_EQ(std::set<std::size_t>(all.begin(), all.end()).size(), s.points.size()) << n;
    // Contiguous slices of the baseline-sorted points: at most one baseline shared per cut.
    EXPECT_LE(baselines_solved, std::min(n, s.points.size()) + 1) << n;
  }
}

/// The bits of two matrices are equal.
void expect_same_bits(const Matrix& a, const Matrix& b, const std::string& what) {
  ASSERT_EQ(a.rows, b.rows) << what;
  ASSERT_EQ(a.cols, b.cols) << what;
  EXPECT_EQ(0, std::memcmp(a.data.data(), b.data.data(), a.size() * sizeof(double))) << what;
}

TEST_F(SweepFiles, ScenariosEqualCounterfactualsSolvedOneByOne) {
  const Sweep s = read(R"(
scenario = "scenario.toml"
[grid]
shock_scale = [0.5, 1]
beta = [0.99, 0.95]
)");
  const SweepRun result = run_sweep(s, dir_ / "out", {});
  ASSERT_EQ(result.rows.size(), 4u);
  EXPECT_EQ(result.baselines_solved, 2u);  // one per beta
  EXPECT_TRUE(result.converged());
  // Each scenario by hand: the scenario file with its beta, its changes raised to its scale.
  for (const SweepPoint& p : s.points) {
    Scenario scenario = read_scenario(dir_ / "scenario.toml");
    scenario.beta = *p.beta;
    ModelInputs in = load_model(scenario);
    for (ProductivityChange& c : in.changes.productivity)
      c.factor = std::pow(c.factor, *p.shock_scale);
    for (TradeCostChange& c : in.changes.trade_costs) c.factor = std::pow(c.factor, *p.shock_scale);
    const RunResult alone = run(in);
    const SavedRun saved = read_outputs(dir_ / "out" / "scenarios" / p.name);
    expect_same_bits(saved.baseline.solution.L, alone.baseline.L, p.name + " baseline L");
    expect_same_bits(saved.counterfactual->L, alone.counterfactual->L, p.name + " L");
    expect_same_bits(saved.counterfactual->Y, alone.counterfactual->Y, p.name + " Y");
    const SweepRow& row = result.rows[p.index];
    EXPECT_EQ(row.name, p.name);
    const std::size_t h = alone.effects->horizon;
    EXPECT_EQ(row.manufacturing_effect_pp,
              100 * (alone.effects->manufacturing_share_counterfactual[h] -
                     alone.effects->manufacturing_share_baseline[h]));
    EXPECT_EQ(row.aggregate_welfare, alone.effects->aggregate_welfare);
    EXPECT_EQ(row.counterfactual_iterations, alone.counterfactual->report.iterations);
  }
  // The summary: a header and one row per scenario, in index order.
  const std::string summary = read_text_file(dir_ / "out" / "summary.csv");
  EXPECT_EQ(std::count(summary.begin(), summary.end(), '\n'), 5);
  EXPECT_THAT(summary, HasSubstr("\n0,0000-shock_scale=0.5_beta=0.99,,0.5,all,all,0.99,"));
  EXPECT_THAT(read_text_file(dir_ / "out" / "sweep.json"),
              AllOf(HasSubstr("\"points\": 4"), HasSubstr("\"converged\": true")));
}

TEST_F(SweepFiles, ShardsCollectIntoTheWholeSweepsSummary) {
  const Sweep s = read("scenario = \"scenario.toml\"\n[grid]\nshock_scale = [0.5, 1, 2]\n");
  const SweepRun whole = run_sweep(s, dir_ / "whole", {});
  SweepOptions options;
  options.shard = {1, 2};
  run_sweep(s, dir_ / "sharded", options);
  EXPECT_THAT(message_of([&] { collect_sweep(s, dir_ / "sharded"); }),
              AllOf(HasSubstr("shards 0 of 2 are missing")));
  options.shard = {0, 2};
  run_sweep(s, dir_ / "sharded", options);
  const SweepRun joined = collect_sweep(s, dir_ / "sharded");
  ASSERT_EQ(joined.rows.size(), whole.rows.size());
  for (std::size_t k = 0; k < whole.rows.size(); ++k) {
    EXPECT_EQ(joined.rows[k].name, whole.rows[k].name);
    EXPECT_EQ(joined.rows[k].aggregate_welfare, whole.rows[k].aggregate_welfare);
  }
  // The summaries agree but for the timing column.
  const auto without_seconds = [](const std::string& csv) {
    std::string out;
    std::size_t start = 0;
    while (start < csv.size()) {
      const std::size_t end = csv.find('\n', start);
      std::string line = csv.substr(start, end - start);
      std::vector<std::string> cells;
      std::size_t at = 0;
      for (std::size_t comma; (comma = line.find(',', at)) != std::string::npos; at = comma + 1) {
        cells.push_back(line.substr(at, comma - at));
      }
      cells.push_back(line.substr(at));
      cells[16] = "";  // seconds
      for (const std::string& c : cells) out += c + ",";
      out += "\n";
      start = end + 1;
    }
    return out;
  };
  EXPECT_EQ(without_seconds(read_text_file(dir_ / "sharded" / "summary.csv")),
            without_seconds(read_text_file(dir_ / "whole" / "summary.csv")));
}

TEST_F(SweepFiles, ADirectoryOfOtherWorkIsRefusedAndARerunReplacesScenarios) {
  const Sweep s = read("scenario = \"scenario.toml\"\n[grid]\nshock_scale = [0.5]\n");
  fs::create_directories(dir_ / "busy");
  write("busy/notes.txt", "mine\n");
  EXPECT_THAT(message_of([&] { run_sweep(s, dir_ / "busy", {}); }),
              AllOf(HasSubstr("busy"), HasSubstr("holds notes.txt"), HasSubstr("no sweep writes")));
  run_sweep(s, dir_ / "out", {});
  run_sweep(s, dir_ / "out", {});  // an earlier sweep's directory is fine
  EXPECT_TRUE(fs::exists(dir_ / "out" / "scenarios" / s.points[0].name / "report.json"));
}

TEST(SweepPathBytes, RoundTripIsBitForBitAndTruncationIsRefused) {
  PathSolution p;
  p.Y = testing::random_matrix(5, 3, -1, 1, 1);
  p.L = testing::random_matrix(5, 3, 0, 1, 2);
  p.real_wage = testing::random_matrix(5, 3, 0, 1, 3);
  p.stay = testing::random_matrix(5, 3, 0, 1, 4);
  p.omega = testing::random_matrix(5, 4, 0, 1, 5);
  p.price_index = testing::random_matrix(5, 2, 0, 1, 6);
  p.report.converged = true;
  p.report.iterations = 7;
  p.report.residual_history = {1e-1, 1e-3, 1e-9};
  p.te_iterations = 123456789012;
  p.host_transfers.largest = 328;
  const std::string bytes = sweep::path_to_bytes(p);
  const PathSolution q = sweep::path_from_bytes(bytes);
  expect_same_bits(q.Y, p.Y, "Y");
  expect_same_bits(q.omega, p.omega, "omega");
  expect_same_bits(q.price_index, p.price_index, "price_index");
  EXPECT_EQ(q.Y_relative.rows, 0u);
  EXPECT_EQ(q.report.residual_history, p.report.residual_history);
  EXPECT_EQ(q.te_iterations, p.te_iterations);
  EXPECT_EQ(q.host_transfers.largest, 328);
  EXPECT_TRUE(q.report.converged);
  const auto error_of = [](const std::string& b) {
    try {
      sweep::path_from_bytes(b);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_THAT(error_of(bytes.substr(0, bytes.size() - 1)), HasSubstr("truncated"));
  EXPECT_THAT(error_of(bytes.substr(0, 3)), HasSubstr("truncated"));
  EXPECT_THAT(error_of(bytes + "x"), HasSubstr("more than was written"));
}

}  // namespace
}  // namespace dynhat
