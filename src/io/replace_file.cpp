#include "io/replace_file.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include "dynhat/error.hpp"

namespace dynhat {

std::filesystem::path temporary_beside(const std::filesystem::path& path) {
  std::filesystem::path temporary = path;
  temporary += fmt::format(".tmp-{}", ::getpid());
  return temporary;
}

void move_into_place(const std::filesystem::path& temporary, const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::filesystem::remove(temporary, ec);
    throw Error(fmt::format("{}: cannot move the written file into place ({})", path.string(),
                            ec.message()));
  }
}

}  // namespace dynhat
