#pragma once

#include <gtest/gtest.h>

#include "failover_hil/core/clock.hpp"
#include "failover_hil/core/crypto.hpp"
#include "failover_hil/sim/model/appliance.hpp"
#include "failover_hil/sim/model/errors.hpp"
#include "failover_hil/sim/model/pair.hpp"
#include "failover_hil/sim/model/update_server.hpp"

namespace failover_hil::sim::testing {

using namespace std::chrono_literals;

inline constexpr std::uint64_t kMiB = 1024 * 1024;
inline constexpr std::uint64_t kGiB = 1024 * kMiB;
inline const SoftwareRelease kOld{{23, 1, 2}, "b7f3a1"};
inline const SoftwareRelease kNew{{24, 1, 0}, "c9e2d4"};
inline const std::string kGuidA = "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0";
inline const std::string kGuidB = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";

inline crypto::Bytes bytes_of(std::uint8_t fill, std::size_t n = 32) {
  return crypto::Bytes(n, fill);
}

/// The demo catalogue: Base 3.4.0 enables software 24.1.0 (R06).
inline std::vector<UpdateInfo> test_catalogue() {
  return {{"base-3.4.0", UpdateKind::base, {3, 4, 0}, {}, {}, {"sw-24.1.0"}, 900 * kMiB},
          {"sw-24.1.0", UpdateKind::software, {}, kNew, {"base-3.4.0"}, {}, 1200 * kMiB}};
}

/// Two model appliances (A primary-to-be, B backup-to-be), an update server
/// and a manual clock. Nothing is established until a test says so.
class PairTest : public ::testing::Test {
 protected:
  static ApplianceConfig config(const std::string& name, const std::string& guid,
                                const std::string& ip, const crypto::Bytes& vendor_public) {
    ApplianceConfig c;
    c.identity = {name, guid, ip, "support.lab.example", "198.18.0.10"};
    c.base = {3, 3, 2};
    c.software = kOld;
    c.inter_appliance_key = bytes_of(0x42);
    c.vendor_public_key = vendor_public;
    return c;
  }

  ManualClock clock;
  crypto::Ed25519KeyPair vendor = crypto::ed25519_from_seed(bytes_of(7));
  UpdateServer server{test_catalogue(), vendor};
  ApplianceConfig config_a = config("appA", kGuidA, "198.18.0.11", vendor.public_key);
  ApplianceConfig config_b = config("appB", kGuidB, "198.18.0.12", vendor.public_key);
  Appliance a{config_a, clock};
  Appliance b{config_b, clock};
  Pair pair{a, b, clock};

  const EstablishParams a_to_b{{"198.18.0.12", 443}, {"198.18.0.11", 443}};
  const EstablishParams b_to_a{{"198.18.0.11", 443}, {"198.18.0.12", 443}};

  /// A primary, B backup, first sync done.
  void establish_ab() {
    pair.establish(a, a_to_b);
    ASSERT_TRUE(pair.run_until([&] { return a.sync_status().last_sync.has_value(); }, 2h));
  }

  /// Downloads `id` for `x` from the server and waits until the install ends.
  void install(Appliance& x, const std::string& id) {
    x.install_file(server.download(x.identity().guid, id));
    ASSERT_TRUE(pair.run_until([&] { return x.state() != OperatingState::installing; }, 24h));
  }

  /// A console and a Jump Client online with `x`.
  std::pair<Client, Client> clients_on(Appliance& x) {
    Client console{"console", ClientKind::representative_console, Deployment::installer,
                   x.software()};
    Client jump{"jump", ClientKind::jump_client, Deployment::installer, x.software()};
    x.connect_client(console);
    x.connect_client(jump);
    return {console, jump};
  }

  /// A completed support session on `x`; returns its lsid.
  std::string session_on(Appliance& x) {
    auto [console, jump] = clients_on(x);
    const auto lsid = x.start_session(console, jump);
    clock.advance(1min);
    x.end_session(lsid);
    return lsid;
  }
};

/// Asserts that `stmt` throws ModelError for `rule` with `text` in its message.
#define EXPECT_MODEL_ERROR(stmt, rule_id, text)                                   \
  do {                                                                            \
    try {                                                                         \
      stmt;                                                                       \
      ADD_FAILURE() << "expected ModelError " << rule_id << " from " #stmt;       \
    } catch (const ::failover_hil::sim::ModelError& e) {                          \
      EXPECT_EQ(e.rule(), rule_id) << e.what();                                   \
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what(); \
    }                                                                             \
  } while (0)

}  // namespace failover_hil::sim::testing
