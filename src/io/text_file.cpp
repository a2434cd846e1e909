// Whole text files: read at once (every reader of the library goes through read_text_file), and
// written atomically (a temporary name in the same directory, then rename).
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"

namespace dynhat {

std::string read_text_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InvalidInput(fmt::format("{}: is a directory, not a file", path.string()));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw InvalidInput(
        fmt::format("{}: cannot open for reading ({})", path.string(), std::strerror(errno)));
  }
  std::string text;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw InvalidInput(fmt::format("{}: read error", path.string()));
  return text;
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
  std::filesystem::rename(temporary, path);
}

}  // namespace dynhat
