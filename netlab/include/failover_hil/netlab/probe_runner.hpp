#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include "failover_hil/netlab/probe.hpp"
#include "failover_hil/netlab/probe_stats.hpp"

namespace failover_hil::netlab {

/// Where a runner's outcomes go, besides its summary.
struct ProbeOutputs {
  /// CSV log (probe_log.hpp), written while running; empty: none.
  std::filesystem::path csv;
  /// Summary JSON, written by stop(); empty: none.
  std::filesystem::path summary_json;
  /// Called on the probe thread with every record, in the order outcomes
  /// were known. Must be quick; must not call the runner.
  std::function<void(const ProbeRecord&)> on_record;
};

/// One probe client: its own thread and io_context, inside the spec's
/// namespace, sending probes open-loop on a fixed schedule (probe i due at
/// t0 + i / rate on the steady clock, whatever happened to earlier probes;
/// when the thread falls behind, every overdue probe is sent at once). Each
/// probe is an independent coroutine with its own deadline, so a hung probe
/// never delays the next.
///
/// start() and stop() are called from one controlling thread; summary() and
/// sent() from any thread.
class ProbeRunner {
 public:
  /// Validates the spec (throws ProbeError); nothing is sent yet.
  ProbeRunner(ProbeSpec spec, ProbeOutputs outputs = {});
  /// Stops (as stop()) if running.
  ~ProbeRunner();
  ProbeRunner(const ProbeRunner&) = delete;
  ProbeRunner& operator=(const ProbeRunner&) = delete;

  /// Starts the probe thread: enters the namespace, opens sockets, resolves
  /// the target, then sends probe 0 at once. Throws ProbeError when it
  /// cannot (no ICMP privilege, bad address, log not writable).
  void start();
  /// Stops sending, lets the probes in flight finish (each by its deadline),
  /// then cancels what remains, joins the thread and writes the summary.
  /// Idempotent. Returns the summary.
  ProbeSummary stop();
  /// Blocks until spec.count probes have completed (or `bound` passed);
  /// true when they have. With count 0 it waits for `bound`.
  bool wait(std::chrono::milliseconds bound);
  /// The summary so far (copied under a lock).
  ProbeSummary summary() const;
  const ProbeSpec& spec() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace failover_hil::netlab
