// SHA-256 digests (OpenSSL) of input files and of in-memory model data, for the run manifest and
// the saved baseline's record of what it depends on.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dynhat::pipeline {

/// Lower-case hex SHA-256 of the file's bytes. Throws InvalidInput if it cannot be read.
std::string sha256_file(const std::filesystem::path& path);

/// An incremental SHA-256 over typed data: sizes and strings are length-prefixed, so different
/// splits of the same bytes give different digests.
class Digest {
 public:
  Digest();
  ~Digest();
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  void add(const void* bytes, std::size_t count);
  void add(std::size_t value);
  void add(double value);
  void add(std::string_view text);
  void add(const std::vector<double>& values);
  void add(const std::vector<std::string>& texts);
  /// Lower-case hex; the digest cannot be added to afterwards.
  std::string hex();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace dynhat::pipeline
