#include "failover_hil/netlab/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <limits>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "established_flows.hpp"
#include "failover_hil/core/byte_reader.hpp"
#include "failover_hil/netlab/pcap_file.hpp"
#include "flat_u64_map.hpp"
#include "packet_fingerprint.hpp"

namespace failover_hil::netlab {

const char* method_name(OutageMethod m) {
  switch (m) {
    case OutageMethod::timestamp_based:
      return "timestamp-based";
    case OutageMethod::time_based_loss:
      return "time-based-loss";
    case OutageMethod::packet_loss_based:
      return "packet-loss-based";
  }
  return "?";
}

const char* bound_name(LengthBound b) {
  return b == LengthBound::bounded ? "bounded" : "lower-bound";
}

const char* probe_kind_name(WireProbeKind k) {
  return k == WireProbeKind::tcp_connect ? "tcp-connect" : "icmp-echo";
}

const char* announcement_kind_name(Announcement::Kind k) {
  switch (k) {
    case Announcement::Kind::garp_request:
      return "garp-request";
    case Announcement::Kind::garp_reply:
      return "garp-reply";
    case Announcement::Kind::unsolicited_na:
      return "unsolicited-na";
  }
  return "?";
}

namespace {

constexpr std::size_t kMaxAnnouncements = 10000;
constexpr std::size_t kMaxHistogramBins = 4096;
// Trackers not touched by a packet still time their probes out this often.
constexpr std::int64_t kSweepEveryNs = 100'000'000;
/// A record more than this before the capture's latest is a damaged time
/// (an NTP step, a corrupt record), not a reordering: queues reorder by
/// microseconds. A record more than this after it is held until the records
/// after it tell a jump of the capture from a damaged record.
constexpr std::int64_t kMaxStepBackNs = 1'000'000'000;
/// Records that follow on from a jump ahead before it is taken as the
/// capture's own (a pause, a clock stepped forward for good).
constexpr std::size_t kRecordsToTrustAJump = 16;

// `unanswered`: still pending when the capture ended, past the answer-time
// estimate; a failure, counted as lost and marked.
enum class Outcome : std::uint8_t { pending, success, refused, lost, unanswered };

struct Slot {
  std::int64_t sent = 0;
  std::int64_t answer = 0;
  std::uint64_t flow = 0;
  MacAddress mac;
  bool has_mac = false;
  Outcome outcome = Outcome::pending;
};

/// The median of the intervals between probes without keeping them all: a
/// histogram that coarsens (x10) whenever it would exceed kMaxHistogramBins.
/// Exact while the intervals take few distinct values (a steady prober).
/// Bins live in a flat hash map (one look-up per probe, where a std::map
/// walked a dozen nodes) and are sorted only for the median.
class IntervalHistogram {
 public:
  void add(std::int64_t d) {
    const auto bin = static_cast<std::uint64_t>(d / granularity_ * granularity_);
    if (auto* n = bins_.find(bin))
      ++*n;
    else
      bins_.set(bin, 1);
    ++count_;
    if (bins_.size() > kMaxHistogramBins) {
      granularity_ *= 10;
      FlatU64Map coarse;
      bins_.for_each([&](std::uint64_t k, std::uint64_t n) {
        const auto c =
            k / static_cast<std::uint64_t>(granularity_) * static_cast<std::uint64_t>(granularity_);
        if (auto* m = coarse.find(c))
          *m += n;
        else
          coarse.set(c, n);
      });
      bins_ = std::move(coarse);
    }
  }
  std::optional<std::int64_t> median() const {
    if (count_ == 0) return std::nullopt;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> sorted;
    bins_.for_each([&](std::uint64_t k, std::uint64_t n) { sorted.emplace_back(k, n); });
    std::sort(sorted.begin(), sorted.end());
    const std::uint64_t want = (count_ - 1) / 2;  // lower median
    std::uint64_t seen = 0;
    for (const auto& [k, n] : sorted) {
      seen += n;
      if (seen > want) return static_cast<std::int64_t>(k);
    }
    return static_cast<std::int64_t>(sorted.back().first);
  }

