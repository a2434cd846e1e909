// MATLAB .mat files in a build without matio (DYNHAT_ENABLE_MATIO=OFF): every entry point says so.
#include <fmt/format.h>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"

namespace dynhat {

namespace {

constexpr const char* kNoMatio =
    "this dynhat was built without matio (Debian: libmatio-dev; CMake -DDYNHAT_ENABLE_MATIO=ON), "
    "so it cannot read or write MATLAB .mat files";

}  // namespace

MatArray read_mat_array(const std::filesystem::path& file, const std::string& variable,
                        std::size_t) {
  throw InvalidInput(fmt::format("{}:{}: {}", file.string(), variable, kNoMatio));
}

Matrix read_mat_variable(const std::filesystem::path& file, const std::string& variable) {
  throw InvalidInput(fmt::format("{}:{}: {}", file.string(), variable, kNoMatio));
}

void write_mat_file(const std::filesystem::path& path, const std::vector<MatArray>&, MatVersion) {
  throw Error(fmt::format("{}: {}", path.string(), kNoMatio));
}

bool mat_files_supported() {
  return false;
}
bool mat73_supported() {
  return false;
}

}  // namespace dynhat
