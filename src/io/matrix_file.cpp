// Format choice by extension, vectors, and atomic file writes.
#include <fmt/format.h>
#include <unistd.h>

#include <fstream>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"

namespace dynhat {

namespace {

bool has_extension(const std::filesystem::path& path, const char* ext) {
  return path.extension() == ext;
}

[[noreturn]] void unknown_format(const std::filesystem::path& path) {
  throw InvalidInput(fmt::format("{}: unknown file format '{}', use .csv or .npy", path.string(),
                                 path.extension().string()));
}

}  // namespace

Matrix read_matrix(const std::filesystem::path& path) {
  if (has_extension(path, ".csv")) return read_csv(path);
  if (has_extension(path, ".npy")) return read_npy(path);
  unknown_format(path);
}

std::vector<double> read_vector(const std::filesystem::path& path) {
  Matrix x = read_matrix(path);
  if (x.rows != 1 && x.cols != 1) {
    throw DimensionMismatch(fmt::format("{} is {} x {}, must be a vector (one row or one column)",
                                        path.string(), x.rows, x.cols));
  }
  return std::move(x.data);
}

void write_matrix(const std::filesystem::path& path, const Matrix& x) {
  if (has_extension(path, ".csv")) return write_csv(path, x);
  if (has_extension(path, ".npy")) return write_npy(path, x);
  unknown_format(path);
}

void write_text_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::path temporary = path;
  temporary += fmt::format(".tmp-{}", ::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(fmt::format("{}: cannot open for writing", temporary.string()));
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw Error(fmt::format("{}: write failed (disk full?)", path.string()));
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::filesystem::remove(temporary, ec);
    throw Error(fmt::format("{}: cannot move the written file into place ({})", path.string(),
                            ec.message()));
  }
}

}  // namespace dynhat
