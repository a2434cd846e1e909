// The replication kit's Base_Year layout: the same data in the kit's .txt matrices and in the long
// tables load into identical economies (every field, bit for bit: the same numbers go through the
// same derivation, so any difference is a misplaced entry); broken kit files are reported with the
// file, the line and column and the rule; a scenario names or detects the layout.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "dynhat/economy.hpp"
#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "dynhat/scenario.hpp"
#include "support/data_requirement.hpp"
#include "support/fixtures.hpp"
#include "support/kit_layout.hpp"
#include "support/tiny_economy.hpp"

namespace dynhat {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

/// Every field of two economies equal; exact, since both loaders hand the same doubles to the one
/// derive_reference_state (a transposed or shifted table changes some entry).
void expect_identical(const Economy& kit, const Economy& csv) {
  EXPECT_EQ(kit.sectors, csv.sectors);
  EXPECT_EQ(kit.regions, csv.regions);
  EXPECT_EQ(kit.mobile_regions, csv.mobile_regions);
  EXPECT_EQ(kit.sector_names, csv.sector_names);
  EXPECT_EQ(kit.region_names, csv.region_names);
  EXPECT_EQ(kit.theta, csv.theta);
  EXPECT_EQ(kit.gamma, csv.gamma);
  EXPECT_EQ(kit.xi, csv.xi);
  EXPECT_EQ(kit.G, csv.G);
  EXPECT_EQ(kit.alpha, csv.alpha);
  EXPECT_EQ(kit.iota, csv.iota);
  EXPECT_EQ(kit.chi, csv.chi);
  EXPECT_EQ(kit.trade_flows, csv.trade_flows);
  EXPECT_EQ(kit.trade_shares, csv.trade_shares);
  EXPECT_EQ(kit.absorption, csv.absorption);
  EXPECT_EQ(kit.gross_output, csv.gross_output);
  EXPECT_EQ(kit.VAL, csv.VAL);
  EXPECT_EQ(kit.VAR, csv.VAR);
  EXPECT_EQ(kit.balance, csv.balance);
}

TEST(KitTables, CdpTablesLoadIdenticallyInBothLayouts) {
  const fs::path data = DYNHAT_SHARED_DATA;
  DYNHAT_SKIP_WITHOUT_CDP_TABLES(data);
  const fs::path kit = fs::temp_directory_path() / "dynhat-KitTables-cdp" / "Base_Year";
  fs::remove_all(kit.parent_path());
  const KitLabels labels = testing::write_kit_layout(data, kit);
  ASSERT_EQ(labels.theta.size(), 22u);
  EXPECT_EQ(detect_table_layout(kit), TableLayout::kit);
  EXPECT_EQ(detect_table_layout(data), TableLayout::dynhat);
  const Economy from_kit = load_kit_economy(kit, 50, labels);
  const Economy from_csv = load_economy(data, 50);
  expect_identical(from_kit, from_csv);
  // The kit's own θ (MODEL.md §7, Base_year.m) are what the long table's 1/θ invert to, within
  // the 1e-12 relative rounding of 1/(1/θ) written with 17 digits.
  EXPECT_NEAR(from_kit.theta[0], 2.55, 2.55 * 1e-12);
  EXPECT_NEAR(from_kit.theta[3], 51.08, 51.08 * 1e-12);
  EXPECT_NEAR(from_kit.theta[21], 4.55, 4.55 * 1e-12);
  fs::remove_all(kit.parent_path());
}

class KitTinyTables : public testing::ScratchDirectoryTest {
 protected:
  void SetUp() override {
    ScratchDirectoryTest::SetUp();
    kit_ = dir_ / "kit";
    testing::write_tiny_economy(dir_ / "long");
    labels_ = testing::write_kit_layout(dir_ / "long", kit_);
  }
  /// Replaces line `line` (1-based) of kit file `name` by `text`, or appends when past the end.
  void set_line(const std::string& name, std::size_t line, const std::string& text) {
    std::ifstream in(kit_ / name);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    if (line > lines.size()) lines.resize(line);
    lines[line - 1] = text;
    std::ofstream out(kit_ / name);
    for (const std::string& l : lines) out << l << '\n';
  }
  std::string load_error() {
    return testing::message_of([&] { load_kit_economy(kit_, 2, labels_); });
  }
  fs::path kit_;
  KitLabels labels_;
};

TEST_F(KitTinyTables, LoadsIdenticallyToTheLongTables) {
  expect_identical(load_kit_economy(kit_, 2, labels_), load_economy(dir_ / "long", 2));
}

TEST_F(KitTinyTables, LabelsDefaultToIndices) {
  const Economy e = load_kit_economy(kit_, 2, {labels_.theta, {}, {}});
  EXPECT_EQ(e.sector_names, (std::vector<std::string>{"sector 0", "sector 1"}));
  EXPECT_EQ(e.region_names, (std::vector<std::string>{"region 0", "region 1", "region 2"}));
}

TEST_F(KitTinyTables, StructuresSharesPerSectorMustAgree) {
  // B.txt as states x J, each column the same share: accepted, the same economy.
  std::ifstream in(kit_ / "B.txt");
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  in.close();
  for (std::size_t k = 0; k < lines.size(); ++k) set_line("B.txt", k + 1, lines[k] + lines[k]);
  expect_identical(load_kit_economy(kit_, 2, labels_), load_economy(dir_ / "long", 2));
  set_line("B.txt", 2, lines[1] + " 0.5");
  EXPECT_THAT(load_error(), HasSubstr("B.txt line 2 column 2: xi = 0.5, must equal column 1's"));
}

TEST_F(KitTinyTables, WrongShapesNameTheFileAndTheShape) {
  set_line("xbilat.txt", 7, "1 2 3");  // one row too many: J*N = 6
  EXPECT_THAT(load_error(), HasSubstr("xbilat.txt: 7 rows x 3 columns, must be (J*N) x N"));
  KitTinyTables::SetUp();
  set_line("gamma.txt", 2, "0.5");  // ragged
  EXPECT_THAT(load_error(), HasSubstr("gamma.txt line 2 has 1 columns, line 1 has 2"));
  KitTinyTables::SetUp();
  set_line("B_row.txt", 2, "0.4");  // 2 + 2 regions, gamma.txt has 3
  EXPECT_THAT(load_error(), HasSubstr("B.txt and"));
  EXPECT_THAT(load_error(), HasSubstr("2 + 2 regions, must be the 3 regions of"));
  KitTinyTables::SetUp();
  set_line("GO.txt", 1, "1 2 3");
  EXPECT_THAT(load_error(), HasSubstr("GO.txt line 2 has 2 columns, line 1 has 3"));
  KitTinyTables::SetUp();
  labels_.theta.pop_back();
  EXPECT_THAT(load_error(), HasSubstr("theta: 1 values, must be 2, one per sector of"));
  KitTinyTables::SetUp();
  labels_.region_names.pop_back();
  EXPECT_THAT(load_error(), HasSubstr("region names: 2 given, must be 3"));
}

TEST_F(KitTinyTables, BadValuesNameTheEntryAndTheRule) {
  set_line("IO_tables.txt", 3, "0.5 abc");
  EXPECT_THAT(load_error(), HasSubstr("IO_tables.txt line 3 column 2: 'abc' is not a number"));
  KitTinyTables::SetUp();
  set_line("xbilat.txt", 2, "1 -1 3");
  EXPECT_THAT(load_error(), HasSubstr("xbilat.txt line 2 column 2: flow = -1, must be >= 0"));
  KitTinyTables::SetUp();
  set_line("gamma.txt", 3, "0.5 1.5");
  EXPECT_THAT(load_error(),
              HasSubstr("gamma.txt line 3 column 2: gamma = 1.5, must be in [0.001, 1]"));
  KitTinyTables::SetUp();
  set_line("IO_tables.txt", 1, "0.6 0.2");  // block 0's first column sums to 1.1
  EXPECT_THAT(load_error(), HasSubstr("IO_tables.txt block 0 (lines 1-2) column 1: sums to 1.1"));
  KitTinyTables::SetUp();
  set_line("GO.txt", 1, "1 1");  // no longer the sales of the flows
  EXPECT_THAT(load_error(), HasSubstr("GO.txt line 1 column 1: gross output = 1, must equal"));
  KitTinyTables::SetUp();
  labels_.theta[1] = 500;
  EXPECT_THAT(load_error(), HasSubstr("theta[1] (Services) = 500, must be in [0.1, 200]"));
  KitTinyTables::SetUp();
  labels_.sector_names[1] = labels_.sector_names[0];
  EXPECT_THAT(load_error(), HasSubstr("sector name 1 'Goods, Wares' is given twice"));
  KitTinyTables::SetUp();
  EXPECT_THAT(testing::message_of([&] { load_kit_economy(kit_, 3, labels_); }),
              HasSubstr("mobile_regions = 3, must be <= the 2 regions of"));
}

TEST_F(KitTinyTables, LongTableLoaderPointsToTheKitLoader) {
  EXPECT_THAT(testing::message_of([&] { load_economy(kit_, 2); }),
              HasSubstr("holds the replication kit's Base_Year layout (xbilat.txt)"));
}

TEST_F(KitTinyTables, LayoutIsDetectedFromTheFiles) {
  EXPECT_THAT(testing::message_of([&] { detect_table_layout(dir_); }),
              HasSubstr("holds neither value_added_share.csv"));
  fs::copy_file(kit_ / "xbilat.txt", dir_ / "long" / "xbilat.txt");
  EXPECT_THAT(testing::message_of([&] { detect_table_layout(dir_ / "long"); }),
              HasSubstr("name one with data.layout"));
}

TEST_F(KitTinyTables, ScenarioReadsTheKitKeys) {
  std::ofstream(kit_ / "sectors.txt") << "Goods, Wares\nServices\n";
  const fs::path path = write("kit.toml", R"(
[data]
tables = "kit"
L0 = "inputs.mat:L0"
mu0 = "inputs.mat:mu0"
mobile_regions = 2
layout = "kit"
theta = [4.0, 8.0]
sector_names = "kit/sectors.txt"
region_names = ["A", "B", "C"]
)");
  const Scenario s = read_scenario(path);
  EXPECT_EQ(s.layout, "kit");
  EXPECT_EQ(s.theta, (std::vector<double>{4.0, 8.0}));
  EXPECT_EQ(s.sector_names_file, dir_ / "kit/sectors.txt");
  EXPECT_EQ(s.region_names, (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_EQ(s.mu0, dir_ / "inputs.mat:mu0");
  EXPECT_EQ(matrix_file_of(s.mu0), dir_ / "inputs.mat");

  const fs::path bad = write("bad.toml", R"(
[data]
tables = "kit"
L0 = "L0.csv"
mu0 = "mu0.csv"
mobile_regions = 2
layout = "matlab"
)");
  EXPECT_THAT(testing::message_of([&] { read_scenario(bad); }),
              HasSubstr("data.layout = \"matlab\" must be one of: dynhat, kit"));
}

TEST(WhitespaceMatrix, ReadsBlankSeparatedRows) {
  const fs::path path = fs::temp_directory_path() / "dynhat-whitespace-matrix.txt";
  std::ofstream(path) << "   1.5e+00\t-2   3\n4 5 6  \r\n\n";
  const Matrix x = read_matrix(path);
  EXPECT_EQ(x.rows, 2u);
  EXPECT_EQ(x.cols, 3u);
  EXPECT_EQ(x.data, (std::vector<double>{1.5, -2, 3, 4, 5, 6}));
  std::ofstream(path) << "1 2,3\n";
  EXPECT_THAT(testing::message_of([&] { read_matrix(path); }),
              HasSubstr("line 1 column 2: '2,3' is not a number"));
  fs::remove(path);
}

}  // namespace
}  // namespace dynhat
