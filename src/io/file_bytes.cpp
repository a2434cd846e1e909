#include "io/file_bytes.hpp"

#include <fmt/format.h>

#include "dynhat/error.hpp"

namespace dynhat {

std::uint64_t regular_file_size(const std::filesystem::path& path) {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    throw InvalidInput(fmt::format("{}: cannot open for reading (no such file)", path.string()));
  }
  if (std::filesystem::is_directory(status)) {
    throw InvalidInput(fmt::format("{}: is a directory, must be a file", path.string()));
  }
  if (!std::filesystem::is_regular_file(status)) {
    throw InvalidInput(fmt::format("{}: is not a regular file", path.string()));
  }
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) throw InvalidInput(fmt::format("{}: cannot read its size", path.string()));
  return size;
}

}  // namespace dynhat
