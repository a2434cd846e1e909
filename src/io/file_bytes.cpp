#include "io/file_bytes.hpp"

#include <fmt/format.h>

#include <fstream>

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

std::string read_file_bytes(const std::filesystem::path& path) {
  const std::uint64_t size = regular_file_size(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidInput(fmt::format("{}: cannot open for reading", path.string()));
  std::string bytes(size, '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) {
    throw InvalidInput(fmt::format("{}: read error", path.string()));
  }
  return bytes;
}

}  // namespace dynhat
