// Matrix files: the format chosen by extension, and vectors (a matrix of one row or column).
#include <fmt/format.h>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"

namespace dynhat {

namespace {

bool has_extension(const std::filesystem::path& path, const char* ext) {
  return path.extension() == ext;
}

[[noreturn]] void unknown_format(const std::filesystem::path& path) {
  throw InvalidInput(
      fmt::format("{}: unknown file format '{}', use .csv, .txt, .npy or file.mat:variable",
                  path.string(), path.extension().string()));
}

}  // namespace

std::optional<MatVariablePath> mat_variable_path(const std::filesystem::path& path) {
  const std::string text = path.string();
  const std::size_t mat = text.rfind(".mat:");
  if (mat == std::string::npos) return std::nullopt;
  return MatVariablePath{text.substr(0, mat + 4), text.substr(mat + 5)};
}

std::filesystem::path matrix_file_of(const std::filesystem::path& path) {
  const std::optional<MatVariablePath> mat = mat_variable_path(path);
  return mat ? mat->file : path;
}

Matrix read_matrix(const std::filesystem::path& path) {
  if (const std::optional<MatVariablePath> mat = mat_variable_path(path)) {
    return read_mat_variable(mat->file, mat->variable);
  }
  if (has_extension(path, ".mat")) {
    throw InvalidInput(fmt::format("{}: name the variable to read from a .mat file, as {}:NAME",
                                   path.string(), path.string()));
  }
  if (has_extension(path, ".csv")) return read_csv(path);
  if (has_extension(path, ".txt")) return read_whitespace_matrix(path);
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

}  // namespace dynhat
