#include "failover_hil/sim/model/appliance.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "fixture.hpp"

namespace failover_hil::sim::testing {
namespace {

using ApplianceTest = PairTest;

TEST_F(ApplianceTest, BadConfigurationIsRefusedWithTheReason) {
  auto cfg = config_a;
  cfg.identity.guid = "not-a-guid";
  EXPECT_MODEL_ERROR(Appliance(cfg, clock), "", "32 lower-case hex");
  cfg = config_a;
  cfg.identity.name.clear();
  EXPECT_MODEL_ERROR(Appliance(cfg, clock), "", "needs a name");
  cfg = config_a;
  cfg.inter_appliance_key = bytes_of(1, 4);
  EXPECT_MODEL_ERROR(Appliance(cfg, clock), "R17", "at least 16 bytes");
  cfg = config_a;
  cfg.software.build.clear();
  EXPECT_MODEL_ERROR(Appliance(cfg, clock), "", "build is empty");
}

TEST_F(ApplianceTest, BadDataIsRefused) {
  EXPECT_THROW(a.add_user({"", "x"}), ModelError);
  EXPECT_THROW(a.set_setting("", "x"), ModelError);
  EXPECT_THROW(a.add_file({"", 1}), ModelError);
  EXPECT_MODEL_ERROR(a.add_recording({"nope", 1}), "", "no session 'nope'");
  EXPECT_MODEL_ERROR(a.login("ghost"), "", "no user 'ghost'");
  EXPECT_MODEL_ERROR(a.logout("ghost"), "", "not logged in");
  EXPECT_MODEL_ERROR(a.end_session("nope"), "", "no active session");
  EXPECT_MODEL_ERROR(a.terminate_session("nope"), "", "no active session");
}

TEST_F(ApplianceTest, SessionIdsAreUniqueAcrossAppliances) {
  const auto x = session_on(a);
  const auto y = session_on(a);
  const auto z = session_on(b);
  EXPECT_NE(x, y);
  EXPECT_NE(x, z);
  // The product's form: 32 hex digits.
  for (const auto& lsid : {x, y, z})
    EXPECT_TRUE(std::regex_match(lsid, std::regex("[0-9a-f]{32}"))) << lsid;
}

TEST_F(ApplianceTest, TerminateSessionEndsItAsTerminated) {
  auto [console, jump] = clients_on(a);
  const auto lsid = a.start_session(console, jump);
  a.terminate_session(lsid);
  EXPECT_TRUE(a.store().sessions.at(lsid).terminated);
  EXPECT_TRUE(a.active_sessions().empty());
}

}  // namespace
}  // namespace failover_hil::sim::testing