 private:
  FlatU64Map bins_;
  std::int64_t granularity_ = 1;
  std::uint64_t count_ = 0;
};

struct RawOutage {
  std::optional<Slot> last_success;
  Slot first_failure;
  Slot last_failure;
  std::optional<Slot> first_success_after;
  std::uint64_t lost = 0;
  std::uint64_t refused = 0;
  std::uint64_t unanswered = 0;
};

/// How long an answer takes, after RFC 6298's retransmission timer:
/// SRTT + 4 RTTVAR, from the answered probes. A probe still unanswered at
/// the capture's end that has waited longer than this has failed as far as
/// the capture can tell. Before any answer: 0 (every waiting probe failed).
class AnswerTimeEstimate {
 public:
  void add(std::int64_t rtt) {
    if (!any_) {
      srtt_ = rtt;
      rttvar_ = rtt / 2;
      any_ = true;
      return;
    }
    const std::int64_t err = rtt > srtt_ ? rtt - srtt_ : srtt_ - rtt;
    rttvar_ += (err - rttvar_) / 4;
    srtt_ += (rtt - srtt_) / 8;
  }
  std::int64_t timeout() const { return any_ ? srtt_ + 4 * rttvar_ : 0; }

 private:
  std::int64_t srtt_ = 0;
  std::int64_t rttvar_ = 0;
  bool any_ = false;
};

OutageLength figure(OutageMethod m, std::int64_t length, std::int64_t interval, LengthBound b) {
  const auto probes = interval > 0 && length > 0
                          ? static_cast<std::uint64_t>((length + interval / 2) / interval)
                          : 0;
  return {m, length, interval, probes, b};
}

struct TrackerKey {
  IpAddress client;
  IpAddress site;
  std::uint16_t port = 0;
  WireProbeKind kind = WireProbeKind::tcp_connect;
  // Compared on every packet: a word at a time, not through memcmp calls.
  bool operator==(const TrackerKey& o) const {
    std::uint64_t a[4], b[4];
    std::memcpy(a, client.bytes.data(), 16);
    std::memcpy(a + 2, site.bytes.data(), 16);
    std::memcpy(b, o.client.bytes.data(), 16);
    std::memcpy(b + 2, o.site.bytes.data(), 16);
    return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) == 0 && port == o.port &&
           kind == o.kind && client.v6 == o.client.v6 && site.v6 == o.site.v6;
  }
};

// Hashes the two addresses a word at a time (four multiplies), where FNV
// byte by byte took 37 dependent multiplies per packet (issue 15: 29 % of
// the analyser's time).
struct TrackerKeyHash {
  std::size_t operator()(const TrackerKey& k) const noexcept {
    std::uint64_t w[4];
    std::memcpy(w, k.client.bytes.data(), 16);
    std::memcpy(w + 2, k.site.bytes.data(), 16);
    std::uint64_t h = (std::uint64_t{k.port} << 16 | std::uint64_t{k.client.v6} << 8 |
                       static_cast<std::uint64_t>(k.kind)) *
                      0x9e3779b97f4a7c15ull;
    for (const auto x : w) h = (h ^ x) * 0xff51afd7ed558ccdull;
    return static_cast<std::size_t>(h ^ (h >> 29));
  }
};

/// One client's probes to one site: in-flight probes in send order, and the
/// outage state machine fed with outcomes in send order.
class Tracker {
 public:
  Tracker(const TrackerKey& key, const AnalysisOptions& options) : options_(options) {
    report_.client = key.client;
    report_.site = key.site;
    report_.site_port = key.port;
    report_.kind = key.kind;
  }

  void on_probe(std::int64_t ts, std::uint64_t flow) {
    settle(ts);
    if (const auto* at = flow_.find(flow); at != nullptr && *at >= base_) {
      ++report_.retransmissions;
      return;
    }
    // A capture's timestamps can step back a little (several CPUs
    // capturing); such an interval counts as 0, never as a negative bin.
    if (last_sent_) intervals_.add(std::max<std::int64_t>(0, ts - *last_sent_));
    last_sent_ = ts;
    if (report_.probes == 0) report_.first_probe_ns = ts;
    report_.last_probe_ns = ts;
    ++report_.probes;
    // Probes leaving the window are not erased one by one (a cold cache line
    // each): their entries go stale below base_ and are reused or dropped.
    flow_.set_over_stale(flow, base_ + window_.size(), base_);
    window_.push_back(Slot{ts, 0, flow, {}, false, Outcome::pending});
  }

  void on_answer(std::int64_t ts, std::uint64_t flow, bool success, const MacAddress& mac,
                 bool has_mac) {
    settle(ts);
    const auto* at = flow_.find(flow);
    if (at == nullptr || *at < base_) return;  // not a probe we saw
    const std::uint64_t index = *at;
    Slot& s = window_[index - base_];
    if (s.outcome == Outcome::pending) {
      if (ts - s.sent > options_.answer_timeout_ns) {
        s.outcome = Outcome::lost;
        ++report_.late_answers;
      } else {
        s.outcome = success ? Outcome::success : Outcome::refused;
        s.answer = ts;
        if (success) rtt_.add(ts - s.sent);
        s.mac = mac;
        s.has_mac = has_mac;
        if (any_answered_ && index < max_answered_) ++report_.reordered_answers;
        max_answered_ = std::max(max_answered_, index);
        any_answered_ = true;
      }
    } else if (s.outcome == Outcome::lost) {
      ++report_.late_answers;
    } else if (success || s.outcome == Outcome::refused) {
      ++report_.duplicate_answers;
    }
    emit();
  }

