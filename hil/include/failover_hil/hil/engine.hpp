#pragma once

// What a run stands on. The procedure's steps reach appliances, the switch
// controller, the clients and time only through an Engine, so the same
// steps run three ways: in-process on the appliance model in virtual time,
// in a lab of simulators, and against an inventory of physical appliances.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "failover_hil/core/https_client.hpp"
#include "failover_hil/hil/appliance_driver.hpp"
#include "failover_hil/hil/scenario.hpp"

namespace failover_hil::hil {

class Switcher;
struct RunContext;
struct RunHooks;

enum class EngineKind { inprocess, lab, inventory };
std::string_view to_string(EngineKind k);
/// "inprocess", "lab" or "inventory"; throws std::invalid_argument otherwise.
EngineKind parse_engine_kind(std::string_view text);

/// An appliance as the procedure addresses it.
struct Target {
  ApplianceDriver* driver = nullptr;
  SimulatorControl* sim = nullptr;  ///< null for a physical appliance
  std::string ip;                   ///< unique IP (establish, hosts override)
  std::uint16_t port = 443;         ///< management port (establish)
  std::uint16_t site_port = 443;    ///< the site on its unique IP (hosts override)
  TlsTrust trust;                   ///< its certificate (hosts-override checks)
};

/// Who last answered a client's flow, and when (the timeline's clock).
struct ServedBy {
  std::string appliance;
  std::int64_t at_ns = 0;
};

/// One answer through a hosts-file override (R11).
struct SiteAnswer {
  int status = 0;
  std::string served_by;  ///< the appliance that answered
};

/// Two appliances claiming one IP, as the clients saw it (R23).
struct Conflict {
  std::string ip;
  std::string first, second;
};

/// A network fault between two lab hosts (partition) or from a host to every
/// site address (loss).
struct NetworkFault {
  std::string first, second;  ///< hosts (second empty: every site address, for loss)
  double loss_percent = 100;  ///< 100: a partition
  /// A partition between `first` and the vendor's update server, wherever
  /// the engine runs it (`second` unused).
  bool update_server = false;
  /// > 0: the client `first` ignores gratuitous ARP for the shared IP, and
  /// its neighbour entries go stale this long after their last confirmation
  /// (`second` unused).
  std::int64_t stale_arp_ms = 0;
  /// The site's DNS server answers nobody: neither the swing's update nor
  /// the clients' queries (`first`, `second` unused).
  bool dns_down = false;
  /// A NAT swing keeps the VIP's conntrack entries: established flows stay
  /// with the appliance they reached (`first`, `second` unused).
  bool keep_conntrack = false;
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual EngineKind kind() const = 0;

  /// Builds what the run needs (lab, simulators, model pair); `dir` is the run directory.
  virtual void setup(const std::filesystem::path& dir) = 0;
  /// Puts the starting state in place (A primary with the shared IP and data,
  /// B backup, synced), or checks it for an inventory. Emits through `event`.
  virtual void seed(RunContext& ctx) = 0;
  /// Stops everything it started; safe to call twice.
  virtual void teardown(RunContext& ctx) = 0;

  virtual Target& target(Member m) = 0;
  virtual Switcher& switcher() = 0;
  /// Facts of the environment for the timeline's lab_up event.
  virtual std::map<std::string, std::string> facts() = 0;
  virtual std::string site_hostname() const = 0;
  /// The shared IP where R23 is checked on the wire; empty when not applicable.
  virtual std::string site_ip() const = 0;
  virtual std::vector<std::string> clients() const = 0;

  // ---- time: the timeline's clock, and waiting on it
  virtual std::int64_t now_ns() = 0;
  /// Waits until `done()` holds or `limit` passed; calls `between()` after
  /// each unsuccessful check (interrupts, due faults). Returns whether it held.
  virtual bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit,
                        std::chrono::milliseconds every, const std::function<void()>& between) = 0;
  /// Lets `d` pass (a real sleep, or virtual time).
  virtual void pause(std::chrono::milliseconds d) = 0;

  // ---- what the clients see
  /// Starts measuring (captures and probes, or the model's availability) and the client load.
  virtual void start_measuring(RunContext& ctx, bool resumed) = 0;
  /// Stops the client load only (so a final read sees every record it made).
  virtual void stop_load() = 0;
  /// Stops measuring; idempotent.
  virtual void stop_measuring(RunContext& ctx) = 0;
  virtual std::map<std::string, ServedBy> served_by() = 0;
  /// Every client's last answer came from `appliance` and after `since_ns`.
  bool all_served_by(const std::string& appliance, std::int64_t since_ns);
  /// R11: `client` reaches the site by a hosts override pointing at `m`.
  virtual SiteAnswer reach_by_hosts_override(const std::string& client, Member m) = 0;
  /// R23: conflicts seen for the shared IP so far (ARP probes first, where there is a wire).
  virtual std::vector<Conflict> conflicts() = 0;
  /// R14: the lsids an Integration Client configured by `ip` extracts (it trusts only `expect`).
  virtual std::set<std::string> integration_extract(const std::string& ip, Member expect) = 0;
  /// R09: the update server's files for a Download Key.
  virtual std::vector<std::vector<std::uint8_t>> update_files(const std::string& key,
                                                              const ApplianceStatus& from) = 0;
  /// Network faults; throws HarnessError where the engine has no network to fault.
  virtual void arm_network(const std::string& id, const NetworkFault& fault) = 0;
  virtual void disarm_network(const std::string& id) = 0;
  /// The host's link goes down for `down`, then up again; returns once it is
  /// up. Throws HarnessError where the engine has no such link.
  virtual void flap_link(const std::string& host, std::chrono::milliseconds down);
  /// The site record's TTL becomes `ttl_s` (DNS swing), as if it had always
  /// been: every client's cached answer is renewed with it. Throws
  /// HarnessError where the engine has no DNS record to change.
  virtual void set_site_ttl(int ttl_s);
};

/// The engine for a scenario: the in-process model, a lab of simulators, or
/// (with an inventory file) physical appliances.
std::unique_ptr<Engine> make_engine(EngineKind kind, const Scenario& scenario,
                                    const std::filesystem::path& inventory,
                                    const std::filesystem::path& lab_state_dir,
                                    const RunHooks& hooks);

}  // namespace failover_hil::hil
