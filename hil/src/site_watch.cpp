#include "failover_hil/hil/site_watch.hpp"

#include "failover_hil/hil/appliance_driver.hpp"

namespace failover_hil::hil {

SiteWatch::SiteWatch(std::vector<WatchedClient> clients, SiteWatchOptions options)
    : clients_(std::move(clients)), options_(std::move(options)) {}

SiteWatch::~SiteWatch() {
  stop();
}

void SiteWatch::start() {
  std::filesystem::create_directories(options_.captures_dir);
  std::filesystem::create_directories(options_.probes_dir);
  const auto current = std::make_shared<netlab::Netns>(netlab::Netns::current());
  for (const auto& spec : clients_) {
    auto c = std::make_unique<Client>();
    c->spec = spec;
    const auto& ns = spec.netns ? *spec.netns : *current;
    if (spec.dns)
      c->resolver =
          std::make_unique<netlab::TtlResolver>(clock_, netlab::ldns_query_fn(ns, *spec.dns));
    // The site's port plus ARP and ND: the management API (another port)
    // stays out of the capture and so out of the downtime figures.
    const auto port = std::to_string(options_.port);
    c->capture = netlab::Capture::start(
        ns, {spec.interface, (options_.captures_dir / (spec.name + ".pcap")).string(),
             "tcp port " + port + " or arp or icmp6"});
    netlab::ProbeSpec tcp;
    tcp.kind = netlab::ProbeKind::tcp_connect;
    tcp.target = options_.target;
    tcp.port = options_.port;
    tcp.rate_hz = options_.rate_hz;
    tcp.deadline = options_.deadline;
    tcp.netns = &ns;
    tcp.resolver = c->resolver.get();
    tcp.label = spec.name;
    c->tcp = std::make_unique<netlab::ProbeRunner>(
        tcp, netlab::ProbeOutputs{options_.probes_dir / (spec.name + "-tcp.csv"),
                                  options_.probes_dir / (spec.name + "-tcp.json"),
                                  {}});
    netlab::ProbeSpec flow = tcp;
    // Established flows must move with a shared IP or NAT switch; a DNS swing
    // moves only new connections (each resolves the name afresh).
    flow.kind = spec.dns ? netlab::ProbeKind::https_new : netlab::ProbeKind::https_persistent;
    flow.rate_hz = options_.flow_rate_hz;
    flow.deadline = std::chrono::milliseconds(1000);
    flow.trust = netlab::ProbeTrust::insecure();  // availability, not authenticity
    flow.host_header = options_.host_header;
    flow.http_path = "/probe";
    flow.label = spec.name + "-https";
    const auto name = spec.name;
    c->flow = std::make_unique<netlab::ProbeRunner>(
        flow, netlab::ProbeOutputs{
                  options_.probes_dir / (spec.name + "-https.csv"),
                  options_.probes_dir / (spec.name + "-https.json"),
                  [this, name](const netlab::ProbeRecord& r) {
                    if (r.outcome != netlab::ProbeOutcome::ok) return;
                    auto who = options_.identify ? options_.identify(name, r) : r.served_by;
                    std::lock_guard lock(mutex_);
                    served_by_[name] = {std::move(who), r.sent_realtime_ns + r.latency_ns};
                  }});
    running_.push_back(std::move(c));
  }
  // Captures are running (start() returns once the handle is active): now the probes.
  for (auto& c : running_) {
    c->tcp->start();
    c->flow->start();
  }
}

std::map<std::string, netlab::CaptureResult> SiteWatch::stop() {
  if (stopped_ || running_.empty()) return results_;
  stopped_ = true;
  for (auto& c : running_) {
    c->tcp->stop();
    c->flow->stop();
  }
  for (auto& c : running_)
    if (c->capture) results_[c->spec.name] = c->capture->stop();
  return results_;
}

std::map<std::string, ServedBy> SiteWatch::served_by() const {
  std::lock_guard lock(mutex_);
  return served_by_;
}

bool SiteWatch::all_served_by(const std::string& appliance, std::int64_t since_ns) const {
  std::lock_guard lock(mutex_);
  for (const auto& c : clients_) {
    const auto it = served_by_.find(c.name);
    if (it == served_by_.end() || it->second.appliance != appliance || it->second.at_ns < since_ns)
      return false;
  }
  return true;
}

void SiteWatch::forget_dns() {
  for (const auto& c : running_)
    if (c->resolver) c->resolver->clear();
}

std::vector<std::string> SiteWatch::capture_files() const {
  std::vector<std::string> out;
  for (const auto& c : clients_)
    out.push_back((options_.captures_dir / (c.name + ".pcap")).string());
  return out;
}

std::map<std::string, netlab::ProbeSummary> SiteWatch::summaries() const {
  std::map<std::string, netlab::ProbeSummary> out;
  for (const auto& c : running_) {
    out[c->spec.name] = c->tcp->summary();
    out[c->spec.name + "-https"] = c->flow->summary();
  }
  return out;
}

}  // namespace failover_hil::hil
