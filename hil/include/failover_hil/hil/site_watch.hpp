#pragma once

// What the clients see of the site: per client a capture, fixed-rate
// TCP-connect probes (downtime is measured from the capture afterwards) and a
// slower HTTPS flow whose answers say which appliance serves (X-Served-By):
// one persistent connection (the established flow a shared IP or NAT switch
// must move too), or for a site by name a new connection per request (what a
// DNS swing moves).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "failover_hil/core/clock.hpp"
#include "failover_hil/hil/engine.hpp"
#include "failover_hil/netlab/capture.hpp"
#include "failover_hil/netlab/netns.hpp"
#include "failover_hil/netlab/probe_runner.hpp"
#include "failover_hil/netlab/ttl_resolver.hpp"

namespace failover_hil::hil {

/// One client machine of the run.
struct WatchedClient {
  std::string name;                      ///< client1
  std::shared_ptr<netlab::Netns> netns;  ///< nullptr: this namespace
  std::string interface;                 ///< captured there ("any" outside a lab)
  /// Resolves the site's name in this client (DNS swing); nullptr: target is an IP.
  std::optional<netlab::DnsServerAddress> dns;
};

struct SiteWatchOptions {
  std::string target;  ///< the shared IP, the site's hostname or the NAT VIP
  std::uint16_t port = 443;
  std::string host_header;  ///< SNI and Host of the HTTPS flow
  double rate_hz = 1000;
  std::chrono::milliseconds deadline{200};
  double flow_rate_hz = 20;  ///< the persistent HTTPS flow
  std::filesystem::path captures_dir;
  std::filesystem::path probes_dir;
  /// Which appliance gave a client's HTTPS answer; empty: unknown. Default:
  /// the simulator's X-Served-By header. A physical appliance sends no such
  /// header: the inventory engine tells by address, conntrack or MAC.
  using Identify =
      std::function<std::string(const std::string& client, const netlab::ProbeRecord&)>;
  Identify identify;
};

/// Starts captures first, then probes; stop() stops probes first, then
/// captures. The destructor stops whatever still runs.
class SiteWatch {
 public:
  SiteWatch(std::vector<WatchedClient> clients, SiteWatchOptions options);
  ~SiteWatch();
  SiteWatch(const SiteWatch&) = delete;
  SiteWatch& operator=(const SiteWatch&) = delete;

  void start();
  /// Idempotent. Returns each client's capture result.
  std::map<std::string, netlab::CaptureResult> stop();
  /// The last successful HTTPS answer per client.
  std::map<std::string, ServedBy> served_by() const;
  /// True when every client's last answer came from `appliance` and was
  /// received after `since_ns`.
  bool all_served_by(const std::string& appliance, std::int64_t since_ns) const;
  /// Drops every client's cached DNS answer: each asks again at once.
  void forget_dns();
  /// Capture files so far (they grow while the watch runs).
  std::vector<std::string> capture_files() const;
  const std::vector<WatchedClient>& clients() const { return clients_; }
  /// Probe summaries (probe_stats.hpp) per client, of both probe kinds.
  std::map<std::string, netlab::ProbeSummary> summaries() const;

 private:
  struct Client {
    WatchedClient spec;
    std::unique_ptr<netlab::TtlResolver> resolver;
    std::optional<netlab::Capture> capture;
    std::unique_ptr<netlab::ProbeRunner> tcp, flow;
  };
  std::vector<WatchedClient> clients_;
  SiteWatchOptions options_;
  SystemClock clock_;
  std::vector<std::unique_ptr<Client>> running_;
  mutable std::mutex mutex_;
  std::map<std::string, ServedBy> served_by_;
  std::map<std::string, netlab::CaptureResult> results_;
  bool stopped_ = false;
};

}  // namespace failover_hil::hil
