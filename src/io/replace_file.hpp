// Files written whole or not at all: written under a temporary name beside the target, then
// renamed over it (atomic on one file system), shared by every file writer.
#pragma once

#include <filesystem>

namespace dynhat {

/// `path` + ".tmp-<pid>": the name a writer fills before move_into_place.
std::filesystem::path temporary_beside(const std::filesystem::path& path);

/// Renames `temporary` to `path`; on failure removes `temporary` and throws Error naming `path`.
void move_into_place(const std::filesystem::path& temporary, const std::filesystem::path& path);

}  // namespace dynhat
