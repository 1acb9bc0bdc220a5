#pragma once

// A child process started inside a network namespace (private to netlab;
// hil::ChildProcess is the harness's own, netlab cannot depend on hil).

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "failover_hil/netlab/netns.hpp"

namespace failover_hil::netlab {

/// Move-only; the destructor terminates the child (SIGTERM, then SIGKILL).
/// The child gets SIGKILL when the thread that spawned it dies
/// (PR_SET_PDEATHSIG), so a crashed run leaves no process behind.
class NetnsProcess {
 public:
  /// Forks, enters `ns` in the child, execs `argv` (argv[0] a path) with
  /// stdout and stderr appended to `log`. Throws KernelError when it cannot
  /// start (including exec failures, reported by the child through a pipe).
  static NetnsProcess spawn(const Netns& ns, const std::vector<std::string>& argv,
                            const std::filesystem::path& log);
  NetnsProcess() = default;
  NetnsProcess(NetnsProcess&& o) noexcept;
  NetnsProcess& operator=(NetnsProcess&& o) noexcept;
  NetnsProcess(const NetnsProcess&) = delete;
  NetnsProcess& operator=(const NetnsProcess&) = delete;
  ~NetnsProcess();

  pid_t pid() const noexcept { return pid_; }
  /// Whether it still runs (reaps it when it has exited).
  bool running();
  /// SIGTERM, up to `grace` to exit, then SIGKILL; returns the wait status.
  int terminate(std::chrono::milliseconds grace);

 private:
  void reap(bool block);
  pid_t pid_ = -1;
  int status_ = 0;
};

}  // namespace failover_hil::netlab
