// Issue 16 item 8: BIND's folders that a killed run left in the lab state
// directory (named.conf, update.key, session.key) are swept by `lab down` and
// the next run (undo_lab calls sweep_named_dirs), without starting BIND.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include "failover_hil/netlab/lab_journal.hpp"

extern char** environ;

namespace failover_hil::netlab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/fhil-named-sweep-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

fs::path leftover(const fs::path& state, const std::string& name, int pid) {
  const auto dir = state / name;
  fs::create_directory(dir);
  for (const auto* f : {"named.conf", "update.key", "session.key"})
    std::ofstream(dir / f) << "secret \"c2VjcmV0\";\n";
  if (pid != 0) std::ofstream(dir / "named.pid") << pid << "\n";
  return dir;
}

// A pid that ran and is gone.
int dead_pid() {
  const pid_t p = ::fork();
  if (p == 0) ::_exit(0);
  ::waitpid(p, nullptr, 0);
  return p;
}

TEST(NamedSweep, LeftoverFoldersOfDeadNamedAreRemoved) {
  TempDir state;
  const auto with_pid = leftover(state.path, "fhil-named-AAAAAA", dead_pid());
  const auto without_pid = leftover(state.path, "fhil-named-BBBBBB", 0);
  fs::last_write_time(without_pid, fs::file_time_type::clock::now() - 2h);
  const auto other = state.path / "fhq-default.journal";
  std::ofstream(other) << "{}\n";

  const auto removed = sweep_named_dirs(state.path);
  EXPECT_EQ(removed.size(), 2u);
  EXPECT_FALSE(fs::exists(with_pid));
  EXPECT_FALSE(fs::exists(without_pid));
  EXPECT_TRUE(fs::exists(other));  // only BIND's folders
}

TEST(NamedSweep, FoldersOfARunningOrStartingNamedStay) {
  TempDir state;
  // A process whose name is "named" (a copy of sleep): a lab's BIND at work.
  const auto fake = state.path / "named";
  fs::copy_file("/bin/sleep", fake);
  pid_t pid = 0;
  const char* argv[] = {"named", "30", nullptr};
  ASSERT_EQ(::posix_spawn(&pid, fake.c_str(), nullptr, nullptr, const_cast<char**>(argv), environ),
            0);
  const auto live = leftover(state.path, "fhil-named-CCCCCC", pid);
  const auto starting = leftover(state.path, "fhil-named-DDDDDD", 0);  // just made, no pid yet

  EXPECT_TRUE(sweep_named_dirs(state.path).empty());
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(starting));
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  EXPECT_EQ(sweep_named_dirs(state.path).size(), 1u);  // the live one's named is gone now
  EXPECT_FALSE(fs::exists(live));
}

// Issue 16's kill campaign: a run killed while its named was starting left
// the folder without a named.pid, and the next run (seconds later, inside the
// grace) kept it. The folder carries the lab's prefix; whoever holds the
// prefix removes it at any age, and another lab's young folder stays.
TEST(NamedSweep, AYoungFolderOfOurOwnPrefixIsRemovedAtOnce) {
  TempDir state;
  const auto ours = leftover(state.path, "fhil-named-fhil3-AbCdEf", 0);
  const auto theirs = leftover(state.path, "fhil-named-fhil4-GhIjKl", 0);
  const auto unnamed = leftover(state.path, "fhil-named-MnOpQr", 0);
  EXPECT_TRUE(sweep_named_dirs(state.path).empty());
  const auto removed = sweep_named_dirs(state.path, 60s, "fhil3-");
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_NE(removed[0].find("fhil-named-fhil3-AbCdEf"), std::string::npos) << removed[0];
  EXPECT_FALSE(fs::exists(ours));
  EXPECT_TRUE(fs::exists(theirs));
  EXPECT_TRUE(fs::exists(unnamed));
}

}  // namespace
}  // namespace failover_hil::netlab