  /// Times out what is due at `now`, passes settled probes on, forgets old ones.
  void settle(std::int64_t now) {
    for (;;) {
      emit();
      if (emit_next_ >= base_ + window_.size()) break;
      Slot& s = window_[emit_next_ - base_];
      if (now - s.sent <= options_.answer_timeout_ns) break;
      s.outcome = Outcome::lost;
    }
    // Keep settled probes a while to recognise duplicate and late answers.
    while (!window_.empty() && base_ < emit_next_ &&
           now - window_.front().sent > 2 * options_.answer_timeout_ns) {
      window_.pop_front();
      ++base_;
    }
  }

  ClientReport finish(std::int64_t capture_start, std::int64_t capture_end,
                      const AnalysisOptions& options) {
    settle(capture_end);
    // Probes whose timeout had not run out when the capture ended: one that
    // waited longer than an answer takes (the RTO estimate) failed as far as
    // the capture can tell, so an outage seen starting is reported (open, or
    // partial); one sent later is undecided. The rest pass on in order.
    const std::int64_t grace = std::min(rtt_.timeout(), options_.answer_timeout_ns);
    for (; emit_next_ < base_ + window_.size(); ++emit_next_) {
      Slot& s = window_[emit_next_ - base_];
      if (s.outcome != Outcome::pending) {
        outcome(s);
      } else if (capture_end - s.sent > grace) {
        s.outcome = Outcome::unanswered;
        outcome(s);
      } else {
        ++report_.undecided;
      }
    }
    window_.clear();
    flow_.clear();
    if (current_) outages_.push_back(*std::exchange(current_, std::nullopt));

    auto& r = report_;
    if (options.rate_hz > 0) {
      r.rate_hz = options.rate_hz;
      r.rate_inferred = false;
    } else if (const auto m = intervals_.median(); m && *m > 0) {
      r.rate_hz = 1e9 / static_cast<double>(*m);
    }
    const std::int64_t interval = r.rate_hz > 0 ? std::llround(1e9 / r.rate_hz) : 0;
    r.resolution_ns = interval;
    const auto decided = r.answered + r.refused + r.lost;
    r.availability =
        decided == 0 ? 0.0 : static_cast<double>(r.answered) / static_cast<double>(decided);
    if (!r.timeline.empty()) r.timeline.back().end_ns = last_outcome_sent_ + interval;

    const auto name = [&](const Slot& s) {
      if (!s.has_mac) return std::string();
      const auto it = options.appliance_macs.find(s.mac);
      return it != options.appliance_macs.end() ? it->second : s.mac.str();
    };
    const auto mark = [&](const Slot& s) { return ProbeMark{s.sent, s.answer, name(s)}; };
    std::int64_t total[3] = {0, 0, 0};
    auto total_bound = LengthBound::bounded;
    for (const auto& raw : outages_) {
      Outage o;
      if (raw.last_success) o.last_success = mark(*raw.last_success);
      o.first_failure = mark(raw.first_failure);
      o.last_failure = mark(raw.last_failure);
      if (raw.first_success_after) o.first_success_after = mark(*raw.first_success_after);
      o.lost = raw.lost;
      o.refused = raw.refused;
      o.unanswered_at_end = raw.unanswered;
      o.open_start = !raw.last_success;
      o.open_end = !raw.first_success_after;
      o.open_reason = o.open_end     ? "capture ended while down"
                      : o.open_start ? "capture started while down"
                                     : "";
      o.partial = raw.unanswered > 0;
      const auto bound =
          o.open_start || o.open_end ? LengthBound::lower_bound : LengthBound::bounded;
      // time-based-loss: the loss interval on the probe schedule.
      const std::int64_t loss_to = raw.first_success_after ? raw.first_success_after->sent
                                                           : raw.last_failure.sent + interval;
      const std::int64_t by_schedule = loss_to - raw.first_failure.sent;
      // timestamp-based: answer to answer, less the one healthy interval
      // between the last success and the first failure, so that it counts
      // the failed probes as the other two do (and shows an RTT change).
      const std::int64_t ts_from =
          raw.last_success ? raw.last_success->answer + interval : capture_start;
      const std::int64_t ts_to =
          raw.first_success_after ? raw.first_success_after->answer : capture_end;
      // packet-loss-based: failed probes, plus the schedule's slots in the
      // loss interval that no probe in the capture filled (a prober that
      // skipped, a capture that dropped): they were not answered either.
      const auto failed = raw.lost + raw.refused;
      const std::uint64_t slots = interval > 0 ? static_cast<std::uint64_t>(std::max<std::int64_t>(
                                                     0, (by_schedule + interval / 2) / interval))
                                               : 0;
      o.missing = slots > failed ? slots - failed : 0;
      const std::int64_t by_count =
          r.rate_hz > 0 ? std::llround(static_cast<double>(failed + o.missing) * 1e9 / r.rate_hz)
                        : 0;
      o.lengths = {figure(OutageMethod::time_based_loss, by_schedule, interval, bound),
                   figure(OutageMethod::timestamp_based, ts_to - ts_from, interval, bound),
                   figure(OutageMethod::packet_loss_based, by_count, interval, bound)};
      for (std::size_t i = 0; i < 3; ++i) {
        total[i] += o.lengths[i].length_ns;
        if (bound == LengthBound::lower_bound) total_bound = bound;
      }
      r.outages.push_back(std::move(o));
    }
    r.total_downtime = {figure(OutageMethod::time_based_loss, total[0], interval, total_bound),
                        figure(OutageMethod::timestamp_based, total[1], interval, total_bound),
                        figure(OutageMethod::packet_loss_based, total[2], interval, total_bound)};
    return std::move(r);
  }

