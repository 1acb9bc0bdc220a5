// Issue 16 item 7: secrets at rest. A simulator's data directory is its
// owner's alone (0700, files 0600) and its saved state does not hold the
// Inter-Appliance key, neither as hex nor as raw bytes.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "failover_hil/core/hex.hpp"
#include "sim_pair.hpp"

namespace failover_hil::testing {
namespace {

namespace fs = std::filesystem;

std::string slurp_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(SecretsAtRest, DataDirectoryIsPrivateAndHoldsNoInterApplianceKey) {
  SimPair pair;
  auto& a = pair.a();
  a.sim_post("seed", R"({"users": [{"id": "rep1", "display_name": "Rep One"}]})");
  a.establish("127.0.0.12", pair.port_b(), "127.0.0.11", pair.port_a());
  ASSERT_TRUE(hil::wait_until([&] { return a.status().role == hil::Role::primary; },
                              std::chrono::seconds(20)));
  pair.process_a().kill_hard();  // as found after a crash: the WAL not checkpointed
  pair.process_b().terminate();

  const auto key_hex = slurp_bytes(pair.dir() / "inter_a.key");
  std::string key_text = key_hex.substr(0, key_hex.find_first_of("\r\n"));
  const auto key_raw = from_hex(key_text);
  ASSERT_TRUE(key_raw);
  const std::string raw(key_raw->begin(), key_raw->end());
  for (const auto* name : {"appA", "appB"}) {
    const auto dir = pair.dir() / name;
    ASSERT_TRUE(fs::exists(dir / "state.sqlite"));
    struct stat st {};
    ASSERT_EQ(::stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u) << dir;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      ASSERT_EQ(::stat(e.path().c_str(), &st), 0);
      EXPECT_EQ(st.st_mode & 0077, 0u)
          << e.path() << " is open to others: " << std::oct << (st.st_mode & 0777);
      if (!e.is_regular_file()) continue;
      const auto bytes = slurp_bytes(e.path());
      for (const auto& form : {key_text, raw})
        EXPECT_EQ(bytes.find(form), std::string::npos)
            << "the Inter-Appliance key in clear in " << e.path();
      // Upper-case hex too.
      std::string upper = key_text;
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      EXPECT_EQ(bytes.find(upper), std::string::npos) << e.path();
    }
  }
  // The key still works after a restart (it comes from the key file): a sync
  // over the peer channel, which the key authenticates, succeeds.
  pair.start_a();
  pair.start_b();
  ASSERT_EQ(pair.a().status().role, hil::Role::primary);
  const auto before = pair.a().status().last_sync;
  pair.a().sync_now();
  EXPECT_TRUE(hil::wait_until(
      [&] {
        const auto s = pair.a().status();
        return s.last_sync && s.last_sync != before && !s.sync_in_progress;
      },
      std::chrono::seconds(20)));
  EXPECT_TRUE(pair.a().status().last_peer_error.empty()) << pair.a().status().last_peer_error;
}

}  // namespace
}  // namespace failover_hil::testing
