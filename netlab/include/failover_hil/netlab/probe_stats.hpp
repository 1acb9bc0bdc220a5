#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "failover_hil/netlab/probe.hpp"

namespace failover_hil::netlab {

/// A histogram of non-negative nanosecond values with 64 buckets per power
/// of two: percentiles within 1.6 % of the true value, in fixed memory
/// (runs of hours at 10 kHz keep no per-probe data). Not thread-safe.
class Histogram {
 public:
  void add(std::int64_t value_ns);
  std::uint64_t count() const noexcept { return count_; }
  std::int64_t max() const noexcept { return max_; }
  /// The value at quantile `q` in [0, 1] (the midpoint of its bucket,
  /// clamped to the maximum seen); 0 when empty.
  std::int64_t percentile(double q) const;

  static std::size_t bucket_of(std::uint64_t value) noexcept;
  static std::uint64_t bucket_low(std::size_t bucket) noexcept;
  static std::uint64_t bucket_high(std::size_t bucket) noexcept;

 private:
  static constexpr std::size_t kBuckets = 64 * 60;
  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  std::int64_t max_ = 0;
};

/// p50 / p99 / p99.9 of a histogram, in nanoseconds.
struct Percentiles {
  std::int64_t p50 = 0;
  std::int64_t p99 = 0;
  std::int64_t p999 = 0;
  std::int64_t max = 0;
  static Percentiles of(const Histogram& h);
};

/// What a probe client achieved: counts as a traffic generator gives them.
/// See docs/probes.md for the JSON form.
struct ProbeSummary {
  std::string label;
  ProbeKind kind = ProbeKind::tcp_connect;
  std::string target;
  double rate_hz = 0;                             ///< target rate
  std::uint64_t scheduled = 0;                    ///< probes due (sent + skipped)
  std::uint64_t sent = 0;                         ///< probes sent
  std::uint64_t ok = 0;                           ///< answered in time
  std::uint64_t failed = 0;                       ///< sent, not ok (by outcome in `outcomes`)
  std::uint64_t skipped = 0;                      ///< not sent: too many in flight
  std::map<std::string, std::uint64_t> outcomes;  ///< every outcome by name
  std::uint64_t reordered = 0;   ///< answers for a lower seq than one already answered (RFC 4737)
  std::uint64_t duplicates = 0;  ///< second and later answers to one probe (ICMP)
  std::uint64_t late = 0;        ///< answers after the probe's deadline (ICMP)
  double duration_s = 0;         ///< first to last send
  double achieved_rate_hz = 0;   ///< (sent - 1) / duration
  Percentiles send_lateness;     ///< sent - scheduled
  Percentiles send_interval_error;          ///< |(sent[i] - sent[i-1]) - period|
  double send_interval_error_p999_pct = 0;  ///< p99.9 as % of the period
  Percentiles latency;                      ///< of ok probes
  double cpu_s = 0;                         ///< CPU time of the probe thread (user + system)
};

/// Accumulates a summary. Sends are added in sequence order (as the
/// scheduler makes them), records in the order outcomes were known (which
/// is what reordering is counted on). Not thread-safe.
class ProbeStats {
 public:
  ProbeStats(std::string label, ProbeKind kind, std::string target, double rate_hz);
  /// Probe `seq` was sent at `sent_ns` (steady), due at `scheduled_ns`.
  void on_sent(std::uint64_t seq, std::int64_t scheduled_ns, std::int64_t sent_ns);
  /// A probe's final record (skipped ones included).
  void on_record(const ProbeRecord& record);
  /// An answer came for a probe already answered.
  void on_duplicate() { ++summary_.duplicates; }
  /// An answer came after its probe's deadline.
  void on_late() { ++summary_.late; }
  void set_cpu_seconds(double s) { summary_.cpu_s = s; }
  /// The summary so far.
  ProbeSummary summary() const;

 private:
  ProbeSummary summary_;
  ProbeSchedule schedule_;
  Histogram lateness_;
  Histogram interval_error_;
  Histogram latency_;
  bool any_sent_ = false;
  std::int64_t first_sent_ns_ = 0;
  std::int64_t last_sent_ns_ = 0;
  std::uint64_t last_sent_seq_ = 0;
  bool any_answer_ = false;
  std::uint64_t max_answered_seq_ = 0;
};

}  // namespace failover_hil::netlab