 private:
  void emit() {
    while (emit_next_ < base_ + window_.size()) {
      const Slot& s = window_[emit_next_ - base_];
      if (s.outcome == Outcome::pending) return;
      outcome(s);
      ++emit_next_;
    }
  }

  void outcome(const Slot& s) {
    const bool up = s.outcome == Outcome::success;
    auto& tl = report_.timeline;
    if (tl.empty() || tl.back().up != up) {
      if (!tl.empty()) tl.back().end_ns = s.sent;
      tl.push_back({up, s.sent, s.sent, 0});
    }
    ++tl.back().probes;
    last_outcome_sent_ = s.sent;
    switch (s.outcome) {
      case Outcome::success:
        ++report_.answered;
        if (current_) {
          current_->first_success_after = s;
          outages_.push_back(*std::exchange(current_, std::nullopt));
        }
        last_success_ = s;
        return;
      case Outcome::refused:
        ++report_.refused;
        break;
      case Outcome::lost:
        ++report_.lost;
        break;
      case Outcome::unanswered:
        ++report_.lost;
        ++report_.unanswered_at_end;
        break;
      case Outcome::pending:
        return;
    }
    if (!current_) {
      current_.emplace();
      current_->last_success = last_success_;
      current_->first_failure = s;
    }
    current_->last_failure = s;
    if (s.outcome == Outcome::refused) {
      ++current_->refused;
    } else {
      ++current_->lost;
      if (s.outcome == Outcome::unanswered) ++current_->unanswered;
    }
  }

  const AnalysisOptions& options_;
  ClientReport report_;
  std::deque<Slot> window_;
  std::uint64_t base_ = 0;       // absolute index of window_.front()
  std::uint64_t emit_next_ = 0;  // absolute index of the next probe to pass on
  FlatU64Map flow_;              // flow -> absolute index
  std::uint64_t max_answered_ = 0;
  bool any_answered_ = false;
  std::optional<std::int64_t> last_sent_;
  std::int64_t last_outcome_sent_ = 0;
  IntervalHistogram intervals_;
  AnswerTimeEstimate rtt_;
  std::optional<Slot> last_success_;
  std::optional<RawOutage> current_;
  std::vector<RawOutage> outages_;
};

struct Claim {
  MacAddress mac;
  std::int64_t last = 0;
};

}  // namespace

struct Analyzer::State {
  explicit State(AnalysisOptions o) : options(std::move(o)) {}

