#include "failover_hil/netlab/probe_stats.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace failover_hil::netlab {

// Bucket b < 64 holds the value b; above, 64 sub-buckets per power of two:
// value v with bit width w >= 7 goes to 64 * (w - 6) + ((v >> (w - 7)) - 64).
std::size_t Histogram::bucket_of(std::uint64_t value) noexcept {
  if (value < 64) return static_cast<std::size_t>(value);
  const int width = static_cast<int>(std::bit_width(value));
  const int shift = width - 7;
  const auto sub = static_cast<std::size_t>((value >> shift) - 64);
  return std::min<std::size_t>(64 * static_cast<std::size_t>(width - 6) + sub, kBuckets - 1);
}

std::uint64_t Histogram::bucket_low(std::size_t bucket) noexcept {
  if (bucket < 64) return bucket;
  const std::size_t group = bucket / 64;  // width - 6
  const std::size_t sub = bucket % 64;
  return (64 + std::uint64_t{sub}) << (group - 1);
}

std::uint64_t Histogram::bucket_high(std::size_t bucket) noexcept {
  if (bucket < 64) return bucket;
  const std::size_t group = bucket / 64;
  return bucket_low(bucket) + (std::uint64_t{1} << (group - 1)) - 1;
}

void Histogram::add(std::int64_t value_ns) {
  const auto v = static_cast<std::uint64_t>(std::max<std::int64_t>(value_ns, 0));
  ++buckets_[bucket_of(v)];
  ++count_;
  max_ = std::max(max_, static_cast<std::int64_t>(v));
}

std::int64_t Histogram::percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // The smallest value with at least ceil(q * count) values at or below it.
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  if (rank >= count_) return max_;  // the top rank is known exactly
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < kBuckets; ++b) {
    seen += buckets_[b];
    if (seen >= rank) {
      const auto mid = (bucket_low(b) + bucket_high(b)) / 2;
      return std::min(static_cast<std::int64_t>(mid), max_);
    }
  }
  return max_;
}

Percentiles Percentiles::of(const Histogram& h) {
  return {h.percentile(0.5), h.percentile(0.99), h.percentile(0.999), h.max()};
}

ProbeStats::ProbeStats(std::string label, ProbeKind kind, std::string target, double rate_hz)
    : schedule_(rate_hz) {
  summary_.label = std::move(label);
  summary_.kind = kind;
  summary_.target = std::move(target);
  summary_.rate_hz = rate_hz;
}

void ProbeStats::on_sent(std::uint64_t seq, std::int64_t scheduled_ns, std::int64_t sent_ns) {
  ++summary_.sent;
  lateness_.add(sent_ns - scheduled_ns);
  if (any_sent_ && seq > last_sent_seq_) {
    // Skipped probes between the two count as intervals the sender kept.
    const auto expected = schedule_.due(seq).count() - schedule_.due(last_sent_seq_).count();
    const auto interval = sent_ns - last_sent_ns_;
    interval_error_.add(interval > expected ? interval - expected : expected - interval);
  }
  if (!any_sent_) first_sent_ns_ = sent_ns;
  any_sent_ = true;
  last_sent_ns_ = sent_ns;
  last_sent_seq_ = seq;
}

void ProbeStats::on_record(const ProbeRecord& r) {
  ++summary_.scheduled;
  ++summary_.outcomes[std::string(to_string(r.outcome))];
  if (r.outcome == ProbeOutcome::skipped) {
    ++summary_.skipped;
    return;
  }
  if (r.outcome != ProbeOutcome::ok) {
    ++summary_.failed;
    return;
  }
  ++summary_.ok;
  latency_.add(r.latency_ns);
  // RFC 4737: an answer is reordered when a higher sequence number was
  // answered before it.
  if (any_answer_ && r.seq < max_answered_seq_) ++summary_.reordered;
  if (!any_answer_ || r.seq > max_answered_seq_) max_answered_seq_ = r.seq;
  any_answer_ = true;
}

ProbeSummary ProbeStats::summary() const {
  ProbeSummary s = summary_;
  s.duration_s = static_cast<double>(last_sent_ns_ - first_sent_ns_) / 1e9;
  s.achieved_rate_hz =
      s.sent > 1 && s.duration_s > 0 ? static_cast<double>(s.sent - 1) / s.duration_s : 0.0;
  s.send_lateness = Percentiles::of(lateness_);
  s.send_interval_error = Percentiles::of(interval_error_);
  s.send_interval_error_p999_pct = 100.0 * static_cast<double>(s.send_interval_error.p999) /
                                   static_cast<double>(schedule_.period().count());
  s.latency = Percentiles::of(latency_);
  return s;
}

}  // namespace failover_hil::netlab
