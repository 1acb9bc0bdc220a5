#include "established_flows.hpp"

#include <algorithm>
#include <cstring>

namespace failover_hil::netlab {

namespace {

constexpr std::size_t kMaxFlowReports = 10000;
// A keep-alive flow idle this long is forgotten (and followed anew when it
// sends again); nothing outstanding is ever forgotten.
constexpr std::int64_t kIdleFlowNs = 10'000'000'000;

// Sequence numbers wrap (RFC 9293 section 3.4): compare by difference.
bool seq_after(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(a - b) > 0;
}

}  // namespace

const char* flow_outage_kind_name(FlowOutage::Kind k) {
  return k == FlowOutage::Kind::stall ? "stall" : "reset";
}

std::size_t EstablishedFlows::KeyHash::operator()(const Key& k) const noexcept {
  std::uint64_t w[4];
  std::memcpy(w, k.low_ip.bytes.data(), 16);
  std::memcpy(w + 2, k.high_ip.bytes.data(), 16);
  std::uint64_t h = (std::uint64_t{k.low_port} << 16 | k.high_port) * 0x9e3779b97f4a7c15ull;
  for (const auto x : w) h = (h ^ x) * 0xff51afd7ed558ccdull;
  return static_cast<std::size_t>(h ^ (h >> 32));
}

void EstablishedFlows::start(Flow& flow, std::int64_t ts, const DecodedFrame& f,
                             bool src_is_client) {
  flow.client = src_is_client ? f.src : f.dst;
  flow.site = src_is_client ? f.dst : f.src;
  flow.client_port = src_is_client ? f.src_port : f.dst_port;
  flow.site_port = src_is_client ? f.dst_port : f.src_port;
  flow.first_ns = ts;
  flow.last_progress = ts;
  // Followed from its first data: what came before counts as acknowledged.
  flow.sent_end = flow.acked = src_is_client ? f.seq : f.ack;
  ++report_.flows_seen;
}

bool EstablishedFlows::segment(Flow& flow, std::int64_t ts, const DecodedFrame& f) {
  using namespace tcp_flag;
  flow.last_seen = ts;
  const bool from_client = f.src == flow.client && f.src_port == flow.client_port;
  if (from_client) {
    if (f.payload_length > 0) {
      ++flow.data_segments;
      if (!flow.outstanding) {
        flow.outstanding = true;
        flow.last_progress = ts;
      }
      const std::uint32_t end = f.seq + f.payload_length;
      if (seq_after(end, flow.sent_end)) flow.sent_end = end;
    }
    if (f.tcp_flags & rst) {
      // The client giving up with data unanswered is an outage; an abortive
      // close with nothing waiting (SO_LINGER 0) is not.
      if (flow.outstanding) {
        FlowOutage o{FlowOutage::Kind::reset, flow.last_progress, 0, ts, "client", {}, false, {}};
        add_outage(flow, o);
      }
      return true;
    }
    if (f.tcp_flags & fin) flow.client_fin = true;
  } else {
    // A RST's acknowledgement is no answer: the site served nothing.
    if ((f.tcp_flags & ack) && !(f.tcp_flags & rst) && seq_after(f.ack, flow.acked)) {
      flow.acked = f.ack;
      progress(flow, ts);
    }
    if (f.tcp_flags & rst) {
      const std::int64_t from = flow.outstanding ? flow.last_progress : ts;
      add_outage(flow, {FlowOutage::Kind::reset, from, 0, ts, "site", {}, false, {}});
      return true;
    }
    if (f.tcp_flags & fin) flow.site_fin = true;
  }
  return flow.client_fin && flow.site_fin && !flow.outstanding;
}

void EstablishedFlows::progress(Flow& flow, std::int64_t ts) {
  if (flow.outstanding && ts - flow.last_progress > options_.stall_threshold_ns) {
    FlowOutage o{FlowOutage::Kind::stall, flow.last_progress, ts, 0, {}, {}, false, {}};
    if (auto* added = add_outage(flow, o)) close(*added, ts, false, "");
  }
  flow.last_progress = ts;
  if (!seq_after(flow.sent_end, flow.acked)) flow.outstanding = false;
  // The site served this client again: a reset of an earlier flow ends here.
  const auto lane = resets_.find({flow.client, flow.site, flow.site_port});
  if (lane != resets_.end()) {
    auto& o = report_.flows[lane->second.first].outages[lane->second.second];
    if (ts > o.reset_ns) {
      close(o, ts, false, "");
      resets_.erase(lane);
    }
  }
}

FlowOutage* EstablishedFlows::add_outage(Flow& flow, FlowOutage outage) {
  if (!flow.report) {
    if (report_.flows.size() >= kMaxFlowReports) {
      ++report_.flows_omitted;
      return nullptr;
    }
    flow.report = report_.flows.size();
    report_.flows.push_back(
        {flow.client, flow.site, flow.client_port, flow.site_port, flow.first_ns, 0, {}});
  }
  auto& r = report_.flows[*flow.report];
  r.data_segments = flow.data_segments;
  r.outages.push_back(std::move(outage));
  if (r.outages.back().kind == FlowOutage::Kind::reset)
    resets_[{flow.client, flow.site, flow.site_port}] = {*flow.report, r.outages.size() - 1};
  return &r.outages.back();
}

void EstablishedFlows::close(FlowOutage& o, std::int64_t end, bool open, const char* reason) {
  o.end_ns = end;
  o.open_end = open;
  o.open_reason = reason;
  o.length = {OutageMethod::timestamp_based, end - o.start_ns, 0, 0,
              open ? LengthBound::lower_bound : LengthBound::bounded};
}

void EstablishedFlows::sweep(std::int64_t now) {
  std::erase_if(flows_, [&](const auto& entry) {
    const Flow& f = entry.second;
    return !f.outstanding && now - f.last_seen > kIdleFlowNs;
  });
}

void EstablishedFlows::finish(std::int64_t capture_end) {
  for (auto& [key, flow] : flows_) {
    if (flow.outstanding && capture_end - flow.last_progress > options_.stall_threshold_ns) {
      FlowOutage o{FlowOutage::Kind::stall, flow.last_progress, 0, 0, {}, {}, false, {}};
      if (auto* added = add_outage(flow, o))
        close(*added, capture_end, true, "capture ended while down");
    }
    if (flow.report) report_.flows[*flow.report].data_segments = flow.data_segments;
  }
  for (const auto& [lane, at] : resets_)
    close(report_.flows[at.first].outages[at.second], capture_end, true,
          "capture ended while down");
  resets_.clear();
  flows_.clear();
}

}  // namespace failover_hil::netlab
