#pragma once

// Two bseries-sim appliances and their update server, started as child
// processes (in a lab's namespaces or on loopback), with a driver for each.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "failover_hil/core/https_client.hpp"
#include "failover_hil/hil/child_process.hpp"
#include "failover_hil/hil/http_driver.hpp"
#include "failover_hil/hil/scenario.hpp"

namespace failover_hil::netlab {
class Lab;
struct LabSpec;
}  // namespace failover_hil::netlab

namespace failover_hil::hil {

/// Where the simulators run. In a lab every process is in its host's
/// namespace and the shared IP is added by netlink on its interface.
struct SimulatorLayout {
  std::string ip_a = "127.0.0.11", ip_b = "127.0.0.12", shared_ip = "127.0.0.10";
  std::string ip_updates = "127.0.0.1";
  std::string netns_a, netns_b, netns_updates;  ///< empty: this namespace
  std::string iface_a, iface_b;                 ///< set: the shared IP goes there by netlink
  std::string netns_harness;                    ///< where the drivers connect from
  std::uint16_t site_port = 0;        ///< site listener on the unique and shared IPs; 0: any free
  std::uint16_t management_port = 0;  ///< the API the drivers use; 0: any free
  std::string hostname = "support.lab.example";
  /// How long an appliance listens for another holder before enabling the
  /// shared IP (R23 pre-check); 0: the simulator's default.
  int dup_check_ms = 0;
  /// The appliances' gratuitous ARP this much late (a slow appliance, for
  /// testing baselines); 0: at once.
  int announce_delay_ms = 0;
};

struct SimulatorOptions {
  std::filesystem::path dir;     ///< configs, keys, data and logs; reused when it exists (resume)
  std::filesystem::path binary;  ///< bseries-sim; empty: find_bseries_sim()
  double time_scale = 3000;
  Release from{"3.3.2", "23.1.2", "b7f3a1"};
  Release to{"3.4.0", "24.1.0", "c9e2d4"};
  std::string b_software;  ///< empty: from.software (a different one tests R17)
  bool same_inter_appliance_key = true;
  /// The XML namespaces without "/command" or "/reporting" (19.x:
  /// http://www.bomgar.com/namespaces/API); empty: the simulator's default.
  std::string api_namespace_base;
  /// check_health's <last_data_sync_time>: "documented" (with `ts`) or
  /// "recorded" (text only, "+0000"); empty: the simulator's default.
  std::string last_data_sync_time;
  /// false: the simulators name no appliance in their answers (no
  /// X-Served-By), as physical appliances do.
  bool identity_headers = true;
  SimulatorLayout layout;
};

/// Two simulators in a lab built from `spec`: in its appliance hosts, the
/// update server on its DNS host, the drivers connecting from
/// `harness_host`; the site on 443, the API on 8443. The scenario gives the
/// versions and time scale; `dir` holds their files. $FHIL_SIM_ANNOUNCE_DELAY_MS
/// sets SimulatorLayout::announce_delay_ms (docs/regress.md).
SimulatorOptions lab_simulator_options(const netlab::Lab& lab, const netlab::LabSpec& spec,
                                       const Scenario& scenario, const std::string& harness_host,
                                       const std::filesystem::path& dir);

/// $FHIL_BSERIES_SIM, else next to this executable (or its build tree's
/// sim/), else PATH. Throws HarnessError saying how to build it.
std::filesystem::path find_bseries_sim();

/// Reads a ready file (waits for it up to 10 s): the first bound port and
/// the certificate's fingerprint.
std::pair<std::uint16_t, std::string> read_ready_file(const std::filesystem::path& file);

/// Owns the three processes; the destructor stops them (SIGTERM, then KILL).
class SimulatorSet {
 public:
  explicit SimulatorSet(SimulatorOptions options);
  ~SimulatorSet();
  SimulatorSet(const SimulatorSet&) = delete;
  SimulatorSet& operator=(const SimulatorSet&) = delete;

  HttpDriver& a() { return *a_; }
  HttpDriver& b() { return *b_; }
  HttpDriver& driver(const std::string& name) { return name == "appA" ? *a_ : *b_; }
  std::uint16_t port_a() const { return port_a_; }
  std::uint16_t port_b() const { return port_b_; }
  std::uint16_t site_port() const { return site_port_; }
  const std::string& fingerprint(const std::string& name) const {
    return name == "appA" ? fp_a_ : fp_b_;
  }
  const SimulatorOptions& options() const { return options_; }
  /// The update server, for manual update files by Download Key (R09).
  HttpsClient update_server() const;
  /// Starts (or restarts) an appliance from its data directory.
  void start_a();
  void start_b();
  ChildProcess& process_a() { return proc_a_; }
  ChildProcess& process_b() { return proc_b_; }
  /// A driver for appA that treats it as physical (steps become prompts).
  std::unique_ptr<HttpDriver> physical_a(std::shared_ptr<OperatorPrompt> prompt);
  std::filesystem::path log_file(const std::string& name) const;
  /// What a process wrote to its log ("appA", "appB", "updates").
  std::string log(const std::string& name) const;
  /// Stops every process now (SIGTERM; the appliances remove their shared IP).
  void stop();

 private:
  void write_files();
  void start(const std::string& name, ChildProcess& proc, std::uint16_t& port, std::string& fp,
             std::unique_ptr<HttpDriver>& driver);
  SimulatorOptions options_;
  ChildProcess updates_, proc_a_, proc_b_;
  std::uint16_t port_a_ = 0, port_b_ = 0, site_port_ = 0, update_port_ = 0;
  std::string update_fp_;
  std::string fp_a_, fp_b_;
  std::unique_ptr<HttpDriver> a_, b_;
};

}  // namespace failover_hil::hil
