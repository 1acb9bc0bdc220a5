#pragma once

// The run's one timeline: every action (invoke, then ok / fail / unknown),
// observation and fault, on CLOCK_REALTIME nanoseconds (the clock of the
// captures and probe logs). Appended to timeline.jsonl as it happens, so a
// killed run keeps its history and `failover-hil report` can re-read it.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "failover_hil/hil/run_record.hpp"

namespace failover_hil::hil {

/// Now on the timeline's clock (CLOCK_REALTIME, ns since the epoch).
std::int64_t realtime_ns();

/// Thread-safe: probes' threads and the runner both append.
class Timeline {
 public:
  /// Appends to `file` (created if missing; an existing one is read first,
  /// for --resume). A last line cut short by a killed run is truncated away
  /// first (with a warning on stderr), so the next event starts a line.
  /// `flush_each`: each event reaches the file as it is added (a killed
  /// run keeps it); false only where a run cannot be resumed (in-process),
  /// where the file is complete once the timeline is flushed or destroyed.
  explicit Timeline(const std::filesystem::path& file, bool flush_each = true);
  /// Writes out what is buffered.
  void flush();

  /// Appends an event (stamped by the caller: real or virtual time).
  void add(TimelineEvent event);
  std::vector<TimelineEvent> events() const;
  /// How many events satisfy `pred`, counted in place (a copy of a long
  /// timeline for one question cost explore a twentieth of its time).
  std::size_t count(const std::function<bool(const TimelineEvent&)>& pred) const;
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
  mutable std::mutex mutex_;
  std::ofstream out_;
  std::vector<TimelineEvent> events_;
  bool flush_each_ = true;
};

std::string to_json_line(const TimelineEvent& event);
/// Reads timeline.jsonl; a bad line is a HarnessError naming file:line. A
/// last line cut short by a crash (no newline) is ignored; so is the cut
/// start of a line that an older resume appended a whole event to (the
/// event is kept). Each is described in `warnings` when given.
std::vector<TimelineEvent> load_timeline(const std::filesystem::path& file,
                                         std::vector<std::string>* warnings = nullptr);

}  // namespace failover_hil::hil
