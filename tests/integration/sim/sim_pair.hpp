#pragma once

#include <filesystem>
#include <string>

#include "failover_hil/hil/simulators.hpp"

namespace failover_hil::testing {

/// Two bseries-sim appliances (appA on 127.0.0.11, appB on 127.0.0.12, the
/// shared IP 127.0.0.10) and an update server, on loopback by default, in a
/// temp dir that is removed on destruction unless the test failed.
class SimPair : public hil::SimulatorSet {
 public:
  using Layout = hil::SimulatorLayout;
  struct Options {
    double time_scale = 3000;
    bool same_inter_appliance_key = true;
    std::string b_software = "23.1.2";
    Layout layout;
    std::string api_namespace_base;   ///< empty: the simulator's default
    std::string last_data_sync_time;  ///< documented | recorded; empty: the default
  };
  SimPair();
  explicit SimPair(Options options);
  ~SimPair();

  std::uint16_t shared_port() const { return site_port(); }
  const std::string& fingerprint_a() const { return fingerprint("appA"); }
  const std::filesystem::path& dir() const { return options().dir; }
  std::string log_a() const { return log("appA"); }
};

}  // namespace failover_hil::testing
