// Output directories: checked before any work, committed by swapping whole directories (the old
// run or the new one, never a mix), stale staging of dead processes swept, SIGTERM cleans up.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "support/fixtures.hpp"

namespace dynhat {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class OutputDirectories : public testing::ScratchDirectoryTest {
 protected:
  /// The names in `dir`, sorted.
  std::vector<std::string> names(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(dir)) out.push_back(entry.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }
  /// A committed run into `target`: report.json plus the files `files`, each holding `tag`.
  void run(const fs::path& target, const std::vector<std::string>& files, const std::string& tag) {
    OutputDirectory out(target);
    fs::create_directories(out.staged("sub"));
    for (const std::string& f : files) write_text_file(out.staged(f), tag);
    write_text_file(out.staged("report.json"), tag);
    out.commit();
  }
  std::string read(const fs::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};

TEST_F(OutputDirectories, WithoutCommitNothingIsLeft) {
  {
    OutputDirectory out(dir_ / "out");
    write_text_file(out.staged("a.csv"), "1\n");
  }
  EXPECT_TRUE(names(dir_).empty());
}

TEST_F(OutputDirectories, ARerunReplacesTheWholeDirectory) {
  run(dir_ / "out", {"old_only.csv", "sub/both.csv"}, "old");
  run(dir_ / "out", {"sub/both.csv"}, "new");
  EXPECT_EQ(names(dir_), std::vector<std::string>{"out"});  // no staging, no old run aside
  EXPECT_EQ(names(dir_ / "out"), (std::vector<std::string>{"report.json", "sub"}));
  EXPECT_EQ(read(dir_ / "out/sub/both.csv"), "new");
  EXPECT_EQ(read(dir_ / "out/report.json"), "new");
}

TEST_F(OutputDirectories, AFailedRerunLeavesTheOldRunWhole) {
  run(dir_ / "out", {"a.csv"}, "old");
  {
    OutputDirectory out(dir_ / "out");
    write_text_file(out.staged("a.csv"), "new");
    write_text_file(out.staged("report.json"), "new");
  }  // no commit
  EXPECT_EQ(names(dir_ / "out"), (std::vector<std::string>{"a.csv", "report.json", "sub"}));
  EXPECT_EQ(read(dir_ / "out/a.csv"), "old");
  EXPECT_EQ(read(dir_ / "out/report.json"), "old");
}

TEST_F(OutputDirectories, BadTargetsFailBeforeAnyWork) {
  const auto message = [](const fs::path& target) {
    return testing::message_of([&] { OutputDirectory out(target); });
  };
  EXPECT_THAT(message(""), HasSubstr("--out must not be empty"));
  write("file", "x");
  EXPECT_THAT(message(dir_ / "file"), HasSubstr("file: exists and is not a directory"));
  EXPECT_THAT(message(dir_ / "file/out"), HasSubstr("cannot create its parent directory"));
  fs::create_symlink(dir_ / "nowhere", dir_ / "link");
  EXPECT_THAT(message(dir_ / "link"), HasSubstr("link: is a dangling symbolic link"));
  // Root may write anywhere a mode allows nothing; /proc refuses new entries to everyone.
  EXPECT_THAT(message("/proc/self/dynhat-out"), HasSubstr("cannot write in /proc/self"));
  fs::create_directories(dir_ / "home");
  write("home/thesis.tex", "x");  // replacing it as a whole would delete the user's files
  EXPECT_THAT(message(dir_ / "home"), HasSubstr("is not an earlier dynhat output"));
  EXPECT_EQ(names(dir_), (std::vector<std::string>{"file", "home", "link"}));
}

TEST_F(OutputDirectories, ALinkToADirectoryIsFollowed) {
  run(dir_ / "real", {"a.csv"}, "old");
  fs::create_directory_symlink(dir_ / "real", dir_ / "link");
  run(dir_ / "link", {"b.csv"}, "new");
  EXPECT_TRUE(fs::is_symlink(dir_ / "link"));
  EXPECT_EQ(names(dir_ / "real"), (std::vector<std::string>{"b.csv", "report.json", "sub"}));
}

TEST_F(OutputDirectories, StagingOfDeadProcessesIsSwept) {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);  // its PID is now no running process
  const fs::path dead = dir_ / (".out.dynhat-staging-" + std::to_string(child));
  const fs::path dead_aside = dir_ / (".out.dynhat-old-" + std::to_string(child));
  const fs::path alive = dir_ / (".out.dynhat-staging-" + std::to_string(getppid()));
  const fs::path other = dir_ / (".other.dynhat-staging-" + std::to_string(child));
  for (const fs::path& d : {dead, dead_aside, alive, other}) fs::create_directories(d / "sub");
  run(dir_ / "out", {"a.csv"}, "new");
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_FALSE(fs::exists(dead_aside));
  EXPECT_TRUE(fs::exists(alive));  // a live writer's staging is never touched
  EXPECT_TRUE(fs::exists(other));  // nor that of another target
}

TEST_F(OutputDirectories, SigtermRemovesTheStaging) {
  const fs::path target = dir_ / "out";
  const pid_t child = fork();
  if (child == 0) {
    OutputDirectory out(target);
    fs::create_directories(out.staged("baseline"));
    write_text_file(out.staged("baseline/Y.csv"), "1\n");
    write_text_file(out.staged("report.json"), "{}\n");
    raise(SIGTERM);  // as if killed during the write phase
    _exit(3);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));  // the signal still ends the process
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  EXPECT_TRUE(names(dir_).empty());
}

}  // namespace
}  // namespace dynhat
