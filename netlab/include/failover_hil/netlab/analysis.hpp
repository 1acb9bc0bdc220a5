#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "failover_hil/netlab/clock_offset.hpp"
#include "failover_hil/netlab/decode.hpp"
#include "failover_hil/netlab/mac.hpp"
#include "failover_hil/netlab/packet_source.hpp"

namespace failover_hil::netlab {

/// What the analyser looks for. Everything is optional: with no site, every
/// TCP connection attempt and ICMP echo in the capture is a probe, grouped
/// by (client, destination).
struct AnalysisOptions {
  /// The site's address; only probes to it count.
  std::optional<IpAddress> site_ip;
  /// The site's TCP port; only connects to it count (ICMP echo is unaffected).
  std::optional<std::uint16_t> site_port;
  /// Probe rate in probes per second; 0 infers it per client from the median
  /// interval between probes.
  double rate_hz = 0;
  /// A probe unanswered this long after it was sent is lost. An answer that
  /// comes later is counted as late, not as a success. `failover-hil
  /// analyze --answer-timeout` sets it, or takes the probes' deadline from a
  /// probe log (infer_answer_timeout, probe_log.hpp).
  std::int64_t answer_timeout_ns = kDefaultAnswerTimeoutNs;
  /// The default answer timeout: 2 s, above Linux's first SYN retransmission
  /// (1 s), so a SYN answered on its retransmission still counts as answered.
  static constexpr std::int64_t kDefaultAnswerTimeoutNs = 2'000'000'000;
  /// An established flow (a persistent HTTPS connection) whose data the site
  /// has not acknowledged for longer than this has stalled: an outage of that
  /// flow. 200 ms is Linux's minimum retransmission timeout: a lost segment
  /// is resent no sooner, so a shorter wait is an answer on its way.
  std::int64_t stall_threshold_ns = 200'000'000;
  /// Two MACs claiming one IP within this window is an IP conflict (R23).
  std::int64_t conflict_window_ns = 1'000'000'000;
  /// Appliance names by MAC ("A", "B"); unnamed MACs are shown as the MAC.
  std::map<MacAddress, std::string> appliance_macs;

  // Captures of several hosts, and mirror ports (analyze_files only).
  /// Offsets to add to a file's timestamps (by path, as given to
  /// analyze_files): a PTP/NTP offset its host knew.
  std::map<std::string, std::int64_t> clock_offsets_ns;
  /// Estimate the offset of every file after the first without a given one
  /// from the packets both captured (estimate_clock_offsets).
  bool align_clocks = false;
  /// The capture is from a mirror (SPAN) port that may copy one packet
  /// twice (ingress of one port, egress of another): copies are dropped as
  /// between files.
  bool mirror_port = false;
  /// One packet seen in two files (or twice on a mirror port) within this
  /// window is one packet: the later copy is dropped. SYN and answer
  /// retransmissions come 200 ms or more apart, so they stay.
  std::int64_t copy_window_ns = 10'000'000;
};

/// How a length was measured (RFC 6894 section 3 / RFC 6414 section 3.3).
enum class OutageMethod {
  timestamp_based,   ///< last answer before to first answer after (packet timestamps)
  time_based_loss,   ///< length of the loss interval on the probe schedule
  packet_loss_based  ///< failed probes / offered rate
};
/// "timestamp-based", "time-based-loss", "packet-loss-based".
const char* method_name(OutageMethod m);
/// The headline method of every report (see docs/analysis.md for the others' bias).
inline constexpr OutageMethod kHeadlineMethod = OutageMethod::time_based_loss;

/// How far a length figure can be trusted.
enum class LengthBound {
  bounded,     ///< the true length is within +/- one probe interval of the figure
  lower_bound  ///< the outage was open (capture began or ended inside it): at least this long
};
/// "bounded", "lower-bound".
const char* bound_name(LengthBound b);

/// One length figure: what it is, how it was measured, to what resolution.
/// Every method counts the same probes: a run of k failed probes at interval
/// I gives k x I by each (docs/analysis.md).
struct OutageLength {
  OutageMethod method = OutageMethod::time_based_loss;
  std::int64_t length_ns = 0;
  std::int64_t resolution_ns = 0;  ///< 1 / rate: the figure's uncertainty is +/- this
  std::uint64_t probes = 0;        ///< length_ns / resolution_ns, rounded: probe intervals
  LengthBound bound = LengthBound::bounded;
  bool operator==(const OutageLength&) const = default;
};

/// A probe's identity on the time line.
struct ProbeMark {
  std::int64_t sent_ns = 0;    ///< timestamp of the probe (SYN / echo request)
  std::int64_t answer_ns = 0;  ///< timestamp of its answer (0 for a failure)
  std::string appliance;       ///< name or MAC of who answered ("" for a failure)
};

/// A run of consecutive failed probes (in the order they were sent).
struct Outage {
  std::optional<ProbeMark> last_success;  ///< none when open at the start
  ProbeMark first_failure;
  ProbeMark last_failure;
  std::optional<ProbeMark> first_success_after;  ///< none when open at the end
  std::uint64_t lost = 0;                        ///< failures by silence
  std::uint64_t refused = 0;                     ///< failures by RST or ICMP port/host unreachable
  /// Unanswered when the capture ended, before their timeout ran out: counted
  /// as failures (an outage seen starting is never dropped), see `partial`.
  std::uint64_t unanswered_at_end = 0;
  /// Probe slots of the schedule inside the outage with no probe in the
  /// capture (the prober skipped them, or the capture lost them).
  std::uint64_t missing = 0;
  bool open_start = false;  ///< the capture starts inside the outage
  bool open_end = false;    ///< the client never recovered before the capture ended
  /// Why a figure is open or partial, for people: "capture started while down",
  /// "capture ended while down", "capture truncated while down"; empty when bounded.
  std::string open_reason;
  /// Measured from a capture that ended early (a truncated file) or with
  /// probes whose timeout had not run out: a late answer could still have
  /// shortened it.
  bool partial = false;
  /// By the three methods, headline first; open outages give lower bounds.
  std::vector<OutageLength> lengths;
  /// The headline figure.
  const OutageLength& headline() const { return lengths.front(); }
  bool appliance_changed() const {
    return last_success && first_success_after &&
           last_success->appliance != first_success_after->appliance;
  }
};

/// A stretch of the site's availability as one client saw it.
struct AvailabilityInterval {
  bool up = true;
  std::int64_t start_ns = 0;  ///< send time of the first probe in the stretch
  std::int64_t end_ns = 0;    ///< send time of the next stretch's first probe (or last + 1/rate)
  std::uint64_t probes = 0;
};

/// What a client's probes are.
enum class WireProbeKind { tcp_connect, icmp_echo };
const char* probe_kind_name(WireProbeKind k);

/// One client's view of one site.
struct ClientReport {
  IpAddress client;
  IpAddress site;
  std::uint16_t site_port = 0;  ///< 0 for ICMP echo
  WireProbeKind kind = WireProbeKind::tcp_connect;

