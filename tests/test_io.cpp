// Matrix files: exact round trips, and errors that name the file, the line and the rule.
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
  EXPECT_NE(error_of(write("x.txt", "1\n")).find("unknown file format '.txt'"), std::string::npos);
  EXPECT_NE(error_of(write("bad.npy", "not numpy")).find("not a .npy file"), std::string::npos);
}

// Every reader goes through read_text_file: a directory or a missing file is named, not a
// standard-library message.
TEST_F(MatrixFiles, DirectoriesAndMissingFilesAreNamed) {
  std::filesystem::create_directories(dir_ / "tables.csv");
  const std::string directory = error_of(dir_ / "tables.csv");
  EXPECT_NE(directory.find("tables.csv: is a directory, not a file"), std::string::npos)
      << directory;
  const std::string missing = error_of(dir_ / "missing.csv");
  EXPECT_NE(missing.find("missing.csv: cannot open for reading"), std::string::npos) << missing;
}

TEST_F(MatrixFiles, VectorsAcceptOneRowOrOneColumn) {
  EXPECT_EQ(read_vector(write("row.csv", "1,2,3\n")), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(read_vector(write("col.csv", "1\n2\n3\n")), (std::vector<double>{1, 2, 3}));
  EXPECT_THROW(read_vector(write("m.csv", "1,2\n3,4\n")), DimensionMismatch);
}

TEST_F(MatrixFiles, OutputDirectoryIsAllOrNothing) {
  const fs::path target = dir_ / "out";
  {
    OutputDirectory out(target);
    write_matrix(out.staged("a.csv"), Matrix(1, 1, 1.0));
    // no commit: a failed run
  }
  EXPECT_FALSE(fs::exists(target));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}), 0);
  {
    OutputDirectory out(target);
    write_matrix(out.staged("a.csv"), Matrix(1, 1, 2.0));
    out.commit();
  }
  EXPECT_EQ(read_matrix(target / "a.csv").data, std::vector<double>{2.0});
  {  // an existing directory: files are replaced, others kept
    write("out/keep.txt", "x");
    OutputDirectory out(target);
    write_matrix(out.staged("a.csv"), Matrix(1, 1, 3.0));
    out.commit();
  }
  EXPECT_EQ(read_matrix(target / "a.csv").data, std::vector<double>{3.0});
  EXPECT_TRUE(fs::exists(target / "keep.txt"));
}

}  // namespace
}  // namespace dynhat
