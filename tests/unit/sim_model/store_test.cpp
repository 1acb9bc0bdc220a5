#include "failover_hil/sim/model/store.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "failover_hil/core/byte_reader.hpp"

namespace failover_hil::sim {
namespace {

using namespace std::chrono_literals;

const TimePoint t0 = ManualClock::default_start();

DataStore sample(const std::string& who) {
  DataStore s;
  s.users["u1"] = {"u1", who + " user"};
  s.settings["site.title"] = who;
  s.files["/f"] = {"/f", 10};
  s.logs.push_back({t0, who + " log"});
  s.recordings["r1"] = {"r1", 1 << 20};
  s.sessions["s-" + who] = {"s-" + who, who, t0, t0 + 5min, false};
  return s;
}

TEST(Store, JsonRoundTripIsExact) {
  auto s = sample("appA");
  s.sessions["open"] = {"open", "appA", t0, std::nullopt, false};
  s.sessions["cut"] = {"cut", "appA", t0, t0 + 1s, true};
  const auto text = boost::json::serialize(to_json(s));
  EXPECT_EQ(store_from_json(boost::json::parse(text)), s);
}

TEST(Store, BadJsonNamesTheField) {
  EXPECT_THROW(store_from_json(boost::json::parse("[]")), MalformedInput);
  auto v = to_json(sample("x"));
  v.as_object()["users"].as_array()[0].as_object()["id"] = 5;
  try {
    store_from_json(v);
    FAIL();
  } catch (const MalformedInput& e) {
    EXPECT_NE(std::string(e.what()).find("'id'"), std::string::npos) << e.what();
  }
  auto w = to_json(sample("x"));
  w.as_object().erase("sessions");
  EXPECT_THROW(store_from_json(w), MalformedInput);
  auto neg = to_json(sample("x"));
  neg.as_object()["files"].as_array()[0].as_object()["size"] = -1;
  EXPECT_THROW(store_from_json(neg), MalformedInput);
}

TEST(Store, R20_SyncOverwritesTheBackup) {
  auto primary = sample("appA");
  auto backup = sample("appB");
  backup.users["only-on-b"] = {"only-on-b", "stale"};
  backup.recordings["rb"] = {"rb", 5};
  apply_sync(backup, primary);
  EXPECT_EQ(backup.users, primary.users);
  EXPECT_EQ(backup.settings, primary.settings);
  EXPECT_EQ(backup.files, primary.files);
  EXPECT_EQ(backup.logs, primary.logs);
  EXPECT_EQ(backup.recordings, primary.recordings);
}

TEST(Store, R15_SyncMergesSessionRecordsAndReturnsWhatThePrimaryLacks) {
  auto primary = sample("appA");
  auto backup = sample("appB");
  backup.sessions["shared"] = {"shared", "appA", t0, t0 + 1min, false};
  primary.sessions["shared"] = {"shared", "appA", t0, std::nullopt, false};  // still open there
  const auto lacks = apply_sync(backup, primary);
  EXPECT_TRUE(backup.sessions.contains("s-appA"));
  EXPECT_TRUE(backup.sessions.contains("s-appB")) << "a record only the backup holds is kept";
  EXPECT_TRUE(backup.sessions.at("shared").end) << "the finished record wins over the open one";
  ASSERT_EQ(lacks.size(), 2u);
  merge_sessions(primary, lacks);
  EXPECT_EQ(primary.sessions, backup.sessions) << "nothing lost on either side";
}

TEST(Store, R05_StoredBytesCountFilesAndRecordings) {
  auto s = sample("x");
  EXPECT_EQ(s.stored_bytes(), 10u + (1u << 20));
}

}  // namespace
}  // namespace failover_hil::sim
