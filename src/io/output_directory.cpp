// All-or-nothing output directories. Files are written into a hidden staging directory beside
// the target; commit() swaps the whole staging directory in for the target, so a reader of the
// target sees the old run or the new one, never a mix:
//  * renameat2(RENAME_EXCHANGE) swaps target and staging atomically, then the old run (now under
//    the staging name) is removed;
//  * where the file system cannot exchange (EINVAL, ENOSYS), the old run is renamed aside first,
//    the staging directory renamed in, and the old run removed (or put back if that fails).
// Staging directories carry the writer's PID: those of dead processes (killed by SIGKILL or a
// power cut) are swept by the next run into the same parent. SIGINT and SIGTERM remove the
// staging directory of this process before it dies (async-signal-safe, see remove_tree below).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"

namespace dynhat {

namespace fs = std::filesystem;

namespace {

constexpr const char* kStagingTag = ".dynhat-staging-";
constexpr const char* kAsideTag = ".dynhat-old-";

// --- cleanup on SIGINT/SIGTERM ----------------------------------------------------------------
// The handler may run at any point, so it touches only fixed-size static storage and calls only
// async-signal-safe system calls (no allocation, no std::filesystem).
constexpr std::size_t kSlots = 4;
constexpr std::size_t kPathMax = 4096;
char g_staging[kSlots][kPathMax];
volatile sig_atomic_t g_in_use[kSlots];
struct sigaction g_previous[2];
bool g_handlers_installed = false;

/// Removes the tree at (dir_fd, name) with openat/getdents64/unlinkat: async-signal-safe, unlike
/// opendir/readdir or std::filesystem. Depth-limited: staging trees are two levels deep.
/// Returns whether `name` is gone.
bool remove_tree(int dir_fd, const char* name, int depth) {
  if (unlinkat(dir_fd, name, 0) == 0) return true;
  if (depth > 8) return false;
  const int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  alignas(8) char buffer[4096];
  bool progress = true;
  while (progress) {  // list again after removals until a listing removes nothing
    progress = false;
    lseek(fd, 0, SEEK_SET);
    for (long n; (n = syscall(SYS_getdents64, fd, buffer, sizeof buffer)) > 0;) {
      for (long offset = 0; offset < n;) {
        // struct linux_dirent64: ino (8 bytes), off (8), reclen (2), type (1), name.
        unsigned short reclen = 0;
        std::memcpy(&reclen, buffer + offset + 16, sizeof reclen);
        const char* entry = buffer + offset + 19;
        if (std::strcmp(entry, ".") != 0 && std::strcmp(entry, "..") != 0) {
          progress = remove_tree(fd, entry, depth + 1) || progress;
        }
        offset += reclen;
      }
    }
  }
  close(fd);
  return unlinkat(dir_fd, name, AT_REMOVEDIR) == 0;
}

void remove_staging_and_die(int sig) {
  for (std::size_t k = 0; k < kSlots; ++k) {
    if (g_in_use[k]) remove_tree(AT_FDCWD, g_staging[k], 0);
  }
  sigaction(sig, &g_previous[sig == SIGINT ? 0 : 1], nullptr);
  raise(sig);  // the previous disposition (by default: die by this signal, exit status 128 + sig)
}

void install_handlers() {
  if (g_handlers_installed) return;
  struct sigaction action {};
  action.sa_handler = remove_staging_and_die;
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGINT);
  sigaddset(&action.sa_mask, SIGTERM);
  const int signals[2] = {SIGINT, SIGTERM};
  for (int k = 0; k < 2; ++k) {
    sigaction(signals[k], nullptr, &g_previous[k]);
    // A signal the parent ignores (nohup, a background job's SIGINT) stays ignored.
    if (g_previous[k].sa_handler != SIG_IGN) sigaction(signals[k], &action, nullptr);
  }
  g_handlers_installed = true;
}

int register_staging(const fs::path& staging) {
  const std::string text = fs::absolute(staging).string();
  for (std::size_t k = 0; k < kSlots; ++k) {
    if (g_in_use[k] || text.size() >= kPathMax) continue;
    std::memcpy(g_staging[k], text.c_str(), text.size() + 1);
    g_in_use[k] = 1;
    install_handlers();
    return static_cast<int>(k);
  }
  return -1;  // more than kSlots at once, or a very long path: no cleanup on a signal
}

// --- checks and the sweep ---------------------------------------------------------------------

[[noreturn]] void refuse(const std::string& option, const fs::path& target,
                         const std::string& rule) {
  throw InvalidInput(fmt::format("{} {}: {}", option, target.string(), rule));
}

bool process_alive(long pid) {
  return pid > 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

/// Removes `.NAME.dynhat-staging-PID` and `.NAME.dynhat-old-PID` beside the target whose PID is
/// no running process: the leftovers of runs killed while writing.
void sweep_stale(const fs::path& parent, const std::string& name) {
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(parent, ec)) {
    const std::string file = entry.path().filename().string();
    for (const char* tag : {kStagingTag, kAsideTag}) {
      const std::string prefix = "." + name + tag;
      if (file.size() <= prefix.size() || file.compare(0, prefix.size(), prefix) != 0) continue;
      const std::string pid = file.substr(prefix.size());
      if (pid.find_first_not_of("0123456789") != std::string::npos || pid.size() > 9) continue;
      if (!process_alive(std::stol(pid))) fs::remove_all(entry.path(), ec);
    }
  }
}

}  // namespace

