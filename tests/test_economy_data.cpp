// The economy-data layer: the CDP year-2000 tables load into the dimensions and totals the data
// README documents, E30-E36 match a hand-computed tiny economy, and every broken rule is reported
// with the file, the entry and the rule.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "dynhat/economy.hpp"
#include "dynhat/error.hpp"
#include "dynhat/static_equilibrium.hpp"
#include "economy/long_table.hpp"
#include "support/data_requirement.hpp"
#include "support/fixtures.hpp"
#include "support/tiny_economy.hpp"

namespace dynhat {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The number after the last comma of the first line of `path` that starts with `prefix`: an
/// independent reading of the raw table, to recompute derived values from.
double raw_value(const fs::path& path, const std::string& prefix) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return std::stod(line.substr(line.rfind(',') + 1));
  }
  ADD_FAILURE() << "no line starting with " << prefix << " in " << path;
  return std::nan("");
}

double sum(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0);
}

// ---------------------------------------------------------------------------------------------
// The CDP year-2000 tables.

void require_cdp_tables_in(const char* dir) {
  DYNHAT_SKIP_WITHOUT_CDP_TABLES(fs::path(dir));
}

TEST(CdpTablesRequirement, MissingTablesAreNamedAndRequireDataMakesThemAFailure) {
  EXPECT_NE(testing::cdp_tables_missing("/nonexistent").find("bilateral_trade.csv"),
            std::string::npos);
  const fs::path tiny = fs::temp_directory_path() / "dynhat-CdpTablesRequirement";
  testing::write_tiny_economy(tiny);  // the six tables, in the CDP format
  EXPECT_EQ(testing::cdp_tables_missing(tiny), "");
  fs::remove_all(tiny);
  const char* old = std::getenv("DYNHAT_REQUIRE_DATA");
  const std::string saved = old == nullptr ? "" : old;
  setenv("DYNHAT_REQUIRE_DATA", "1", 1);
  EXPECT_FATAL_FAILURE(require_cdp_tables_in("/nonexistent"), "DYNHAT_REQUIRE_DATA is set");
  for (const char* off : {"0", ""}) {
    setenv("DYNHAT_REQUIRE_DATA", off, 1);
    EXPECT_FALSE(testing::data_required()) << "DYNHAT_REQUIRE_DATA='" << off << "'";
  }
  if (old == nullptr) {
    unsetenv("DYNHAT_REQUIRE_DATA");
  } else {
    setenv("DYNHAT_REQUIRE_DATA", saved.c_str(), 1);
  }
}

class CdpTables : public ::testing::Test {
 protected:
  static fs::path dir() { return DYNHAT_SHARED_DATA; }
  void SetUp() override { DYNHAT_SKIP_WITHOUT_CDP_TABLES(dir()); }
  /// Loaded once for the suite (R = 50 US states).
  static const Economy& cdp() {
    static const Economy economy = load_economy(dir(), 50);
    return economy;
  }
};

TEST_F(CdpTables, DimensionsNamesAndTheta) {
  const Economy& e = cdp();
  EXPECT_EQ(e.sectors, 22u);
  EXPECT_EQ(e.regions, 87u);
  EXPECT_EQ(e.mobile_regions, 50u);
  ASSERT_EQ(e.sector_names.size(), 22u);
  ASSERT_EQ(e.region_names.size(), 87u);
  EXPECT_EQ(e.sector_names[0], "Food, Beverage, Tobacco");
  EXPECT_EQ(e.region_names[0], "Alabama");
  EXPECT_EQ(e.region_names[45], "Virginia and DC");
  EXPECT_EQ(e.region_names[56], "China");
  EXPECT_EQ(e.region_names[86], "Rest of World");
  EXPECT_DOUBLE_EQ(e.theta[0], 1.0 / 0.3921568627450981);  // the file stores 1/theta
  EXPECT_NEAR(e.theta[0], 2.55, 1e-12);                    // 1/0.39215686... = 2.55 exactly
  EXPECT_EQ(e.gamma.size(), 22u * 87u);
  EXPECT_EQ(e.xi.size(), 87u);
  EXPECT_EQ(e.G.size(), 87u * 22u * 22u);
  EXPECT_EQ(e.trade_flows.size(), 22u * 87u * 87u);
  EXPECT_EQ(e.trade_shares.size(), 22u * 87u * 87u);
  EXPECT_EQ(e.alpha.size(), 22u);
  EXPECT_EQ(e.iota.size(), 87u);
}