  AnalysisOptions options;
  AnalysisReport report;
  EstablishedFlows flows{options, report};
  std::unordered_map<TrackerKey, std::unique_ptr<Tracker>, TrackerKeyHash> trackers;
  std::vector<std::pair<TrackerKey, Tracker*>> order;  // creation order, for sweeps
  TrackerKey last_key;
  Tracker* last_tracker = nullptr;
  // Copies across files / on a mirror port: fingerprint -> first timestamp
  // (low byte: its file), in two generations of one copy window each, so
  // memory holds two windows of packets.
  bool drop_copies = false;
  FlatU64Map copies_now, copies_before;
  std::int64_t copies_since = 0;
  std::map<IpAddress, std::vector<Claim>> claims;
  std::int64_t last_sweep = std::numeric_limits<std::int64_t>::min();
  bool any_packet = false;
  std::uint64_t records = 0;        ///< every record given to add(), skipped ones too
  std::uint64_t damaged_times = 0;  ///< records skipped for a damaged time
  /// A record stamped more than kMaxStepBackNs after the capture's latest,
  /// and those following on from it, not analysed yet: if the records after
  /// them go back to the capture's time they were damaged (issue 16: one
  /// record three hours ahead made a three-hour outage and every record
  /// after it was skipped as stepping back).
  struct Held {
    PacketView view;
    std::vector<std::uint8_t> bytes;
    std::uint64_t number = 0;
  };
  std::vector<Held> ahead;

  std::string appliance(const MacAddress& mac) const {
    const auto it = options.appliance_macs.find(mac);
    return it != options.appliance_macs.end() ? it->second : mac.str();
  }

  Tracker* find(const TrackerKey& key, bool create) {
    // Consecutive packets mostly belong to one client: try its tracker first.
    if (last_tracker != nullptr && key == last_key) return last_tracker;
    if (const auto it = trackers.find(key); it != trackers.end()) {
      last_key = key;
      last_tracker = it->second.get();
      return last_tracker;
    }
    if (!create) return nullptr;
    auto t = std::make_unique<Tracker>(key, options);
    auto* raw = t.get();
    trackers.emplace(key, std::move(t));
    order.emplace_back(key, raw);
    return raw;
  }

  bool site_matches(const IpAddress& ip, std::uint16_t port, bool tcp) const {
    if (options.site_ip && ip != *options.site_ip) return false;
    if (tcp && options.site_port && port != *options.site_port) return false;
    return true;
  }

  void announce(Announcement::Kind kind, std::int64_t ts, const IpAddress& ip,
                const MacAddress& mac) {
    if (report.announcements.size() < kMaxAnnouncements)
      report.announcements.push_back({kind, ts, ip, mac, appliance(mac)});
    else
      ++report.announcements_omitted;
  }

  // R23: a MAC claims `ip` (ARP reply, gratuitous ARP, neighbour
  // advertisement). An announcement supersedes other owners' earlier claims
  // (a deliberate move); any other claim while another MAC claimed the IP
  // within the window is a conflict.
  void claim(std::int64_t ts, const IpAddress& ip, const MacAddress& mac, bool announcement) {
    auto& owners = claims[ip];
    for (auto& other : owners) {
      if (other.mac == mac || same_appliance(other.mac, mac) ||
          ts - other.last > options.conflict_window_ns)
        continue;
      if (announcement) {
        other.last = std::numeric_limits<std::int64_t>::min() / 2;
        continue;
      }
      conflict(ts, ip, other.mac, mac);
    }
    const auto own =
        std::find_if(owners.begin(), owners.end(), [&](const Claim& c) { return c.mac == mac; });
    if (own != owners.end())
      own->last = ts;
    else
      owners.push_back({mac, ts});
  }

  void skip_damaged_time(const PacketView& p, std::uint64_t number, const std::string& what) {
    report.partial = true;
    if (++damaged_times > 16) return;  // the first ones say enough
    const auto source = p.source < report.sources.size() ? report.sources[p.source] : "";
    report.errors.push_back({source, 0,
                             "packet " + std::to_string(number) + ": " + what +
                                 "; skipped, and the analysis is partial"});
  }

  static std::string seconds(std::int64_t ns) {
    return std::to_string(static_cast<double>(ns) / 1e9);
  }

  void hold(const PacketView& p) {
    Held h{p, {p.bytes.begin(), p.bytes.end()}, records};
    ahead.push_back(std::move(h));
  }

  /// The held records followed on from their jump: the capture's own.
  void take_held() {
    auto held = std::move(ahead);
    ahead.clear();
    for (auto& h : held) {
      h.view.bytes = h.bytes;
      analyse(h.view, h.number);
    }
  }

  /// The held records were damaged: `why` says how that shows.
  void skip_held(const char* why) {
    for (const auto& h : ahead)
      skip_damaged_time(h.view, h.number,
                        "its time is " + seconds(h.view.timestamp_ns - report.last_packet_ns) +
                            " s ahead of the capture's latest, " + why +
                            " (an NTP step or a damaged record)");
    ahead.clear();
  }

