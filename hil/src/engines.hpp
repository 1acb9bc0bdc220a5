#pragma once
// Internal: the three engines' factories and what they share.

#include <filesystem>
#include <memory>

#include "failover_hil/hil/engine.hpp"
#include "failover_hil/hil/runner.hpp"

namespace failover_hil::hil {

class SiteWatch;
struct SiteWatchOptions;
struct WatchedClient;

/// "20261125T051500Z": run directories and the parts of a resumed run.
std::string utc_stamp();

/// The engines on real time (lab, inventory): the timeline's clock is
/// CLOCK_REALTIME, waiting sleeps, and measuring is a SiteWatch.
class RealTimeEngine : public Engine {
 public:
  ~RealTimeEngine() override;
  std::int64_t now_ns() override;
  bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit,
                std::chrono::milliseconds every, const std::function<void()>& between) override;
  void pause(std::chrono::milliseconds d) override;
  std::map<std::string, ServedBy> served_by() override;

 protected:
  /// Starts captures and probes of `clients` into `dir` (a resumed run's in
  /// new folders beside the first part's), then waits until every client's
  /// flow is answered by `serving`.
  void start_watch(RunContext& ctx, std::vector<WatchedClient> clients, SiteWatchOptions options,
                   const std::filesystem::path& dir, bool resumed, const std::string& serving);
  /// Stops the watch (if any) and records each client's capture on the timeline.
  void stop_watch(RunContext& ctx);

  std::unique_ptr<SiteWatch> watch_;
};

/// Data on A and the starting state through drivers and simulator controls:
/// A primary with the shared IP, B backup, synced.
void seed_pair(RunContext& ctx);

/// Checks the scenario against its lab file (clients, two appliances) before anything is built.
std::unique_ptr<Engine> make_lab_engine(const Scenario& scenario,
                                        const std::filesystem::path& lab_state_dir,
                                        const RunHooks& hooks);
std::unique_ptr<Engine> make_inventory_engine(const Scenario& scenario,
                                              const std::filesystem::path& inventory,
                                              const RunHooks& hooks);
/// Refuses a scenario with a fault it cannot model, naming the fault.
std::unique_ptr<Engine> make_inprocess_engine(const Scenario& scenario);

}  // namespace failover_hil::hil