TEST_F(CdpTables, ReferenceStateIdentities) {
  const Economy& e = cdp();
  const std::size_t J = e.sectors, N = e.regions;
  const double world_output = sum(e.gross_output);
  // The data README: sum alpha = 1 +- 4e-9 (IO columns are written with 7 digits); the loader
  // rescales alpha to sum to 1 so that Walras' law holds.
  EXPECT_NEAR(sum(e.alpha), 1.0, 1e-14);
  for (std::size_t n = 0; n < N; ++n) EXPECT_GT(e.iota[n], 0.0) << e.region_names[n];
  // sum iota = 1 - sum Bn / chi: only the rounding of ~2000 sums of O(1e5) values remains.
  EXPECT_NEAR(sum(e.iota), 1.0, 1e-12);
  // X0 and Y0 sum the same flows in different orders: rounding only, << 1e-9 of world output.
  EXPECT_LE(std::abs(sum(e.balance)), 1e-9 * world_output);
  for (std::size_t n = 0; n < N; ++n) {
    double VAR_n = 0.0;
    for (std::size_t j = 0; j < J; ++j) VAR_n += e.VAR[j * N + n];
    const double surplus = e.balance[n] - VAR_n + e.iota[n] * e.chi;  // E36: S_n = 0
    EXPECT_LE(std::abs(surplus), 1e-9 * e.chi) << e.region_names[n];
  }
  for (std::size_t jn = 0; jn < J * N; ++jn) {  // no zero absorption in the data: rows sum to 1
    double row = 0.0;
    for (std::size_t i = 0; i < N; ++i) row += e.trade_shares[jn * N + i];
    EXPECT_NEAR(row, 1.0, 1e-13) << "sector " << jn / N << " destination " << jn % N;  // 87 terms
  }
}

TEST_F(CdpTables, ValueAddedTotalsMatchTheReadme) {
  const Economy& e = cdp();
  const std::size_t J = e.sectors, N = e.regions;
  double us_VAL = 0.0;
  for (std::size_t j = 0; j < J; ++j) {
    for (std::size_t n = 0; n < 50; ++n) us_VAL += e.VAL[j * N + n];
  }
  const double world_VA = sum(e.VAL) + sum(e.VAR);
  EXPECT_NEAR(us_VAL, 5.114e6, 5.114e6 * 1e-3);  // README figures have 4 digits
  EXPECT_NEAR(world_VA, 2.576e7, 2.576e7 * 1e-3);
}