OutputDirectory::OutputDirectory(fs::path target, std::string option)
    : target_(std::move(target)), option_(std::move(option)) {
  if (target_.empty()) throw InvalidInput(option_ + " must not be empty");
  if (target_.filename().empty()) target_ = target_.parent_path();  // "out/" -> "out"
  if (target_.filename() == "." || target_.filename() == "..") {
    refuse(option_, target_, "must name a directory of its own, not . or ..");
  }
  std::error_code ec;
  const fs::file_status link = fs::symlink_status(target_, ec);
  if (fs::is_symlink(link)) {
    if (!fs::exists(fs::status(target_, ec)))
      refuse(option_, target_, "is a dangling symbolic link");
    target_ = fs::canonical(target_, ec);  // swap the directory the link names, keep the link
    if (ec) refuse(option_, target_, "cannot resolve the symbolic link");
  }
  const fs::file_status status = fs::status(target_, ec);
  if (fs::exists(status)) {
    if (!fs::is_directory(status)) refuse(option_, target_, "exists and is not a directory");
    // commit() replaces the whole directory: refuse one that holds anything but an earlier run.
    if (!fs::is_empty(target_, ec) && !fs::exists(target_ / "report.json", ec)) {
      refuse(option_, target_,
             "exists and is not an earlier dynhat output (no report.json); it would be replaced "
             "as a whole, so give a new or empty directory");
    }
  }
  const fs::path parent = target_.has_parent_path() ? target_.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  if (ec || !fs::is_directory(parent, ec)) {
    refuse(option_, target_,
           fmt::format("cannot create its parent directory {} ({})", parent.string(),
                       ec ? ec.message() : "a file is in the way"));
  }
  const std::string name = target_.filename().string();
  sweep_stale(parent, name);
  staging_ = parent / fmt::format(".{}{}{}", name, kStagingTag, ::getpid());
  fs::remove_all(staging_, ec);
  if (!fs::create_directory(staging_, ec) || ec) {
    refuse(option_, target_,
           fmt::format("cannot write in {} ({})", parent.string(),
                       ec ? ec.message() : "the staging directory exists"));
  }
  slot_ = register_staging(staging_);
}

OutputDirectory::~OutputDirectory() {
  if (slot_ >= 0) g_in_use[slot_] = 0;
  if (committed_) return;
  std::error_code ignored;
  fs::remove_all(staging_, ignored);
}

void OutputDirectory::commit() {
  std::error_code ec;
  const auto fail = [&](const std::string& what, int error) {
    throw Error(fmt::format("{} {}: {} ({}); the staged run is kept in {}", option_,
                            target_.string(), what, std::strerror(error), staging_.string()));
  };
  if (!fs::exists(fs::symlink_status(target_, ec))) {
    if (::rename(staging_.c_str(), target_.c_str()) != 0) fail("cannot move the run in", errno);
  } else if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) ==
             0) {
    fs::remove_all(staging_, ec);  // the earlier run, now under the staging name
  } else if (errno == EINVAL || errno == ENOSYS) {
    const fs::path aside =
        staging_.parent_path() /
        fmt::format(".{}{}{}", target_.filename().string(), kAsideTag, ::getpid());
    fs::remove_all(aside, ec);
    if (::rename(target_.c_str(), aside.c_str()) != 0)
      fail("cannot move the earlier run aside", errno);
    if (::rename(staging_.c_str(), target_.c_str()) != 0) {
      const int error = errno;
      ::rename(aside.c_str(), target_.c_str());  // put the earlier run back
      fail("cannot move the run in", error);
    }
    fs::remove_all(aside, ec);
  } else {
    fail("cannot swap the run in", errno);
  }
  committed_ = true;
  if (slot_ >= 0) g_in_use[slot_] = 0;
}

}  // namespace dynhat
