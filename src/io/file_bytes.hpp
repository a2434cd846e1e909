// Whole-file reads of the input readers (CSV matrices, .npy, long tables, scenarios): one place
// that refuses what is not a regular file, so a directory or a device given as a table path fails
// with the path and the rule instead of a standard-library message.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace dynhat {

/// Size in bytes of the regular file `path`; throws InvalidInput naming `path` when it is
/// missing, a directory or not a regular file.
std::uint64_t regular_file_size(const std::filesystem::path& path);

/// The bytes of the regular file `path` (rules as regular_file_size, plus read errors).
std::string read_file_bytes(const std::filesystem::path& path);

}  // namespace dynhat
