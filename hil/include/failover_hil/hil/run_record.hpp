#pragma once

// What a run proved, as plain data: built from the run's stored history
// (timeline, captures, probe logs) by evaluate_run(), written by the report
// writers (report.hpp). Times are nanoseconds since the UNIX epoch
// (CLOCK_REALTIME), the one clock of a run's timeline and its captures.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "failover_hil/hil/events.hpp"

namespace failover_hil::hil {

/// One step as it ran.
struct StepRecord {
  std::string name;    ///< "backup", "switch", ...
  std::string status;  ///< ok | failed | refused | skipped | not_run
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  std::string message;             ///< why it failed or was refused; what it did
  std::vector<std::string> rules;  ///< the rules its pre/postconditions checked
  bool operator==(const StepRecord&) const = default;
};

/// A typed figure with its unit and, where it has one, a limit.
struct Measurement {
  std::string name;  ///< e.g. switch_downtime_ms.client1
  double value = 0;
  std::string unit;  ///< ms, s, count, ratio
  std::optional<double> limit;
  std::string op = "<=";  ///< how value compares to limit: <=, >=, ==
  bool pass = true;       ///< always true without a limit
  std::string detail;     ///< method, resolution, where it came from
  /// Failed, but the scenario expects this abort: a budget of the service's
  /// quality that the expected fault is allowed to break (see CheckRecord).
  bool waived = false;
  bool operator==(const Measurement&) const = default;
};

/// An invariant over the whole run.
struct CheckRecord {
  std::string name;  ///< e.g. backup_before_update
  std::vector<std::string> rules;
  bool pass = false;
  std::string detail;  ///< what was seen, either way
  /// Failed, but the run aborted safely as the scenario expects and this
  /// check measures the service (an IP conflict, an outage), not safety:
  /// the expected fault is what broke it. Safety checks are never waived.
  bool waived = false;
  bool operator==(const CheckRecord&) const = default;
};

/// An appliance's role, version and state from a given moment on.
struct ApplianceSample {
  std::int64_t t_ns = 0;
  std::string appliance;  ///< appA / appB
  std::string role;       ///< none | primary | backup
  std::string version;    ///< software version
  std::string state;      ///< running | installing | base_update_failed | unrecoverable
  bool shared_ip = false;
  bool operator==(const ApplianceSample&) const = default;
};

/// An outage one client saw, from its capture (headline method).
struct OutageMark {
  std::int64_t start_ns = 0;  ///< first failure
  std::int64_t end_ns = 0;    ///< first success after (or the capture's end)
  std::int64_t length_ns = 0;
  std::string method;         ///< the headline method's name
  std::string step;           ///< the step it falls in ("" outside every step)
  std::string before, after;  ///< appliance that answered before / after
  bool expected = false;      ///< inside a step expected to have one (the switch)
  bool open_end = false;      ///< never recovered before the capture ended
  bool operator==(const OutageMark&) const = default;
};

/// A client's availability lane.
struct ClientLane {
  std::string client;  ///< client1 ...
  struct Interval {
    bool up = true;
    std::int64_t start_ns = 0;
    std::int64_t end_ns = 0;
    bool operator==(const Interval&) const = default;
  };
  std::vector<Interval> intervals;
  std::vector<OutageMark> outages;
  std::uint64_t probes = 0;
  double availability = 1.0;
  bool operator==(const ClientLane&) const = default;
};

/// One line of the run's timeline (timeline.jsonl).
struct TimelineEvent {
  std::int64_t t_ns = 0;
  EventType type = EventType::info;
  std::string step;   ///< the step it belongs to; "" for the run itself
  std::string actor;  ///< harness, appA, appB, client1, operator
  std::string op;     ///< what was done or seen
  std::string detail;
  std::map<std::string, std::string> data;
  bool operator==(const TimelineEvent&) const = default;
};

struct RunRecord {
  std::string schema = "failover-hil/report/1";
  std::string scenario;
  std::string description;
  std::string switch_method;
  std::string run_dir;
  std::string target;  ///< "lab default" or "inventory FILE"
  std::int64_t started_ns = 0;
  std::int64_t finished_ns = 0;
  std::string outcome;  ///< completed | aborted_safely | failed | interrupted
  std::string reason;   ///< why it did not complete
  std::string expected_outcome;
  std::string expected_reason;
  bool as_expected = false;  ///< outcome (and reason) as the scenario expects
  std::vector<StepRecord> steps;
  std::vector<Measurement> measurements;
  std::vector<CheckRecord> checks;
  std::vector<ApplianceSample> samples;
  std::vector<ClientLane> clients;
  std::vector<TimelineEvent> events;
  /// Files of the run directory by role: captures, probe logs, simulator logs.
  std::map<std::string, std::vector<std::string>> artifacts;

  /// The outcome is as expected and every check and measurement passed or
  /// was waived by that expected outcome.
  bool passed() const;
  /// Field by field, as the report.json round trip must preserve them.
  bool operator==(const RunRecord&) const = default;
};

}  // namespace failover_hil::hil
