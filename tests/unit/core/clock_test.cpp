#include "failover_hil/core/clock.hpp"

#include <gtest/gtest.h>

namespace failover_hil {
namespace {

using namespace std::chrono_literals;

TEST(Clock, ManualClockMovesOnlyWhenTold) {
  ManualClock c;
  const auto t0 = c.now();
  EXPECT_EQ(c.now(), t0);
  c.advance(90s);
  EXPECT_EQ(c.now() - t0, 90s);
}

TEST(Clock, Rfc3339UsesPlusZeroNotZ) {
  ManualClock c;
  c.advance(1h + 2min + 3s);
  EXPECT_EQ(format_rfc3339(c.now()), "2026-01-01T01:02:03+00:00");
  EXPECT_EQ(unix_seconds(c.now()), 1767229323);
}

TEST(Clock, DurationsForPeople) {
  EXPECT_EQ(format_duration(12ms), "12ms");
  EXPECT_EQ(format_duration(4250ms), "4.250s");
  EXPECT_EQ(format_duration(3min + 5s), "3m 05s");
  EXPECT_EQ(format_duration(1h + 2min + 3s), "1h 02m 03s");
}

TEST(Clock, SystemClockIsNearWallTime) {
  SystemClock c;
  EXPECT_GT(unix_seconds(c.now()), 1'700'000'000);
}

}  // namespace
}  // namespace failover_hil