  /// Two MACs named as one appliance: its interface rebuilt (a resumed run's
  /// lab), not two holders.
  bool same_appliance(const MacAddress& a, const MacAddress& b) const {
    const auto x = options.appliance_macs.find(a), y = options.appliance_macs.find(b);
    return x != options.appliance_macs.end() && y != options.appliance_macs.end() &&
           x->second == y->second;
  }

  void conflict(std::int64_t ts, const IpAddress& ip, const MacAddress& earlier,
                const MacAddress& later) {
    for (auto& c : report.conflicts) {
      const bool same_pair = (c.first_mac == earlier && c.second_mac == later) ||
                             (c.first_mac == later && c.second_mac == earlier);
      if (c.ip == ip && same_pair && ts - c.last_seen_ns <= options.conflict_window_ns) {
        c.last_seen_ns = ts;
        ++c.claims;
        return;
      }
    }
    report.conflicts.push_back(
        {ip, earlier, later, appliance(earlier), appliance(later), ts, ts, 1, "R23"});
  }

  void add(const PacketView& p) {
    ++records;
    const std::int64_t ts = p.timestamp_ns;
    if (!ahead.empty()) {
      if (ts >= ahead.front().view.timestamp_ns - kMaxStepBackNs) {
        hold(p);
        if (ahead.size() >= kRecordsToTrustAJump) take_held();
        return;
      }
      if (ts >= report.last_packet_ns - kMaxStepBackNs)
        skip_held("and the packets after it are not");
    } else if (any_packet && ts > report.last_packet_ns + kMaxStepBackNs) {
      hold(p);
      return;
    }
    analyse(p, records);
  }

  void analyse(const PacketView& p, std::uint64_t number) {
    const std::int64_t ts = p.timestamp_ns;
    if (any_packet && ts < report.last_packet_ns - kMaxStepBackNs) {
      // Left in, one such record made a 56-year outage (issue 16).
      skip_damaged_time(p, number,
                        "its time steps back " + seconds(report.last_packet_ns - ts) +
                            " s from the capture's latest (an NTP step or a damaged record)");
      return;
    }
    if (!any_packet) {
      report.first_packet_ns = ts;
      last_sweep = ts;
    }
    any_packet = true;
    report.last_packet_ns = std::max(report.last_packet_ns, ts);
    ++report.packets;
    if (ts - last_sweep >= kSweepEveryNs) {
      for (auto& [key, t] : order) t->settle(ts);
      flows.sweep(ts);
      last_sweep = ts;
    }
    const auto lt = static_cast<LinkType>(p.linktype);
    if (lt != LinkType::ethernet && lt != LinkType::linux_sll && lt != LinkType::linux_sll2 &&
        lt != LinkType::raw) {
      ++report.undecoded;
      return;
    }
    const DecodedFrame f = decode_frame(p.linktype, p.bytes);
    if ((drop_copies || options.mirror_port) && is_copy(ts, p.source, f)) {
      ++report.copies_dropped;
      return;
    }
    switch (f.kind) {
      case DecodedFrame::Kind::tcp: {
        using namespace tcp_flag;
        const auto flags = f.tcp_flags;
        if ((flags & syn) && !(flags & ack) && !(flags & rst)) {
          if (!site_matches(f.dst, f.dst_port, true)) return;
          find({f.src, f.dst, f.dst_port, WireProbeKind::tcp_connect}, true)
              ->on_probe(ts, std::uint64_t{f.src_port} << 32 | f.seq);
        } else if ((flags & syn) && (flags & ack)) {
          answer_syn(ts, f, true);
        } else {
          // A RST answers a SYN, or resets an established flow.
          if (flags & rst) answer_syn(ts, f, false);
          if (f.payload_length > 0 || !flows.empty()) {
            flows.on_segment(ts, f, [&] {
              // The side that probed the other is the client; else the
              // higher (ephemeral) port.
              if (find({f.src, f.dst, f.dst_port, WireProbeKind::tcp_connect}, false)) return true;
              if (find({f.dst, f.src, f.src_port, WireProbeKind::tcp_connect}, false)) return false;
              return f.src_port > f.dst_port;
            });
          }
        }
        return;
      }
      case DecodedFrame::Kind::icmp_unreachable: {
        // Port or host unreachable refuses the probe it quotes (src, dst,
        // ports and sequence are the quoted probe's).
        if (f.unreachable_inner == DecodedFrame::Inner::tcp) {
          if (auto* t = find({f.src, f.dst, f.dst_port, WireProbeKind::tcp_connect}, false))
            t->on_answer(ts, std::uint64_t{f.src_port} << 32 | f.seq, false, f.src_mac, f.has_mac);
        } else if (auto* t = find({f.src, f.dst, 0, WireProbeKind::icmp_echo}, false)) {
          t->on_answer(ts, std::uint64_t{f.echo_id} << 16 | f.echo_seq, false, f.src_mac,
                       f.has_mac);
        }
        return;
      }
      case DecodedFrame::Kind::icmp_echo_request:
        if (!site_matches(f.dst, 0, false)) return;
        find({f.src, f.dst, 0, WireProbeKind::icmp_echo}, true)
            ->on_probe(ts, std::uint64_t{f.echo_id} << 16 | f.echo_seq);
        return;
      case DecodedFrame::Kind::icmp_echo_reply:
        if (auto* t = find({f.dst, f.src, 0, WireProbeKind::icmp_echo}, false))
          t->on_answer(ts, std::uint64_t{f.echo_id} << 16 | f.echo_seq, true, f.src_mac, f.has_mac);
        return;
      case DecodedFrame::Kind::arp: {
        const bool unspecified = f.src == IpAddress{};
        if (unspecified) return;  // an RFC 5227 probe claims nothing
        const bool gratuitous = f.src == f.dst;
        if (gratuitous) {
          announce(
              f.arp_op == 2 ? Announcement::Kind::garp_reply : Announcement::Kind::garp_request, ts,
              f.src, f.arp_sender_mac);
          claim(ts, f.src, f.arp_sender_mac, true);
        } else if (f.arp_op == 2) {
          claim(ts, f.src, f.arp_sender_mac, false);
        }
        return;
      }
      case DecodedFrame::Kind::ndp_na: {
        const MacAddress mac = f.na_has_mac ? f.na_mac : f.src_mac;
        if (!f.na_has_mac && !f.has_mac) return;
        if (!f.na_solicited) announce(Announcement::Kind::unsolicited_na, ts, f.dst, mac);
        claim(ts, f.dst, mac, !f.na_solicited);
        return;
      }
      case DecodedFrame::Kind::other:
        return;
    }
  }

