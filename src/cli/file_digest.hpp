// SHA-256 of input files, for the run manifest (report.json).
#pragma once

#include <filesystem>
#include <string>

namespace dynhat::cli {

/// Lower-case hex SHA-256 of the file's bytes (OpenSSL). Throws InvalidInput if it cannot be read.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace dynhat::cli
