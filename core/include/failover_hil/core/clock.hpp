#pragma once

#include <chrono>
#include <string>

namespace failover_hil {

/// Time on the wall (UNIX epoch), at millisecond resolution: simulated and
/// real time share one type so reports and APIs print them alike.
using Duration = std::chrono::milliseconds;
using TimePoint = std::chrono::sys_time<Duration>;

/// The only way code reads time. Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

/// The real clock. Only this class calls system_clock::now().
class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
};

/// A clock that moves only when told: tests and the model-level demo use it.
class ManualClock final : public Clock {
 public:
  /// Starts at 2026-01-01T00:00:00Z unless given a start.
  explicit ManualClock(TimePoint start = default_start());
  TimePoint now() const override { return now_; }
  void advance(Duration d) { now_ += d; }
  void set(TimePoint t) { now_ = t; }
  static TimePoint default_start();

 private:
  TimePoint now_;
};

/// Simulated time paced against real time: `scale` simulated seconds pass per
/// real second, from `start`. bseries-sim scales installs and syncs with it;
/// network behaviour is never scaled.
class ScaledClock final : public Clock {
 public:
  ScaledClock(TimePoint start, double scale);
  TimePoint now() const override;
  double scale() const { return scale_; }

 private:
  TimePoint start_;
  std::chrono::steady_clock::time_point real_start_;
  double scale_;
};

/// RFC 3339 with "+00:00" (the product's JSON APIs never print "Z").
std::string format_rfc3339(TimePoint t);

/// Seconds since the UNIX epoch, as the XML APIs print timestamps.
long long unix_seconds(TimePoint t);

/// "1h 02m 03s" / "4.250s" / "12ms": durations for people.
std::string format_duration(Duration d);

}  // namespace failover_hil
