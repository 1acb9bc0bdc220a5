#pragma once

// Outages of established TCP flows (issue 15): a persistent HTTPS connection
// stalls (the site stops acknowledging the client's data) or is reset. Fed
// by the Analyzer with every TCP segment that is not a probe or its answer.

#include <cstdint>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "failover_hil/netlab/analysis.hpp"

namespace failover_hil::netlab {

class EstablishedFlows {
 public:
  EstablishedFlows(const AnalysisOptions& options, AnalysisReport& report)
      : options_(options), report_(report) {}

  /// True when no flow is being followed: segments without data need no look-up.
  bool empty() const { return flows_.empty(); }

  /// A TCP segment that is no SYN. `src_is_client` is asked only when the
  /// segment carries data of a flow not yet followed.
  template <typename SrcIsClient>
  void on_segment(std::int64_t ts, const DecodedFrame& f, SrcIsClient&& src_is_client) {
    const auto key = Key::of(f);
    auto it = flows_.find(key);
    if (it == flows_.end()) {
      if (f.payload_length == 0 || (f.tcp_flags & tcp_flag::rst)) return;
      it = flows_.emplace(key, Flow{}).first;
      start(it->second, ts, f, src_is_client());
    }
    if (segment(it->second, ts, f)) flows_.erase(it);
  }

  /// Forgets idle flows with nothing outstanding (keep-alive connections
  /// come back as new flows), so memory follows the flows alive.
  void sweep(std::int64_t now);

  /// Closes what is open at the capture's end.
  void finish(std::int64_t capture_end);

 private:
  // Endpoints in a fixed order, so both directions find one entry.
  struct Key {
    IpAddress low_ip, high_ip;
    std::uint16_t low_port = 0, high_port = 0;
    static Key of(const DecodedFrame& f) {
      if (std::tie(f.src, f.src_port) < std::tie(f.dst, f.dst_port))
        return {f.src, f.dst, f.src_port, f.dst_port};
      return {f.dst, f.src, f.dst_port, f.src_port};
    }
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept;
  };
  struct Flow {
    IpAddress client, site;
    std::uint16_t client_port = 0, site_port = 0;
    std::int64_t first_ns = 0;
    std::int64_t last_seen = 0;
    std::uint32_t sent_end = 0;  // client sequence number after its highest data
    std::uint32_t acked = 0;     // the site's highest acknowledgement
    bool outstanding = false;    // client data not yet acknowledged
    std::int64_t last_progress = 0;
    std::uint64_t data_segments = 0;
    bool client_fin = false, site_fin = false;
    std::optional<std::size_t> report;  // index in report_.flows once it had an outage
  };
  using Lane = std::tuple<IpAddress, IpAddress, std::uint16_t>;  // client, site, site port

  void start(Flow& flow, std::int64_t ts, const DecodedFrame& f, bool src_is_client);
  /// True when the flow ended (reset, or closed both ways).
  bool segment(Flow& flow, std::int64_t ts, const DecodedFrame& f);
  void progress(Flow& flow, std::int64_t ts);
  FlowOutage* add_outage(Flow& flow, FlowOutage outage);
  void close(FlowOutage& o, std::int64_t end, bool open, const char* reason);

  const AnalysisOptions& options_;
  AnalysisReport& report_;
  std::unordered_map<Key, Flow, KeyHash> flows_;
  // A reset waits for the client's next acknowledged data to the site.
  std::map<Lane, std::pair<std::size_t, std::size_t>> resets_;  // -> (flow, outage) indices
};

}  // namespace failover_hil::netlab
