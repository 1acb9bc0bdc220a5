#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "failover_hil/core/byte_reader.hpp"
#include "failover_hil/sim/model/peer_json.hpp"
#include "fixture.hpp"

namespace failover_hil::sim::testing {
namespace {

using StateTest = PairTest;

std::string text(const Appliance& x) {
  return boost::json::serialize(x.save());
}

TEST_F(StateTest, SaveRestoreIsExactMidInstall) {
  session_on(a);
  a.set_shared_ip(true);
  a.arm_install_faults({0.7, false});
  a.install_file(server.download(kGuidA, "base-3.4.0"));
  clock.advance(5min);
  const auto saved = a.save();
  auto copy = Appliance::restore(boost::json::parse(boost::json::serialize(saved)), clock);
  EXPECT_EQ(text(*copy), text(a));
  // The restored appliance goes on where the original was: the armed fault still fires.
  Pair p(*copy, b, clock);
  ASSERT_TRUE(p.run_until([&] { return copy->state() != OperatingState::installing; }, 24h));
  EXPECT_EQ(copy->state(), OperatingState::base_update_failed);
}

TEST_F(StateTest, SaveRestoreKeepsAFullDiskArmedAndUnderWay) {
  a.arm_install_faults({std::nullopt, false, std::uint64_t{100} << 20});
  auto armed = Appliance::restore(a.save(), clock);  // armed, not yet installing
  EXPECT_EQ(text(*armed), text(a));
  a.install_file(server.download(kGuidA, "base-3.4.0"));
  auto copy = Appliance::restore(boost::json::parse(boost::json::serialize(a.save())), clock);
  EXPECT_EQ(text(*copy), text(a));
  Pair p(*copy, b, clock);
  ASSERT_TRUE(p.run_until([&] { return copy->state() != OperatingState::installing; }, 24h));
  EXPECT_EQ(copy->state(), OperatingState::base_update_failed);
  EXPECT_NE(copy->events().back().text.find("no space left on device"), std::string::npos);
}

TEST_F(StateTest, SaveRestoreInARelationship) {
  establish_ab();
  auto pa = Appliance::restore(a.save(), clock);
  auto pb = Appliance::restore(b.save(), clock);
  EXPECT_EQ(pa->role(), FailoverRole::primary);
  EXPECT_EQ(pb->role(), FailoverRole::backup);
  EXPECT_EQ(pb->store(), b.store());
  Pair p(*pa, *pb, clock);
  pa->sync_now();
  ASSERT_TRUE(p.run_until([&] { return !pa->sync_status().in_progress; }, 1h));
  EXPECT_EQ(pa->sync_status().last_status, "success");
}

TEST_F(StateTest, InFlightRequestsSettleAsUnreachableAfterACrash) {
  establish_ab();
  a.sync_now();
  clock.advance(1h);
  a.tick();  // the SyncData now waits in the outbox: the process dies here
  auto after = Appliance::restore(a.save(), clock);
  EXPECT_FALSE(after->sync_status().in_progress);
  EXPECT_NE(after->sync_status().last_status.find("unreachable"), std::string::npos);
}

TEST_F(StateTest, BadSavedStateNamesTheField) {
  auto v = a.save();
  v.as_object()["role"] = "boss";
  try {
    Appliance::restore(v, clock);
    FAIL();
  } catch (const MalformedInput& e) {
    EXPECT_NE(std::string(e.what()).find("'role'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Appliance::restore(boost::json::parse("{}"), clock), MalformedInput);
  auto w = a.save();
  w.as_object()["format"] = 2;
  EXPECT_THROW(Appliance::restore(w, clock), MalformedInput);
}

TEST_F(StateTest, PeerMessagesRoundTrip) {
  DataStore store;
  store.users["u"] = {"u", "U"};
  const std::vector<PeerRequest> requests{
      EstablishHello{
          kGuidA, "appA", kOld, "00ff", "abcd", {"198.18.0.11", 443}, AtlasRole::primary_node},
      SyncData{store, clock.now()}, RoleChange{FailoverRole::backup}, BreakNotice{}};
  for (const auto& r : requests) {
    const auto back = request_from_json(boost::json::parse(boost::json::serialize(to_json(r))));
    EXPECT_EQ(boost::json::serialize(to_json(back)), boost::json::serialize(to_json(r)));
  }
  const std::vector<PeerResponse> responses{
      EstablishAccept{kGuidB, "appB", kOld, "beef"},
      SyncAck{{SessionRecord{"s1", "appB", clock.now(), clock.now() + 1s, false}}}, PeerOk{},
      PeerError{"no"}};
  for (const auto& r : responses) {
    const auto back = response_from_json(boost::json::parse(boost::json::serialize(to_json(r))));
    EXPECT_EQ(boost::json::serialize(to_json(back)), boost::json::serialize(to_json(r)));
  }
}

TEST_F(StateTest, BadPeerMessagesAreRefused) {
  for (const char* bad :
       {"[]", "{}", R"({"type":"launch"})", R"({"type":"role_change","role":"king"})",
        R"({"type":"establish_hello","primary_guid":"x"})", R"({"type":"sync_data","at_ms":1})"}) {
    EXPECT_THROW(request_from_json(boost::json::parse(bad)), MalformedInput) << bad;
  }
  EXPECT_THROW(response_from_json(boost::json::parse(R"({"type":"error"})")), MalformedInput);
}

}  // namespace
}  // namespace failover_hil::sim::testing
