// Issue 16 item 5: a full disk. The simulator starts and serves reads when
// it cannot write its state, answers a change it cannot save with 507 (and
// undoes it), and saves again once there is room. The full disk is a small
// tmpfs over appA's data directory, mounted in this test process's own
// mount namespace, so it is gone on every exit path.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "raw_https.hpp"
#include "sim_pair.hpp"

namespace failover_hil::testing {
namespace {

namespace fs = std::filesystem;

// Unmounts (lazily: the simulator may still hold files there) on scope exit.
struct TmpfsMount {
  fs::path at;
  ~TmpfsMount() {
    if (!at.empty()) ::umount2(at.c_str(), MNT_DETACH);
  }
};

// Writes zeros to `file` until the file system refuses: ENOSPC.
void fill(const fs::path& file) {
  std::FILE* f = std::fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::setvbuf(f, nullptr, _IONBF, 0);
  const std::string block(4096, '\0');
  while (std::fwrite(block.data(), 1, block.size(), f) == block.size()) {
  }
  // The last partial page: byte by byte.
  while (std::fwrite(block.data(), 1, 1, f) == 1) {
  }
  EXPECT_EQ(errno, ENOSPC);
  std::fclose(f);
}

int users_of(const SimPair& pair) {
  const auto res = raw_exchange("127.0.0.11", pair.port_a(),
                                "GET /sim/v1/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                                    harness_token("127.0.0.11", pair.port_a()) + "\r\n\r\n");
  return boost::json::parse(body_of(res)).at("users").to_number<int>();
}

const std::string kSeed = R"({"users": [{"id": "rep1", "display_name": "Rep One"}]})";

TEST(SimDiskFull, StartsServesReadsAnswers507AndSavesAgainOnceThereIsRoom) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a tmpfs as a full disk";
  // Our own mount namespace, private: nothing mounted here reaches the host.
  if (::unshare(CLONE_NEWNS) != 0) GTEST_SKIP() << "unshare(CLONE_NEWNS): " << std::strerror(errno);
  ASSERT_EQ(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), 0)
      << std::strerror(errno);

  SimPair pair;
  TmpfsMount mount;
  pair.process_a().terminate();  // a clean stop: its state is all in state.sqlite
  const auto data = pair.dir() / "appA";
  const auto saved = pair.dir() / "appA.saved";
  fs::rename(data, saved);
  fs::create_directory(data);
  ASSERT_EQ(::mount("fhil-full", data.c_str(), "tmpfs", 0, "size=512k,mode=0700"), 0)
      << std::strerror(errno);
  mount.at = data;
  for (const auto& e : fs::directory_iterator(saved))
    fs::copy(e.path(), data / e.path().filename());
  fill(data / "filler");

  // It starts although it cannot write its state (it used to exit), and serves reads.
  pair.start_a();
  EXPECT_EQ(pair.a().status().name, "appA");
  EXPECT_EQ(users_of(pair), 0);
  // A change it cannot save is answered 507 and not kept.
  try {
    pair.a().sim_post("seed", kSeed);
    ADD_FAILURE() << "a change was acknowledged on a full disk";
  } catch (const hil::HarnessError& e) {
    EXPECT_NE(std::string(e.what()).find("507"), std::string::npos) << e.what();
  }
  EXPECT_EQ(users_of(pair), 0);
  EXPECT_TRUE(pair.process_a().running());
  EXPECT_NE(pair.log_a().find("refusing changes (507)"), std::string::npos) << pair.log_a();

  // Room again: the same change is saved, and survives a kill -9.
  fs::remove(data / "filler");
  pair.a().sim_post("seed", kSeed);
  EXPECT_EQ(users_of(pair), 1);
  pair.process_a().kill_hard();
  pair.start_a();
  EXPECT_EQ(users_of(pair), 1);
}

}  // namespace
}  // namespace failover_hil::testing