TEST_F(CdpTables, GRecomputedFromTheRawTables) {
  const Economy& e = cdp();
  const std::size_t J = e.sectors;
  // A state uses the "United States" block: Alabama (n = 0), s = Food (0), k = Textile (1).
  ASSERT_EQ(e.sector_names[1], "Textile, Apparel, Leather");
  const double io_us =
      raw_value(dir() / "io_coefficients.csv",
                R"(United States,"Food, Beverage, Tobacco","Textile, Apparel, Leather",)");
  const double gamma_al =
      raw_value(dir() / "value_added_share.csv", R"("Textile, Apparel, Leather",Alabama,)");
  // IO columns are rescaled to sum to exactly 1; the tables' sums are 1 +- 5e-7.
  EXPECT_NEAR(e.G[(0 * J + 0) * J + 1], (1.0 - gamma_al) * io_us, 1e-6 * io_us);
  // A country uses its own block: China (n = 56), s = Chemical (4), k = Machinery (8).
  ASSERT_EQ(e.sector_names[4], "Chemical");
  ASSERT_EQ(e.sector_names[8], "Machinery");
  const double io_cn = raw_value(dir() / "io_coefficients.csv", "China,Chemical,Machinery,");
  const double gamma_cn = raw_value(dir() / "value_added_share.csv", "Machinery,China,");
  EXPECT_NEAR(e.G[(56 * J + 4) * J + 8], (1.0 - gamma_cn) * io_cn, 1e-6 * io_cn);
  // Every column of G sums to 1 - gamma exactly (up to the rounding of J terms), and the
  // final-demand shares to 1: Walras' law holds in the model economy.
  for (std::size_t n = 0; n < e.regions; ++n) {
    for (std::size_t k = 0; k < J; ++k) {
      double column = 0.0;
      for (std::size_t s = 0; s < J; ++s) column += e.G[(n * J + s) * J + k];
      ASSERT_NEAR(column, 1.0 - e.gamma[k * e.regions + n], 8 * J * 1.1e-16);
    }
  }
  EXPECT_NEAR(sum(e.alpha), 1.0, 4 * J * 1.1e-16);
  EXPECT_NE(io_us, raw_value(dir() / "io_coefficients.csv",
                             "China,\"Food, Beverage, Tobacco\","
                             "\"Textile, Apparel, Leather\","));
}

TEST_F(CdpTables, FewerMobileRegionsShareTheFirstBlock) {
  const Economy e = load_economy(dir(), 3);
  EXPECT_EQ(e.mobile_regions, 3u);
  // States 3..49 have no block of their own and keep the US block: the same economy otherwise.
  EXPECT_EQ(e.G, cdp().G);
  EXPECT_EQ(e.alpha, cdp().alpha);
  EXPECT_EQ(e.iota, cdp().iota);
  EXPECT_THROW(load_economy(dir(), 88), DimensionMismatch);  // R > N
  try {
    load_economy(dir(), 51);  // Australia would be mobile yet have its own block
    ADD_FAILURE() << "R = 51 did not throw";
  } catch (const InvalidInput& error) {
    EXPECT_NE(std::string(error.what())
                  .find("io_coefficients.csv: 37 country blocks follow the "
                        "first, must be at most the 36 non-mobile regions"),
              std::string::npos)
        << error.what();
  }
}

// ---------------------------------------------------------------------------------------------
// A tiny hand-written economy: sectors G ("Goods, Wares", quoted) and S, regions A, B (mobile)
// and C (a country); IO blocks "United States" (A, B) and C.

class TinyTables : public testing::ScratchDirectoryTest {
 protected:
  void SetUp() override {
    ScratchDirectoryTest::SetUp();
    testing::write_tiny_economy(dir_);  // structures_share.csv has CRLF line ends
  }
  /// Replaces the one occurrence of `from` in file `name` by `to`.
  void edit(const std::string& name, const std::string& from, const std::string& to) {
    std::string text = read_text(dir_ / name);
    const std::size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from << " not in " << name;
    text.replace(at, from.size(), to);
    write(name, text);
  }
  /// The message of the InvalidInput that loading the tables throws.
  std::string error_of(std::size_t mobile_regions = 2) {
    return testing::message_of([&] { load_economy(dir_, mobile_regions); });
  }
};

/// `message` holds `fragment` (the file and entry, or the rule).
#define EXPECT_HAS(message, fragment) \
  EXPECT_NE((message).find(fragment), std::string::npos) << "message: " << (message)

