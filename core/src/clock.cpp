#include "failover_hil/core/clock.hpp"

#include <cstdio>

namespace failover_hil {

TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

ManualClock::ManualClock(TimePoint start) : now_(start) {}

TimePoint ManualClock::default_start() {
  return std::chrono::sys_days{std::chrono::year{2026} / 1 / 1};
}

ScaledClock::ScaledClock(TimePoint start, double scale)
    : start_(start), real_start_(std::chrono::steady_clock::now()), scale_(scale) {}

TimePoint ScaledClock::now() const {
  const auto real = std::chrono::steady_clock::now() - real_start_;
  const auto ns =
      static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(real).count());
  return start_ + Duration{static_cast<Duration::rep>(ns * scale_ / 1e6)};
}

std::string format_rfc3339(TimePoint t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{t - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02lld+00:00", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), long(hms.hours().count()),
                long(hms.minutes().count()), static_cast<long long>(hms.seconds().count()));
  return buf;
}

long long unix_seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string format_duration(Duration d) {
  const long long ms = d.count();
  char buf[64];
  if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%lldms", ms);
  } else if (ms < 60'000) {
    std::snprintf(buf, sizeof buf, "%.3fs", static_cast<double>(ms) / 1000.0);
  } else {
    const long long s = ms / 1000;
    if (s >= 3600) {
      std::snprintf(buf, sizeof buf, "%lldh %02lldm %02llds", s / 3600, (s / 60) % 60, s % 60);
    } else {
      std::snprintf(buf, sizeof buf, "%lldm %02llds", s / 60, s % 60);
    }
  }
  return buf;
}

}  // namespace failover_hil
