// All-or-nothing output directories: stage, then move every file into place on commit().
#include <fmt/format.h>
#include <unistd.h>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"

namespace dynhat {

OutputDirectory::OutputDirectory(std::filesystem::path target) : target_(std::move(target)) {
  if (target_.filename().empty()) target_ = target_.parent_path();  // "out/" -> "out"
  if (std::filesystem::exists(target_) && !std::filesystem::is_directory(target_)) {
    throw InvalidInput(fmt::format("--out {}: exists and is not a directory", target_.string()));
  }
  const std::filesystem::path parent =
      target_.has_parent_path() ? target_.parent_path() : std::filesystem::path(".");
  std::filesystem::create_directories(parent);
  staging_ = parent / fmt::format(".{}.dynhat-staging-{}", target_.filename().string(), ::getpid());
  std::filesystem::remove_all(staging_);
  std::filesystem::create_directory(staging_);
}

OutputDirectory::~OutputDirectory() {
  if (committed_) return;
  std::error_code ignored;
  std::filesystem::remove_all(staging_, ignored);
}

void OutputDirectory::commit() {
  if (!std::filesystem::exists(target_)) {
    std::filesystem::rename(staging_, target_);
  } else {
    for (const auto& entry : std::filesystem::directory_iterator(staging_)) {
      std::filesystem::rename(entry.path(), target_ / entry.path().filename());
    }
    std::filesystem::remove(staging_);
  }
  committed_ = true;
}

}  // namespace dynhat