  // A packet already seen from another file (or, on a mirror port, from
  // any) within the copy window is that packet again.
  bool is_copy(std::int64_t ts, std::uint32_t source, const DecodedFrame& f) {
    const auto fp = packet_fingerprint(f);
    if (!fp) return false;
    if (ts - copies_since > options.copy_window_ns) {
      copies_before = std::move(copies_now);
      copies_now.clear();
      copies_since = ts;
    }
    for (const FlatU64Map* table : {&copies_now, &copies_before}) {
      const auto* seen = table->find(*fp);
      if (seen == nullptr) continue;
      const auto first = static_cast<std::int64_t>(*seen >> 8);
      const auto from = static_cast<std::uint32_t>(*seen & 0xff);
      if ((from != (source & 0xff) || options.mirror_port) &&
          ts - (first << 8) <= options.copy_window_ns)
        return true;
    }
    copies_now.set(*fp, static_cast<std::uint64_t>(ts) >> 8 << 8 | (source & 0xff));
    return false;
  }

  // A SYN-ACK or RST answers the SYN whose ISN + 1 it acknowledges.
  void answer_syn(std::int64_t ts, const DecodedFrame& f, bool success) {
    auto* t = find({f.dst, f.src, f.src_port, WireProbeKind::tcp_connect}, false);
    if (t == nullptr) return;
    t->on_answer(ts, std::uint64_t{f.dst_port} << 32 | (f.ack - 1u), success, f.src_mac, f.has_mac);
  }

  AnalysisReport finish() {
    // Records that follow on from each other stand; a lone last record far
    // ahead of the rest cannot be told from a damaged one.
    if (ahead.size() > 1)
      take_held();
    else
      skip_held("at the capture's end");
    flows.finish(report.last_packet_ns);
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      return std::tie(a.first.client, a.first.site, a.first.port, a.first.kind) <
             std::tie(b.first.client, b.first.site, b.first.port, b.first.kind);
    });
    for (auto& [key, t] : order)
      report.clients.push_back(t->finish(report.first_packet_ns, report.last_packet_ns, options));
    trackers.clear();
    order.clear();
    last_tracker = nullptr;
    return std::move(report);
  }
};

Analyzer::Analyzer(AnalysisOptions options) : state_(std::make_unique<State>(std::move(options))) {}
Analyzer::~Analyzer() = default;
Analyzer::Analyzer(Analyzer&&) noexcept = default;
Analyzer& Analyzer::operator=(Analyzer&&) noexcept = default;