// Both kinds of shock table go through one reader (src/economy/shock_records.cpp): the same
// placement rule for sector-region and bilateral factors, the same messages for the same error.
TEST_F(TinyTables, ShockTablesOfBothKindsShareOneReader) {
  const Economy e = load_economy(dir_, 2);  // sectors "Goods, Wares", Services; regions A, B, C
  const std::vector<double> a =
      read_sector_region_shock(write("a.csv", "sector,region,value\nServices,C,1.1\n"), e);
  std::vector<double> expected(2 * 3, 1.0);
  expected[1 * 3 + 2] = 1.1;  // [j][n] at j = Services, n = C
  EXPECT_EQ(a, expected);
  const std::vector<double> kappa = read_bilateral_shock(
      write("k.csv", "sector,destination,source,value\n\"Goods, Wares\",A,C,1.2\n"), e);
  expected.assign(2 * 3 * 3, 1.0);
  expected[(0 * 3 + 0) * 3 + 2] = 1.2;  // [j][n][i] at j = Goods, destination A, source C
  EXPECT_EQ(kappa, expected);

  const auto error = [&](const std::string& text) {
    return testing::message_of([&] { read_sector_region_shock(write("bad.csv", text), e); });
  };
  const std::string unknown = error("sector,region,value\nServices,Cc,1.1\n");
  EXPECT_HAS(unknown, "bad.csv line 2");
  EXPECT_HAS(unknown, "region 'Cc' is not a region of the tables (3 regions; closest \"C\")");
  EXPECT_HAS(error("sector,region,value\nServices,C,1.1\nServices,C,1.2\n"),
             "line 3 (sector 'Services', region 'C'): entry listed twice");
  EXPECT_HAS(error("sector,region,value\nServices,C,0\n"), "value 0 must be > 0 and finite");
  const std::string bilateral = testing::message_of([&] {
    read_bilateral_shock(write("bad.csv", "sector,destination,source,value\nServices,A,X,2\n"), e);
  });
  EXPECT_HAS(bilateral, "source 'X' is not a region of the tables");
}

TEST_F(TinyTables, HandComputedReferenceState) {
  const Economy e = load_economy(dir_, 2);
  ASSERT_EQ(e.sectors, 2u);
  ASSERT_EQ(e.regions, 3u);
  EXPECT_EQ(e.sector_names, (std::vector<std::string>{"Goods, Wares", "Services"}));
  EXPECT_EQ(e.region_names, (std::vector<std::string>{"A", "B", "C"}));
  // Every expected value below is a few roundings of O(10) numbers away from the exact one.
  const double tol = 1e-14;
  const auto expect_all_near = [tol](const std::vector<double>& got,
                                     const std::vector<double>& want, const char* what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << what << i;
  };
  expect_all_near(e.theta, {4.0, 2.0}, "theta");  // 1/0.25, 1/0.5
  // E30: X0 = row sums, G: A 6+2+2, B 1+4+0, C 3+1+16; S: A 8, B 6+2, C 2+10.
  expect_all_near(e.absorption, {10, 5, 20, 8, 8, 12}, "X0");
  // E30: Y0 = sales, G: A 6+1+3, B 2+4+1, C 2+0+16; S: A 8+0+2, B 0+6+0, C 0+2+10.
  expect_all_near(e.gross_output, {10, 7, 18, 10, 6, 12}, "Y0");
  // E31: flows over X0; the zero flows keep zero shares.
  expect_all_near(e.trade_shares,
                  {0.6, 0.2, 0.2, 0.2, 0.8, 0, 0.15, 0.05, 0.8,  //
                   1, 0, 0, 0, 0.75, 0.25, 2.0 / 12, 0, 10.0 / 12},
                  "Din");
  // E32 with 1 - gamma = (0.5, 0.6, 0.4) for G and (0, 0.5, 0.75) for S; A, B use the US block
  // [[0.5, 0.2], [0.5, 0.8]], C its own [[1, 0.25], [0, 0.75]] (rows s, columns k):
  // A: [[0.5*0.5, 0*0.2], [0.5*0.5, 0*0.8]]; B: [[0.6*0.5, 0.5*0.2], [0.6*0.5, 0.5*0.8]];
  // C: [[0.4*1, 0.75*0.25], [0.4*0, 0.75*0.75]].
  expect_all_near(e.G, {0.25, 0, 0.25, 0, 0.3, 0.1, 0.3, 0.4, 0.4, 0.1875, 0, 0.5625}, "G");
  // E33: gamma*Y0 = G: (5, 2.8, 10.8), S: (10, 3, 3); VAL = (1-xi) of it, VAR = xi of it with
  // xi = (0.5, 0.25, 0.4).
  expect_all_near(e.VAL, {2.5, 2.1, 6.48, 5, 2.25, 1.8}, "VAL");
  expect_all_near(e.VAR, {2.5, 0.7, 4.32, 5, 0.75, 1.2}, "VAR");
  // E34: Bn = sum_j (Y0 - X0): A (0 + 2), B (2 - 2), C (-2 + 0).
  expect_all_near(e.balance, {2, 0, -2}, "Bn");
  // E36: VAR_n = (7.5, 1.45, 5.52), chi = 14.47, iota = (VAR_n - Bn) / chi.
  EXPECT_NEAR(e.chi, 14.47, tol);
  expect_all_near(e.iota, {5.5 / 14.47, 1.45 / 14.47, 7.52 / 14.47}, "iota");
  // E35: numerators sum_n (X0 - sum_k G[n][j][k] Y0[k][n]):
  //   G: A 10 - 0.25*10 = 7.5; B 5 - (0.3*7 + 0.1*6) = 2.3; C 20 - (0.4*18 + 0.1875*12) = 10.55
  //   S: A 8 - 0.25*10 = 5.5;  B 8 - (0.3*7 + 0.4*6) = 3.5; C 12 - 0.5625*12 = 5.25
  // denominator sum_n (VAL_n + VAR_n - Bn) = (15 - 2) + (5.8 - 0) + (13.8 + 2) = 34.6.
  expect_all_near(e.alpha, {20.35 / 34.6, 14.25 / 34.6}, "alpha");
}

