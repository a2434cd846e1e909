// Matrix files: exact round trips, and errors that name the file, the line and the rule.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "support/fixtures.hpp"

namespace dynhat {
namespace {

namespace fs = std::filesystem;

class MatrixFiles : public testing::ScratchDirectoryTest {
 protected:
  /// The message of the InvalidInput that reading `path` throws.
  std::string error_of(const fs::path& path) {
    return testing::message_of([&] { read_matrix(path); });
  }
};

TEST_F(MatrixFiles, CsvAndNpyRoundTripExactly) {
  Matrix x = testing::random_matrix(5, 3, -1e6, 1e6, 1);
  x(0, 0) = 1e-300;
  x(1, 1) = -0.0;
  x(2, 2) = 0.1;
  write_matrix(dir_ / "x.csv", x);
  write_matrix(dir_ / "x.npy", x);
  for (const char* name : {"x.csv", "x.npy"}) {
    const Matrix y = read_matrix(dir_ / name);
    EXPECT_EQ(y.rows, 5u) << name;
    EXPECT_EQ(y.cols, 3u) << name;
    EXPECT_EQ(y.data, x.data) << name;  // shortest round-trip decimal / raw bytes: bit-exact
  }
}

TEST_F(MatrixFiles, NpyHeaderIsPaddedTo64Bytes) {
  write_matrix(dir_ / "x.npy", Matrix(2, 2, 1.0));
  EXPECT_EQ((fs::file_size(dir_ / "x.npy") - 4 * 8) % 64, 0u);  // data starts 64-byte aligned
}

TEST_F(MatrixFiles, CsvToleratesSpacesCrlfAndATrailingNewline) {
  const Matrix x = read_matrix(write("a.csv", "1, 2.5 ,3e-2\r\n4,5,6\r\n\n"));
  EXPECT_EQ(x.data, (std::vector<double>{1, 2.5, 3e-2, 4, 5, 6}));
}

TEST_F(MatrixFiles, ErrorsNameFileLineAndRule) {
  EXPECT_NE(error_of(write("ragged.csv", "1,2,3\n4,5\n")).find("ragged.csv line 2 has 2 columns"),
            std::string::npos);
  EXPECT_NE(error_of(write("word.csv", "1,2\n3,abc\n"))
                .find("word.csv line 2 column 2: 'abc' is not a number"),
            std::string::npos);
  EXPECT_NE(
      error_of(write("nan.csv", "1,nan\n")).find("nan.csv line 1 column 2: nan is not finite"),
      std::string::npos);
  EXPECT_NE(error_of(write("inf.csv", "inf\n")).find("is not finite"), std::string::npos);
  EXPECT_NE(error_of(write("empty.csv", "")).find("holds no numbers"), std::string::npos);
  EXPECT_NE(error_of(write("gap.csv", "1\n\n2\n")).find("gap.csv line 2: empty line"),
            std::string::npos);
  EXPECT_NE(error_of(dir_ / "missing.csv").find("missing.csv: cannot open"), std::string::npos);
  EXPECT_NE(error_of(write("x.dat", "1\n")).find("unknown file format '.dat'"), std::string::npos);
  EXPECT_NE(error_of(write("bad.npy", "not numpy")).find("not a .npy file"), std::string::npos);
}

// Every reader goes through read_text_file: a directory or a missing file is named, not a
// standard-library message.
TEST_F(MatrixFiles, DirectoriesAndMissingFilesAreNamed) {
  std::filesystem::create_directories(dir_ / "tables.csv");
  const std::string directory = error_of(dir_ / "tables.csv");
  EXPECT_NE(directory.find("tables.csv: is a directory, must be a file"), std::string::npos)
      << directory;
  const std::string missing = error_of(dir_ / "missing.csv");
  EXPECT_NE(missing.find("missing.csv: cannot open for reading"), std::string::npos) << missing;
}

TEST_F(MatrixFiles, VectorsAcceptOneRowOrOneColumn) {
  EXPECT_EQ(read_vector(write("row.csv", "1,2,3\n")), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(read_vector(write("col.csv", "1\n2\n3\n")), (std::vector<double>{1, 2, 3}));
  EXPECT_THROW(read_vector(write("m.csv", "1,2\n3,4\n")), DimensionMismatch);
}

/// A .npy file: magic, version 1.0, the header as given (no padding, no newline added), data.
std::string npy_bytes(const std::string& header, std::size_t values) {
  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  bytes.append(values * sizeof(double), '\0');  // zeros: finite
  return bytes;
}

std::string shape_header(const std::string& shape) {
  return "{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }\n";
}

TEST_F(MatrixFiles, NpyReadsTheHeaderNumPyWrites) {
  const Matrix x = read_matrix(write("ok.npy", npy_bytes(shape_header("(2, 3)"), 6)));
  EXPECT_EQ(x.rows, 2u);
  EXPECT_EQ(x.cols, 3u);
  EXPECT_EQ(x.data, std::vector<double>(6, 0.0));
  const Matrix v = read_matrix(write("v.npy", npy_bytes(shape_header("(4,)"), 4)));
  EXPECT_EQ(v.rows, 1u);
  EXPECT_EQ(v.cols, 4u);
}

TEST_F(MatrixFiles, NpyShapeThatWrapsAround2To64IsRefused) {  // was an empty array, then SIGSEGV
  EXPECT_THAT(error_of(write("wrap.npy", npy_bytes(shape_header("(4294967296, 4294967296)"), 1))),
              ::testing::HasSubstr("wrap.npy: shape (4294967296, 4294967296) needs more than 2^64 "
                                   "data bytes after the header, the file has 8"));
  EXPECT_THAT(error_of(write("wrap2.npy", npy_bytes(shape_header("(4611686018427387904, 4)"), 0))),
              ::testing::HasSubstr("needs more than 2^64 data bytes"));
  EXPECT_THAT(error_of(write("big.npy", npy_bytes(shape_header("(99999999999999999999, 1)"), 0))),
              ::testing::HasSubstr("big.npy: bad .npy header at byte"));
}

TEST_F(MatrixFiles, NpyDeclaringMoreThanTheFileHoldsFailsBeforeAllocating) {
  // 256 bytes declaring 10000 x 10000 (800 MB): refused from the file size, nothing allocated.
  std::string bytes = npy_bytes(shape_header("(10000, 10000)"), 0);
  bytes.resize(256, '\0');
  EXPECT_THAT(error_of(write("claims.npy", bytes)),
              ::testing::HasSubstr("claims.npy: shape (10000, 10000) needs 800000000 data bytes "
                                   "after the header, the file has"));
}

TEST_F(MatrixFiles, NpyRefusesTrailingBytesAndMalformedHeaders) {
  std::string trailing = npy_bytes(shape_header("(1, 1)"), 1) + "extra";
  EXPECT_THAT(
      error_of(write("trailing.npy", trailing)),
      ::testing::HasSubstr("shape (1, 1) needs 8 data bytes after the header, the file has 13"));
  const std::string no_newline = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }";
  EXPECT_THAT(error_of(write("nonl.npy", npy_bytes(no_newline, 1))),
              ::testing::HasSubstr("nonl.npy: the .npy header must end with a newline"));
  // 'shape' inside another entry's string is not the shape.
  EXPECT_THAT(
      error_of(write("inner.npy",
                     npy_bytes("{'descr': \"<f8 'shape': (1, 1)\", 'fortran_order': False}\n", 1))),
      ::testing::HasSubstr("inner.npy: bad .npy header at byte 56 of the dictionary: the "
                           "dictionary must hold descr, fortran_order and shape"));
  EXPECT_THAT(
      error_of(write("noshape.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, }\n", 1))),
      ::testing::HasSubstr("the dictionary must hold descr, fortran_order and shape"));
  EXPECT_THAT(error_of(write("extra.npy",
                             npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), "
                                       "'x': 1}\n",
                                       1))),
              ::testing::HasSubstr("key 'x' is unknown or repeated"));
  EXPECT_THAT(error_of(write("neg.npy", npy_bytes(shape_header("(-1, 2)"), 0))),
              ::testing::HasSubstr("a dimension must be a non-negative integer"));
  EXPECT_THAT(error_of(write("3d.npy", npy_bytes(shape_header("(1, 1, 1)"), 1))),
              ::testing::HasSubstr("3d.npy: the array has 3 dimensions, must be 1-D or 2-D"));
  EXPECT_THAT(error_of(write("short.npy", npy_bytes(shape_header("(1, 1)"), 0).substr(0, 30))),
              ::testing::HasSubstr("short.npy: truncated .npy header"));
  fs::create_directory(dir_ / "dir.npy");
  EXPECT_THAT(error_of(dir_ / "dir.npy"), ::testing::HasSubstr("dir.npy: is a directory"));
  fs::create_directory(dir_ / "dir.csv");
  EXPECT_THAT(error_of(dir_ / "dir.csv"), ::testing::HasSubstr("dir.csv: is a directory"));
}

TEST(Matrix, RefusesADimensionProductThatWraps) {
  EXPECT_THROW(Matrix(std::size_t{1} << 32, std::size_t{1} << 32), DimensionMismatch);
  Matrix hand_built;
  hand_built.rows = 2;
  hand_built.cols = 2;
  hand_built.data = {1.0};
  EXPECT_FALSE(hand_built.consistent());
  EXPECT_TRUE(Matrix(2, 3).consistent());
}

}  // namespace
}  // namespace dynhat