void Analyzer::drop_copies_across_sources() {
  state_->drop_copies = true;
}

void Analyzer::add(const PacketView& packet) {
  state_->add(packet);
}

AnalysisReport Analyzer::finish() {
  return state_->finish();
}

namespace {

// A capture that ended early: what it measured stands, but an outage still
// open at its end may have gone on, and any figure may miss what followed.
void mark_truncated(AnalysisReport& report) {
  for (auto& c : report.clients) {
    for (auto& o : c.outages) {
      if (!o.open_end) continue;
      o.partial = true;
      o.open_reason = "capture truncated while down";
    }
  }
  for (auto& f : report.flows)
    for (auto& o : f.outages)
      if (o.open_end) o.open_reason = "capture truncated while down";
}

}  // namespace

namespace {

AnalysisReport run_analysis(PacketSource& source, const AnalysisOptions& options,
                            bool several_files) {
  Analyzer analyzer(options);
  if (several_files) analyzer.drop_copies_across_sources();
  std::optional<CaptureError> error;
  try {
    while (const auto packet = source.next()) analyzer.add(*packet);
  } catch (const MalformedInput& e) {
    error = CaptureError{source.name(), e.offset(), e.what()};
  }
  auto report = analyzer.finish();
  report.sources = {source.name()};
  report.kernel_drops = source.kernel_drops();
  if (error) {
    report.partial = true;
    report.errors.push_back(*error);
    mark_truncated(report);
  }
  return report;
}

// Each file's place on the first file's time line: given, else estimated
// when asked, else as is.
std::vector<ClockOffset> clock_offsets_for(const std::vector<std::string>& paths,
                                           const AnalysisOptions& options) {
  std::vector<ClockOffset> out;
  if (options.align_clocks) out = estimate_clock_offsets(paths);
  out.resize(paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    auto& c = out[i];
    c.source = paths[i];
    if (const auto it = options.clock_offsets_ns.find(paths[i]);
        it != options.clock_offsets_ns.end()) {
      c = {paths[i], it->second, ClockOffset::Method::given, 0, std::nullopt};
    } else if (i == 0) {
      c.method = ClockOffset::Method::reference;
    } else if (!options.align_clocks) {
      c = {paths[i], 0, ClockOffset::Method::none, 0, std::nullopt};
    }
  }
  return out;
}

}  // namespace

AnalysisReport analyze(PacketSource& source, const AnalysisOptions& options) {
  return run_analysis(source, options, false);
}

AnalysisReport analyze_files(const std::vector<std::string>& paths,
                             const AnalysisOptions& options) {
  std::vector<ClockOffset> clocks;
  std::vector<std::int64_t> offsets;
  if (paths.size() > 1 || !options.clock_offsets_ns.empty()) {
    clocks = clock_offsets_for(paths, options);
    for (const auto& c : clocks) offsets.push_back(c.offset_ns);
  }
  AnalysisReport report;
  if (paths.size() == 1 && offsets.empty()) {
    // One file needs no merge (and its per-packet copy of the view).
    PcapFileSource source(paths[0]);
    report = run_analysis(source, options, false);
  } else {
    MergedFileSource source(paths, offsets);
    report = run_analysis(source, options, paths.size() > 1);
    for (const auto& e : source.errors()) {
      report.partial = true;
      report.errors.push_back({e.path, e.offset, e.message});
    }
  }
  report.sources = paths;
  report.clock_offsets = std::move(clocks);
  if (report.partial) mark_truncated(report);
  return report;
}

std::vector<std::string> unbounded_figures(const AnalysisReport& report) {
  std::vector<std::string> out;
  if (report.partial) out.push_back("the capture is partial (a file ended early)");
  for (const auto& c : report.clients) {
    const auto who = c.client.str() + " -> " + c.site.str();
    for (const auto& o : c.outages) {
      if (o.open_start || o.open_end)
        out.push_back(who + ": an outage is open (" + o.open_reason +
                      "), its length a lower bound");
      else if (o.partial)
        out.push_back(who + ": an outage counts " + std::to_string(o.unanswered_at_end) +
                      " probe(s) whose answer timeout had not run out");
    }
  }
  for (const auto& f : report.flows)
    for (const auto& o : f.outages)
      if (o.open_end)
        out.push_back("flow " + f.client.str() + ":" + std::to_string(f.client_port) + " -> " +
                      f.site.str() + ":" + std::to_string(f.site_port) + ": a " +
                      flow_outage_kind_name(o.kind) + " is open (" + o.open_reason + ")");
  return out;
}

}  // namespace failover_hil::netlab