  std::uint64_t probes = 0;    ///< distinct probes sent (retransmissions excluded)
  std::uint64_t answered = 0;  ///< successes (SYN-ACK / echo reply in time)
  std::uint64_t refused = 0;   ///< answered with RST or ICMP port/host unreachable
  std::uint64_t lost = 0;      ///< unanswered within the timeout (or by the capture's end)
  /// Sent so shortly before the capture ended that no answer could have been
  /// seen yet (within the answer-time estimate): counted nowhere else.
  std::uint64_t undecided = 0;
  /// Unanswered at the capture's end though their timeout had not run out:
  /// counted as failures (in `lost`) and marked in their outage.
  std::uint64_t unanswered_at_end = 0;
  std::uint64_t retransmissions = 0;    ///< retransmitted SYNs / echo requests
  std::uint64_t reordered_answers = 0;  ///< answers that overtook an earlier probe's answer
  std::uint64_t duplicate_answers = 0;  ///< second and later answers to one probe
  std::uint64_t late_answers = 0;       ///< answers after the timeout (probe counted lost)

  double rate_hz = 0;  ///< offered rate (given or inferred)
  bool rate_inferred = true;
  std::int64_t resolution_ns = 0;  ///< 1 / rate
  std::int64_t first_probe_ns = 0;
  std::int64_t last_probe_ns = 0;
  double availability = 1.0;  ///< answered / (answered + refused + lost)

