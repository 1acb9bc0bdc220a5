#pragma once
// SimulatorControl over a bseries-sim's own API (/sim/v1), beside the
// HttpDriver that speaks the product's API to the same simulator.

#include <functional>

#include "failover_hil/hil/http_driver.hpp"

namespace failover_hil::hil {

class HttpSimulatorControl final : public SimulatorControl {
 public:
  /// `power_on` starts the process again after a crash (empty: the operator does).
  HttpSimulatorControl(HttpDriver& driver, std::function<void()> power_on)
      : d_(driver), power_on_(std::move(power_on)) {}
  void arm_install_fault(const InstallFault& fault) override;
  void arm_sync_fault(const SyncFault& fault) override;
  void refuse_site(std::int64_t duration_ms) override;
  void silence_peer() override;
  void crash() override;
  void power_on() override;
  void force_shared_ip_on() override;
  void restart() override;
  void seed(const SeedData& data) override;
  std::string start_session(const ClientSpec& console, const ClientSpec& jump_client,
                            std::uint64_t recording_bytes) override;

 private:
  HttpDriver& d_;
  std::function<void()> power_on_;
};

}  // namespace failover_hil::hil