TEST_F(TinyTables, ZeroAbsorptionKeepsZeroSharesAndSizesAreChecked) {
  Economy e = load_economy(dir_, 2);
  const std::vector<double> io = {0.5, 0.2, 0.5, 0.8, 1, 0.25, 0, 0.75};  // [B][J][J]
  const std::vector<std::size_t> io_block = {0, 0, 1};
  for (std::size_t i = 0; i < 3; ++i) e.trade_flows[(1 * 3 + 1) * 3 + i] = 0.0;  // S into B
  derive_reference_state(e, io, io_block);
  EXPECT_EQ(e.absorption[1 * 3 + 1], 0.0);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(e.trade_shares[(1 * 3 + 1) * 3 + i], 0.0);
  EXPECT_THROW(derive_reference_state(e, {0.5, 0.2, 0.5}, io_block), DimensionMismatch);
  EXPECT_THROW(derive_reference_state(e, io, {0, 0, 2}), DimensionMismatch);
  e.xi.pop_back();
  EXPECT_THROW(derive_reference_state(e, io, io_block), DimensionMismatch);
}

TEST_F(TinyTables, MissingTradeRow) {
  edit("bilateral_trade.csv", "Services,B,C,2\n", "");
  const std::string m = error_of();
  EXPECT_HAS(m,
             "bilateral_trade.csv: no entry for (sector 'Services', destination 'B', "
             "source 'C')");
  EXPECT_HAS(m, "each (sector, destination, source) must appear exactly once");
}

TEST_F(TinyTables, DuplicatedRow) {
  edit("bilateral_trade.csv", "Services,C,C,10\n", "Services,C,C,10\n\"Goods, Wares\",A,B,2\n");
  const std::string m = error_of();
  EXPECT_HAS(m,
             "bilateral_trade.csv line 20 (sector 'Goods, Wares', destination 'A', "
             "source 'B'): duplicate entry, first at line 3");
  EXPECT_HAS(m, "must appear exactly once");
}

TEST_F(TinyTables, NegativeFlow) {
  edit("bilateral_trade.csv", "Services,B,C,2\n", "Services,B,C,-2\n");
  EXPECT_HAS(error_of(),
             "bilateral_trade.csv line 16 (sector 'Services', destination 'B', "
             "source 'C'): flow = -2, must be >= 0");
}

