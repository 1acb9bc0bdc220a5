#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "failover_hil/hil/child_process.hpp"
#include "failover_hil/hil/http_driver.hpp"

namespace failover_hil::testing {

/// Two bseries-sim appliances (appA on 127.0.0.11, appB on 127.0.0.12, the
/// shared IP 127.0.0.10) and an update server, on loopback, in a temp dir.
/// Everything is stopped and removed on destruction.
class SimPair {
 public:
  /// Where everything runs: loopback by default, or a lab's namespaces.
  struct Layout {
    std::string ip_a = "127.0.0.11", ip_b = "127.0.0.12", shared_ip = "127.0.0.10";
    std::string ip_updates = "127.0.0.1";
    std::string netns_a, netns_b, netns_updates;  ///< empty: this namespace
    std::string iface_a, iface_b;                 ///< set: the shared IP is added there by netlink
    std::string netns_harness;                    ///< where the drivers connect from
  };
  struct Options {
    double time_scale = 3000;
    bool same_inter_appliance_key = true;
    std::string b_software = "23.1.2";
    Layout layout;
    std::string api_namespace;  ///< empty: the simulator's default
  };
  SimPair();
  explicit SimPair(Options options);
  ~SimPair();

  hil::HttpDriver& a() { return *a_; }
  hil::HttpDriver& b() { return *b_; }
  std::uint16_t port_a() const { return port_a_; }
  std::uint16_t port_b() const { return port_b_; }
  std::uint16_t shared_port() const { return shared_port_; }
  const std::string& fingerprint_a() const { return fp_a_; }
  const std::filesystem::path& dir() const { return dir_; }
  /// The update server, for fetching manual update files by Download Key.
  HttpsClient update_server() const {
    return HttpsClient(options_.layout.ip_updates, update_port_, TlsTrust{{}, update_fp_, false},
                       std::chrono::seconds(10), options_.layout.netns_updates);
  }

  /// Starts (or restarts) an appliance from its data directory.
  void start_a();
  void start_b();
  hil::ChildProcess& process_a() { return proc_a_; }
  hil::ChildProcess& process_b() { return proc_b_; }
  /// A driver for appA that treats it as a physical appliance, with `prompt`.
  std::unique_ptr<hil::HttpDriver> physical_a(std::shared_ptr<hil::OperatorPrompt> prompt);
  std::string log_a() const { return log("appA"); }
  /// What a process wrote to its log ("appA", "appB", "updates").
  std::string log(const std::string& name) const;

 private:
  void start(const std::string& name, hil::ChildProcess& proc, std::uint16_t& port, std::string& fp,
             std::unique_ptr<hil::HttpDriver>& driver);
  Options options_;
  std::filesystem::path dir_;
  hil::ChildProcess updates_, proc_a_, proc_b_;
  std::uint16_t port_a_ = 0, port_b_ = 0, shared_port_ = 0, update_port_ = 0;
  std::string update_fp_;
  std::string fp_a_, fp_b_;
  std::unique_ptr<hil::HttpDriver> a_, b_;
};

/// Reads a bseries-sim ready file: the bound port and certificate fingerprint.
std::pair<std::uint16_t, std::string> read_ready(const std::filesystem::path& file);

}  // namespace failover_hil::testing
