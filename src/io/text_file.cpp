// Whole text files: read at once (every reader of the library goes through read_text_file), and
// written atomically (a temporary name in the same directory, then rename).
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "io/file_bytes.hpp"
#include "io/replace_file.hpp"

namespace dynhat {

std::string read_text_file(const std::filesystem::path& path) {
  const std::uint64_t size = regular_file_size(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw InvalidInput(
        fmt::format("{}: cannot open for reading ({})", path.string(), std::strerror(errno)));
  }
  std::string text(size, '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(size))) {
    throw InvalidInput(fmt::format("{}: read error", path.string()));
  }
  return text;
}

void write_text_file(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path temporary = temporary_beside(path);
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
  move_into_place(temporary, path);
}

}  // namespace dynhat