TEST_F(TinyTables, GammaZero) {
  edit("value_added_share.csv", "\"Goods, Wares\",B,0.4", "\"Goods, Wares\",B,0");
  EXPECT_HAS(error_of(),
             "value_added_share.csv line 3 (sector 'Goods, Wares', region 'B'): "
             "gamma = 0, must be in [0.001, 1]");
}

TEST_F(TinyTables, GammaImplausiblySmall) {
  edit("value_added_share.csv", "\"Goods, Wares\",B,0.4", "\"Goods, Wares\",B,1e-300");
  EXPECT_HAS(error_of(),
             "value_added_share.csv line 3 (sector 'Goods, Wares', region 'B'): "
             "gamma = 1e-300, must be in [0.001, 1]");
}

TEST_F(TinyTables, XiOne) {
  edit("structures_share.csv", "C,0.4", "C,1");
  EXPECT_HAS(error_of(), "structures_share.csv line 4 (region 'C'): xi = 1, must be in [0, 0.99]");
}

TEST_F(TinyTables, XiImplausiblyNearOne) {
  edit("structures_share.csv", "C,0.4", "C,0.999999");
  EXPECT_HAS(error_of(),
             "structures_share.csv line 4 (region 'C'): xi = 0.999999, must be in [0, 0.99]");
}

TEST_F(TinyTables, InverseThetaZero) {
  edit("sectoral_dispersion.csv", "Services,0.5", "Services,0");
  EXPECT_HAS(error_of(),
             "sectoral_dispersion.csv line 3 (sector 'Services'): 1/theta = 0, must be in "
             "[0.005, 10] (theta from 0.1 to 200)");
}

TEST_F(TinyTables, InverseThetaHuge) {  // passed as "> 0" and ended in NaN outputs
  edit("sectoral_dispersion.csv", "Services,0.5", "Services,1e300");
  EXPECT_HAS(error_of(),
             "sectoral_dispersion.csv line 3 (sector 'Services'): 1/theta = 1e+300, must be in "
             "[0.005, 10]");
}

TEST_F(TinyTables, TablePathIsADirectory) {  // was "basic_string::_M_create"
  std::filesystem::remove(dir_ / "gross_output.csv");
  std::filesystem::create_directory(dir_ / "gross_output.csv");
  EXPECT_HAS(error_of(), "gross_output.csv: is a directory, must be a file");
}

TEST_F(TinyTables, IoColumnSummingToPointNine) {
  edit("io_coefficients.csv", "C,\"Goods, Wares\",\"Goods, Wares\",1\n",
       "C,\"Goods, Wares\",\"Goods, Wares\",0.9\n");
  EXPECT_HAS(error_of(),
             "io_coefficients.csv column (country 'C', dest_sector 'Goods, Wares') "
             "starting line 6: sums to 0.9 over source_sector, must be 1 +- 1e-06");
}

TEST_F(TinyTables, UnknownRegionLabel) {
  edit("bilateral_trade.csv", "Services,B,C,2\n", "Services,B,D,2\n");
  const std::string m = error_of();
  EXPECT_HAS(m, "bilateral_trade.csv line 16: source 'D' is not a region of");
  EXPECT_HAS(m, "value_added_share.csv (3 regions; closest");
  EXPECT_HAS(m, "value_added_share.csv");
}

TEST_F(TinyTables, BadHeader) {
  edit("bilateral_trade.csv", "sector,destination,", "sector,dest,");
  EXPECT_HAS(error_of(),
             "bilateral_trade.csv line 1: the header is 'sector,dest,source,value', "
             "must be 'sector,destination,source,value'");
}

TEST_F(TinyTables, NotANumberAndNotFinite) {
  edit("gross_output.csv", "Services,B,6", "Services,B,six");
  EXPECT_HAS(error_of(), "gross_output.csv line 6: value 'six' is not a number");
  edit("gross_output.csv", "Services,B,six", "Services,B,nan");
  EXPECT_HAS(error_of(), "gross_output.csv line 6: value 'nan' is not finite");
}

