#pragma once
// Internal: a client load that creates a session record every interval on
// whichever appliance serves the first client now (lab and inventory of simulators).

#include <atomic>
#include <map>
#include <memory>
#include <thread>

#include "failover_hil/hil/http_driver.hpp"
#include "run_context.hpp"

namespace failover_hil::hil {

/// One session record of the client load on `d` (console and Jump Client
/// number `n`, on the scenario's old release): its timeline event, ok with
/// the lsid or fail with the reason, to be stamped by the caller.
TimelineEvent load_session(ApplianceDriver& d, const Release& from, int n);

class SessionLoad {
 public:
  /// Its own drivers (HttpDriver is not thread-safe), copies of `a` and `b`.
  SessionLoad(RunContext& ctx, const HttpDriver& a, const HttpDriver& b, int interval_ms);
  ~SessionLoad() { stop(); }
  void stop();

 private:
  void loop();
  RunContext& ctx_;
  int interval_;
  std::map<std::string, std::unique_ptr<HttpDriver>> drivers_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace failover_hil::hil