  std::vector<AvailabilityInterval> timeline;
  std::vector<Outage> outages;
  /// Sum of the outages' lengths by each method (headline first).
  std::vector<OutageLength> total_downtime;
};

/// An outage of one established TCP flow (a persistent HTTPS connection,
/// or any connection that carried the client's data).
struct FlowOutage {
  enum class Kind {
    stall,  ///< the client's data went unacknowledged longer than the stall threshold
    reset   ///< the flow was reset: by the site, or by the client with data unacknowledged
  };
  Kind kind = Kind::stall;
  /// Stall: the last progress (data sent or acknowledged) before it. Reset:
  /// the same when data was waiting, else the RST.
  std::int64_t start_ns = 0;
  /// Stall: the acknowledgement that ended it. Reset: the first
  /// acknowledged data of this client to the site afterwards, on any flow
  /// (it reconnected). The capture's end when open.
  std::int64_t end_ns = 0;
  std::int64_t reset_ns = 0;  ///< reset: when the RST was seen
  std::string reset_by;       ///< reset: "site" or "client"
  /// end - start; a lower bound when open.
  OutageLength length;
  bool open_end = false;
  std::string open_reason;  ///< "capture ended while down" / "... truncated ..." when open
};
const char* flow_outage_kind_name(FlowOutage::Kind k);

/// One established flow that had an outage.
struct FlowReport {
  IpAddress client;
  IpAddress site;
  std::uint16_t client_port = 0;
  std::uint16_t site_port = 0;
  std::int64_t first_ns = 0;        ///< the first data segment seen
  std::uint64_t data_segments = 0;  ///< client segments carrying data (retransmissions included)
  std::vector<FlowOutage> outages;
};

/// A gratuitous ARP or an unsolicited neighbour advertisement.
struct Announcement {
  enum class Kind { garp_request, garp_reply, unsolicited_na };
  Kind kind = Kind::garp_request;
  std::int64_t timestamp_ns = 0;
  IpAddress ip;
  MacAddress mac;
  std::string appliance;  ///< name or MAC
};
const char* announcement_kind_name(Announcement::Kind k);

/// Two MACs claiming one IP within the conflict window: an R23 violation.
struct IpConflict {
  IpAddress ip;
  MacAddress first_mac;  ///< the earlier owner
  MacAddress second_mac;
  std::string first_appliance;
  std::string second_appliance;
  std::int64_t first_seen_ns = 0;
  std::int64_t last_seen_ns = 0;
  std::uint64_t claims = 0;  ///< conflicting claims in this episode
  std::string rule = "R23";
};

/// A capture file that ended early.
struct CaptureError {
  std::string source;
  std::uint64_t offset = 0;
  std::string message;
};

/// Everything the analyser found. Plain data; render with render_text() or
/// to_json() (analysis_json.hpp).
struct AnalysisReport {
  std::vector<std::string> sources;
  std::uint64_t packets = 0;
  std::uint64_t undecoded = 0;  ///< packets of other link types or cut short
  std::int64_t first_packet_ns = 0;
  std::int64_t last_packet_ns = 0;
  std::optional<std::uint64_t> kernel_drops;
  bool partial = false;  ///< a source ended early; see errors
  std::vector<CaptureError> errors;
  /// How each file was put on the time line (more than one file only).
  std::vector<ClockOffset> clock_offsets;
  /// Copies of one packet from another file (or a mirror port) dropped.
  std::uint64_t copies_dropped = 0;
  OutageMethod headline_method = kHeadlineMethod;

  std::vector<ClientReport> clients;
  /// Established flows with an outage (first 10 000), beside the clients'
  /// new-connection probes.
  std::vector<FlowReport> flows;
  std::uint64_t flows_seen = 0;     ///< TCP flows that carried the client's data
  std::uint64_t flows_omitted = 0;  ///< flows with outages beyond the first 10 000
  std::vector<Announcement> announcements;
  std::uint64_t announcements_omitted = 0;  ///< beyond the first 10 000
  std::vector<IpConflict> conflicts;
};

/// The analysis loop's state: feed it packets in timestamp order, then take
/// the report. Memory is bounded by the probes in flight (rate x timeout),
/// not by the capture's length. Not thread-safe.
class Analyzer {
 public:
  explicit Analyzer(AnalysisOptions options = {});
  ~Analyzer();
  Analyzer(Analyzer&&) noexcept;
  Analyzer& operator=(Analyzer&&) noexcept;

  /// Several files are fed as one stream (PacketView::source tells them
  /// apart): a packet seen in two of them is counted once (the first copy).
  void drop_copies_across_sources();

  void add(const PacketView& packet);
  /// Closes the analysis at the last packet seen and returns the report.
  AnalysisReport finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// Runs `source` to its end through an Analyzer. A MalformedInput from the
/// source ends the loop: the report covers what was read and is partial.
AnalysisReport analyze(PacketSource& source, const AnalysisOptions& options = {});

/// Analyses capture files (pcap or pcapng) as one stream merged by
/// timestamp: the call behind `failover-hil analyze`. Several files are put
/// on the first one's time line (options' clock offsets, given or
/// estimated; report.clock_offsets says which) and a packet captured by two
/// of them counts once. Throws NetlabError when a file cannot be opened;
/// corruption makes the report partial instead.
AnalysisReport analyze_files(const std::vector<std::string>& paths,
                             const AnalysisOptions& options = {});

/// What in `report` is not a bounded figure, one sentence each: a partial
/// capture, open outages (lower bounds), outages counting probes whose
/// timeout had not run out. (Undecided probes, sent within an answer time
/// of the end, are no figure.) Empty: every figure is exact
/// to +/- one probe interval. `analyze --strict` fails on any.
std::vector<std::string> unbounded_figures(const AnalysisReport& report);

}  // namespace failover_hil::netlab