TEST_F(TinyTables, GrossOutputMustMatchTheFlows) {
  edit("gross_output.csv", "Services,B,6", "Services,B,6.1");
  EXPECT_HAS(error_of(),
             "gross_output.csv line 6 (sector 'Services', region 'B'): gross output "
             "= 6.1, must equal 6, the sum over destinations in");
}

TEST_F(TinyTables, CountryBlocksMustBeTheLastRegions) {
  for (int row = 0; row < 4; ++row) edit("io_coefficients.csv", "\nC,", "\nZ,");
  EXPECT_HAS(error_of(),
             "io_coefficients.csv line 6: country block 1 is 'Z', must be 'C': the "
             "blocks after the first must be the last 1 regions");
  SetUp();
  for (int row = 0; row < 4; ++row) edit("io_coefficients.csv", "United States,", "C,");
  EXPECT_HAS(error_of(),
             "io_coefficients.csv line 2: the first country block 'C' is the "
             "non-mobile region 2");
  SetUp();  // R = 3 makes C mobile, but it has a block of its own
  EXPECT_HAS(error_of(3),
             "io_coefficients.csv: 1 country blocks follow the first, must be at "
             "most the 0 non-mobile regions");
  EXPECT_THROW(load_economy(dir_, 4), DimensionMismatch);  // R > N
}

// ---------------------------------------------------------------------------------------------
// The RFC 4180 reader itself.

TEST_F(TinyTables, ReaderHandlesQuotesBomCrlfAndTrailingBlankLines) {
  write("t.csv",
        "\xEF\xBB\xBF"
        "name,value\r\n"
        "\"say \"\"hi\"\", twice\", 1.5 \r\n"
        "\"two\nlines\",2e-3\r\n"
        "plain,-0\r\n"
        "\r\n\n");
  const LongTable t = read_long_table(dir_ / "t.csv", {"name", "value"});
  ASSERT_EQ(t.records(), 3u);
  EXPECT_EQ(t.label(0, 0), "say \"hi\", twice");
  EXPECT_EQ(t.label(0, 1), "two\nlines");
  EXPECT_EQ(t.label(0, 2), "plain");
  EXPECT_EQ(t.values, (std::vector<double>{1.5, 2e-3, -0.0}));
  EXPECT_EQ(t.lines, (std::vector<std::size_t>{2, 3, 5}));  // the quoted line break counts
}

TEST_F(TinyTables, ReaderErrorsNameFileLineAndRule) {
  const auto error = [this](const std::string& text) -> std::string {
    write("t.csv", text);
    return testing::message_of([&] { read_long_table(dir_ / "t.csv", {"name", "value"}); });
  };
  EXPECT_HAS(error(""), "t.csv: the file is empty, must start with the header 'name,value'");
  EXPECT_HAS(error("name,value\n"), "t.csv: no records after the header");
  EXPECT_HAS(error("name,value\na,1\n\nb,2\n"), "t.csv line 3: blank line inside the table");
  EXPECT_HAS(error("name,value\na,1,2\n"), "t.csv line 2: 3 fields, must be 2");
  EXPECT_HAS(error("name,value\n\"a,1\n"), "t.csv line 2: the quoted field 1 has no closing");
  EXPECT_HAS(error("name,value\n\"a\"x,1\n"), "t.csv line 2: text after the closing quote");
  EXPECT_HAS(error("name,value\na\"b,1\n"), "t.csv line 2: a quote inside the unquoted field 1");
  EXPECT_HAS(error("name,value\na,1e999\n"), "t.csv line 2: value '1e999' is not finite");
  EXPECT_HAS(error("name,value\na,\n"), "t.csv line 2: value '' is not a number");
  EXPECT_HAS(error("name,value\na,1x\n"), "t.csv line 2: value '1x' is not a number");
}

}  // namespace
}  // namespace dynhat
