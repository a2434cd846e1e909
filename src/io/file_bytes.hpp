// The one check of every input reader (read_text_file for CSV matrices, long tables and scenarios;
// the .npy reader): the path is a regular file, so a directory or a device given as a table path
// fails with the path and the rule instead of a standard-library message.
#pragma once

#include <cstdint>
#include <filesystem>

namespace dynhat {

/// Size in bytes of the regular file `path`; throws InvalidInput naming `path` when it is
/// missing, a directory or not a regular file.
std::uint64_t regular_file_size(const std::filesystem::path& path);

}  // namespace dynhat
