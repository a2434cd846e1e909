// MATLAB .mat files: a matrix written and read back is the same matrix (bit for bit: doubles are
// stored as IEEE-754 binary, in v5 and in v7.3 alike), MATLAB's column-major order becomes
// dynhat's row-major one, and every kind of variable that is not a real dense double matrix is
// refused with the file, the variable and the rule. The bad variables are written by matio
// itself, as MATLAB would write them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <matio.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "dynhat/economy.hpp"
#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "dynhat/scenario.hpp"
#include "support/fixtures.hpp"
#include "support/tiny_economy.hpp"

namespace dynhat {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class MatFiles : public testing::ScratchDirectoryTest {
 protected:
  /// Writes one variable with matio directly (class, type, flags as given).
  fs::path write_raw(const std::string& name, matio_classes class_type, matio_types data_type,
                     std::vector<std::size_t> dims, void* data, int flags = 0) {
    const fs::path path = dir_ / "raw.mat";
    mat_t* mat = Mat_CreateVer(path.c_str(), nullptr, MAT_FT_MAT5);
    EXPECT_NE(mat, nullptr);
    matvar_t* var =
        Mat_VarCreate(name.c_str(), class_type, data_type, static_cast<int>(dims.size()),
                      dims.data(), data, flags | MAT_F_DONT_COPY_DATA);
    EXPECT_NE(var, nullptr);
    EXPECT_EQ(Mat_VarWrite(mat, var, MAT_COMPRESSION_NONE), 0);
    Mat_VarFree(var);
    Mat_Close(mat);
    return path;
  }
  std::string read_error(const fs::path& file, const std::string& variable) {
    return testing::message_of([&] { read_mat_variable(file, variable); });
  }
  /// 3 x 2, column-major: MATLAB's [0.1 -5; 1e-300 pi; 7 0].
  const std::vector<double> column_major_ = {0.1, 1e-300, 7.0, -5.0, M_PI, 0.0};
};

void expect_round_trip(const fs::path& path, const std::vector<double>& column_major) {
  const Matrix x = read_mat_variable(path, "x");
  ASSERT_EQ(x.rows, 3u);
  ASSERT_EQ(x.cols, 2u);
  for (std::size_t r = 0; r < 3; ++r) {
    for (std::size_t c = 0; c < 2; ++c) EXPECT_EQ(x(r, c), column_major[c * 3 + r]);  // exact
  }
}

TEST_F(MatFiles, V5RoundTripIsExactAndRowMajor) {
  ASSERT_TRUE(mat_files_supported());
  const fs::path path = dir_ / "x.mat";
  write_mat_file(path, {{"x", {3, 2}, column_major_}, {"v", {1, 4}, {1, 2, 3, 4}}});
  expect_round_trip(path, column_major_);
  const Matrix via_path = read_matrix(fs::path(path.string() + ":x"));
  EXPECT_EQ(via_path.data, read_mat_variable(path, "x").data);
  EXPECT_EQ(read_vector(fs::path(path.string() + ":v")), (std::vector<double>{1, 2, 3, 4}));
  EXPECT_FALSE(fs::exists(path.string() + ".tmp-" + std::to_string(::getpid())));
}

TEST_F(MatFiles, V73RoundTripIsExact) {
  if (!mat73_supported()) {
    GTEST_SKIP() << "\n*** this matio has no HDF5 support: MATLAB v7.3 files cannot be read or "
                    "written, the v7.3 round trip is skipped ***";
  }
  const fs::path path = dir_ / "x73.mat";
  write_mat_file(path, {{"x", {3, 2}, column_major_}}, MatVersion::v73);
  expect_round_trip(path, column_major_);
}

TEST_F(MatFiles, ThreeDimensionalArraysAreWrittenColumnMajor) {
  // Ldyn-like (2 x 3 x 2): element (a, b, t) at a + 2*(b + 3*t); read back as a matrix it is
  // refused, so check the dimension rule and the writer's shape check at once.
  std::vector<double> data(12);
  for (std::size_t k = 0; k < data.size(); ++k) data[k] = static_cast<double>(k);
  write_mat_file(dir_ / "l.mat", {{"Ldyn", {2, 3, 2}, data}});
  EXPECT_THAT(read_error(dir_ / "l.mat", "Ldyn"),
              HasSubstr("l.mat:Ldyn: is 2x3x2, must have two dimensions (a vector or a matrix)"));
  EXPECT_THROW(write_mat_file(dir_ / "bad.mat", {{"x", {2, 2}, {1, 2, 3}}}), DimensionMismatch);
}

TEST_F(MatFiles, MissingVariableListsThePresentOnes) {
  write_mat_file(dir_ / "x.mat", {{"mu0", {1, 1}, {1}}, {"L0", {1, 1}, {2}}});
  const std::string message = read_error(dir_ / "x.mat", "mu");
  EXPECT_THAT(message, HasSubstr("x.mat:mu: no variable 'mu' in the file (variables: mu0, L0)"));
  EXPECT_THAT(testing::message_of([&] { read_matrix(dir_ / "x.mat"); }),
              HasSubstr("name the variable to read from a .mat file"));
}

TEST_F(MatFiles, NotAMatFileOrMissing) {
  const fs::path text = write("fake.mat", "MATLAB 5.0 MAT-file? no, a text file\n");
  EXPECT_THAT(read_error(text, "x"), HasSubstr("fake.mat: is not a MATLAB .mat file"));
  EXPECT_THAT(read_error(dir_ / "none.mat", "x"), HasSubstr("none.mat: cannot open for reading"));
  EXPECT_THAT(read_error(dir_, "x"), HasSubstr("is a directory, must be a file"));
}

TEST_F(MatFiles, WrongKindsOfVariablesAreRefused) {
  double re[2] = {1, 2}, im[2] = {0, 1};
  mat_complex_split_t complex{re, im};
  EXPECT_THAT(
      read_error(write_raw("z", MAT_C_DOUBLE, MAT_T_DOUBLE, {2, 1}, &complex, MAT_F_COMPLEX), "z"),
      HasSubstr("raw.mat:z: is complex, must be real"));

  std::int32_t ints[2] = {1, 2};
  EXPECT_THAT(read_error(write_raw("i", MAT_C_INT32, MAT_T_INT32, {2, 1}, ints), "i"),
              HasSubstr("raw.mat:i: is of class int32, must be double"));

  char text[3] = {'a', 'b', 'c'};
  EXPECT_THAT(read_error(write_raw("s", MAT_C_CHAR, MAT_T_UINT8, {1, 3}, text), "s"),
              HasSubstr("raw.mat:s: is of class char, must be double"));

  std::uint8_t flags[2] = {1, 0};
  EXPECT_THAT(
      read_error(write_raw("b", MAT_C_UINT8, MAT_T_UINT8, {2, 1}, flags, MAT_F_LOGICAL), "b"),
      HasSubstr("raw.mat:b: is of class logical, must be double"));

  // 2 x 2 sparse [1 0; 0 2]: compressed columns.
  mat_uint32_t ir[2] = {0, 1}, jc[3] = {0, 1, 2};
  double values[2] = {1, 2};
  mat_sparse_t sparse{};
  sparse.nzmax = 2;
  sparse.ir = ir;
  sparse.nir = 2;
  sparse.jc = jc;
  sparse.njc = 3;
  sparse.ndata = 2;
  sparse.data = values;
  EXPECT_THAT(read_error(write_raw("S", MAT_C_SPARSE, MAT_T_DOUBLE, {2, 2}, &sparse), "S"),
              HasSubstr("raw.mat:S: is sparse, must be a dense double matrix"));

  double nan[2] = {1, std::numeric_limits<double>::quiet_NaN()};
  EXPECT_THAT(
      read_error(write_raw("n", MAT_C_DOUBLE, MAT_T_DOUBLE, {2, 1}, nan), "n"),
      HasSubstr("raw.mat:n: element (2, 1) (1-based, as in MATLAB) is nan, must be finite"));

  double empty[1] = {0};
  EXPECT_THAT(read_error(write_raw("e", MAT_C_DOUBLE, MAT_T_DOUBLE, {0, 3}, empty), "e"),
              HasSubstr("raw.mat:e: is empty (0x3), must hold numbers"));
}

// The kit's shock paths as .mat variables: As(j, n, t) and kappa_hat(j*N+n, i, t), (:, :, t) the
// change into slot t; entries of 1 are no change.
TEST_F(MatFiles, ShockPathsFromTheKitsArrays) {
  testing::write_tiny_economy(dir_ / "tables");  // J = 2 (Goods, Services), N = 3 (A, B, C)
  const Economy e = load_economy(dir_ / "tables", 2);
  std::vector<double> as(2 * 3 * 3, 1.0);     // J x N x 3
  as[0 + 2 * (2 + 3 * 1)] = 1.5;              // As(1, 3, 2): sector 0, region C, quarter 2
  std::vector<double> kappa(6 * 3 * 2, 1.0);  // (J*N) x N x 2
  kappa[3 + 6 * (2 + 3 * 0)] = 0.9;           // kappa(4, 3, 1): sector 1, destination A, source C
  std::vector<double> late(2 * 3 * 3, 1.0);
  late[1 + 2 * (0 + 3 * 2)] = 2.0;  // As(2, 1, 3): quarter 3 = T
  write_mat_file(dir_ / "shocks.mat", {{"As", {2, 3, 3}, as},
                                       {"kappa", {6, 3, 2}, kappa},
                                       {"wrong", {3, 3, 2}, std::vector<double>(18, 1.0)},
                                       {"late", {2, 3, 3}, late}});
  const auto scenario = [&](const std::string& productivity, int periods) {
    return read_scenario(write("s.toml",
                               "[data]\ntables = \"tables\"\nL0 = \"L0.csv\"\n"
                               "mu0 = \"mu0.csv\"\nmobile_regions = 2\n[model]\n"
                               "periods = " +
                                   std::to_string(periods) +
                                   "\n[[productivity]]\nfile = \"shocks.mat:" + productivity +
                                   "\"\n[[trade_costs]]\nfile = \"shocks.mat:kappa\"\n"));
  };
  const FundamentalChanges c = resolve_shocks(scenario("As", 20), e);
  ASSERT_EQ(c.productivity.size(), 1u);
  EXPECT_EQ(c.productivity[0].slot, 2u);
  EXPECT_EQ(c.productivity[0].sector, 0u);
  EXPECT_EQ(c.productivity[0].region, 2u);
  EXPECT_EQ(c.productivity[0].factor, 1.5);
  ASSERT_EQ(c.trade_costs.size(), 1u);
  EXPECT_EQ(c.trade_costs[0].slot, 1u);
  EXPECT_EQ(c.trade_costs[0].sector, 1u);
  EXPECT_EQ(c.trade_costs[0].destination, 0u);
  EXPECT_EQ(c.trade_costs[0].source, 2u);
  EXPECT_EQ(c.trade_costs[0].factor, 0.9);

  EXPECT_THAT(testing::message_of([&] { resolve_shocks(scenario("wrong", 20), e); }),
              HasSubstr("productivity[0].file: " + (dir_ / "shocks.mat").string() +
                        ":wrong: is 3x3x2, must be J x N x T' with T' <= T = 20"));
  EXPECT_THAT(testing::message_of([&] { resolve_shocks(scenario("late", 3), e); }),
              HasSubstr(":late: element (2, 1, 3) = 2, a change at quarter 3, must be 1"));
}

}  // namespace
}  // namespace dynhat
