#pragma once

// The pair of the in-process engine: two appliance models, the vendor's
// update server and a manual clock, driven through the same ApplianceDriver
// and SimulatorControl as bseries-sim, in virtual time.

#include <array>
#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "failover_hil/core/clock.hpp"
#include "failover_hil/core/crypto.hpp"
#include "failover_hil/hil/appliance_driver.hpp"
#include "failover_hil/hil/planted_defect.hpp"
#include "failover_hil/hil/scenario.hpp"
#include "failover_hil/sim/model/appliance.hpp"
#include "failover_hil/sim/model/update_server.hpp"

namespace failover_hil::hil {

/// What the in-process pair starts from. The defaults are the lab's.
struct ModelPairOptions {
  Release from{"3.3.2", "23.1.2", "b7f3a1"};  ///< what both appliances run at the start
  Release to{"3.4.0", "24.1.0", "c9e2d4"};    ///< the catalogue's Base and software updates
  std::uint64_t seed = 1;  ///< every key and nonce derives from it: same seed, same run
  std::string ip_a = "198.18.0.11", ip_b = "198.18.0.12", shared_ip = "198.18.0.10";
  std::string hostname = "support.lab.example";
  std::uint16_t management_port = 8443;  ///< where the peer channel answers on a unique IP
  /// Model time per harness time (the scenario's time_scale): a refuse_site
  /// fault lasts its duration in harness time, as on bseries-sim.
  double time_scale = 1;
  /// Test-only: the model-level defect to plant (sync_sends_start_snapshot); others are ignored.
  PlantedDefect defect = PlantedDefect::none;
};

/// Two model appliances, the vendor's update server and a manual clock, all
/// in-process. Driver calls act at the clock's current instant and deliver
/// the peer messages they cause at once; only run_until() moves time. Each
/// call behaves as the same call on bseries-sim through HttpDriver does.
/// Deterministic: no wall clock, no unseeded randomness. Not thread-safe.
class ModelPair {
 public:
  explicit ModelPair(const ModelPairOptions& options);
  ~ModelPair();
  ModelPair(const ModelPair&) = delete;
  ModelPair& operator=(const ModelPair&) = delete;

  /// The member's driver, named "appA" / "appB"; valid as long as the pair.
  ApplianceDriver& driver(Member m);
  /// The member's simulator-only controls (faults, seeding, crash).
  SimulatorControl& control(Member m);
  ManualClock& clock() { return clock_; }

  /// Moves virtual time to `until` (never backwards), stopping at each due
  /// event (installs, syncs) and delivering peer messages.
  void run_until(TimePoint until);
  /// When the next due work falls (either running appliance, or the end of a
  /// refuse_site fault), if any.
  std::optional<TimePoint> next_due() const;

  /// The member answering at the shared IP (nullopt: none). Both enabled:
  /// nullopt, and shared_ip_conflict() is true (R23). A crashed member answers nothing.
  std::optional<Member> shared_ip_holder() const;
  /// The member is up with the shared IP enabled.
  bool holds_shared_ip(Member m) const {
    return !slot(m).down() && slot(m).app->shared_ip_enabled();
  }
  /// R23: both running members have the shared IP enabled now.
  bool shared_ip_conflict() const;
  /// R23: shared_ip_conflict() held at some point of the run (checked after every call).
  bool shared_ip_conflict_seen() const { return conflict_seen_; }
  /// The member's site answers clients: up, not refusing, running and not a backup.
  bool serves_site(Member m) const;
  /// Called (after any call settles) each time a member starts or stops
  /// holding the shared IP (enabled and up), in member order: the network's
  /// gratuitous ARPs and R23 conflicts follow from it.
  void on_shared_ip_change(std::function<void(Member, bool holds)> f) {
    on_shared_ip_ = std::move(f);
  }
  /// The member cannot reach the vendor's update server (a partition):
  /// Check for Updates and Install This Update fail as bseries-sim's do.
  void cut_update_server(Member m, bool cut) { slot(m).update_server_cut = cut; }

  /// The vendor's update server answering an Appliance Download Key (R09):
  /// the signed files for that appliance, in install order; each only once (R10).
  /// Throws HarnessError naming the rule when the key is refused.
  std::vector<std::vector<std::uint8_t>> key_files(const std::string& key,
                                                   const ApplianceStatus& from);
  /// R14: the lsids an Integration Client extracts through the member (its
  /// finished session records). Throws HarnessError when its site does not serve.
  std::set<std::string> integration_extract(Member m);

  /// The member's model, for tests. While crashed: the state it died with.
  sim::Appliance& appliance(Member m);
  const sim::UpdateServer& update_server() const { return server_; }

 private:
  class ModelDriver;
  struct Slot {
    std::unique_ptr<sim::Appliance> app;
    std::unique_ptr<ModelDriver> driver;
    std::optional<boost::json::value> saved;  ///< set while crashed: what power_on restores
    bool silenced = false;                    ///< silence_peer until the next power_on
    std::optional<TimePoint> refused_until;   ///< refuse_site
    bool update_server_cut = false;           ///< cannot reach the vendor's update server
    std::uint64_t backups = 0;     ///< backups sealed so far: each draws its own salt and IV
    bool holds_shared_ip = false;  ///< as last reported to on_shared_ip_change
    bool down() const { return saved.has_value(); }
  };

  Slot& slot(Member m) { return slots_[m == Member::A ? 0 : 1]; }
  const Slot& slot(Member m) const { return slots_[m == Member::A ? 0 : 1]; }
  sim::ApplianceConfig config(Member m) const;
  /// Delivers queued peer messages both ways until neither appliance sends more.
  void pump();
  /// Where a peer message to `to` arrives, if anywhere.
  std::optional<Member> route(const sim::ConnectionDetails& to) const;
  /// Ticks and pumps after a call, and notes a shared IP conflict.
  void settle();
  crypto::Bytes derived(std::string_view label, Member m, std::uint64_t n) const;
  DownloadedBackup seal_backup(Member m, const std::string& password);

  ModelPairOptions options_;
  ManualClock clock_;
  sim::UpdateServer server_;
  std::array<Slot, 2> slots_;
  bool conflict_seen_ = false;
  std::function<void(Member, bool)> on_shared_ip_;
};

}  // namespace failover_hil::hil
