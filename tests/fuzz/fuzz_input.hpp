// The readers under fuzzing take paths, as in production: each input is written to a file on a
// RAM disk first, so the harness exercises the same open/size/read code a user's file goes through.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace dynhat::fuzz {

/// `data` written to `name` in a directory of this process (under /dev/shm where it exists).
inline std::filesystem::path write_input(const std::uint8_t* data, std::size_t size,
                                         const std::string& name) {
  static const std::filesystem::path dir = [] {
    const std::filesystem::path base =
        std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    std::filesystem::path d = base / ("dynhat-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  const std::filesystem::path path = dir / name;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace dynhat::fuzz
