// Issue 16 items 1 and 7 through the command line: a 30,000-character
// scenario name is refused (validate used to die of SIGSEGV), and a finished
// run directory is its owner's alone and holds its secret in one file only.
// The in-process engine: no namespaces, no privileges.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "shell.hpp"

namespace failover_hil::testing {
namespace {

namespace fs = std::filesystem;

std::string slurp_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/fhil-hostile-cli-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    if (!::testing::Test::HasFailure()) fs::remove_all(path, ec);
  }
};

TEST(HostileCli, ValidateRefusesAThirtyThousandCharacterNameWithItsLine) {
  TempDir dir;
  std::ofstream(dir.path / "long.yaml")
      << "scenario: " << std::string(30'000, 'a') << "\nswitch: dns\nsteps: [backup]\n";
  const auto [rc, out] =
      shell(std::string(FAILOVER_HIL_PATH) + " validate " + (dir.path / "long.yaml").string());
  EXPECT_EQ(rc, 1) << out.substr(0, 300);
  EXPECT_NE(out.find("long.yaml:1: 'scenario' is 30000 characters long"), std::string::npos)
      << out.substr(0, 300);
  EXPECT_LT(out.size(), 1000u);
}

TEST(HostileCli, RunDirectoryIsPrivateAndItsPasswordIsInOneFileOnly) {
  TempDir dir;
  const auto run_dir = dir.path / "run";
  // umask 022, as a login shell has: the harness must not rely on it.
  const auto [rc, out] = shell("umask 022; " + std::string(FAILOVER_HIL_PATH) + " run " +
                               FHIL_SOURCE_DIR "/scenarios/shared-ip-baseline.yaml --engine " +
                               "inprocess --out " + run_dir.string());
  ASSERT_EQ(rc, 0) << out;
  const auto password_file = run_dir / "secrets" / "backup.password";
  ASSERT_TRUE(fs::exists(password_file));
  auto password = slurp_file(password_file);
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
    password.pop_back();
  ASSERT_GE(password.size(), 8u);
  struct stat st {};
  ASSERT_EQ(::stat(run_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u) << "the run directory is open to others";
  for (const auto& e : fs::recursive_directory_iterator(run_dir)) {
    ASSERT_EQ(::stat(e.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 077, 0u)
        << e.path() << " is open to others: " << std::oct << (st.st_mode & 0777);
    if (e.is_regular_file() && e.path() != password_file) {
      EXPECT_EQ(slurp_file(e.path()).find(password), std::string::npos)
          << "the backup password in " << e.path();
    }
  }
}

}  // namespace
}  // namespace failover_hil::testing
