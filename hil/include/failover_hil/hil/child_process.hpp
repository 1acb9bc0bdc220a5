#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace failover_hil::hil {

/// A child process the harness started (a simulator, named, tcpdump...).
/// Move-only; the destructor terminates it (SIGTERM, then SIGKILL after a
/// grace period). The child also gets SIGKILL if the harness dies, so a
/// crashed run leaves no process behind.
class ChildProcess {
 public:
  /// Starts `argv[0]` (a path) with `argv`, stdout and stderr appended to
  /// `log_file`, inside the network namespace `netns` (/run/netns/<name>)
  /// when given. Throws std::system_error naming the program when it cannot start.
  static ChildProcess spawn(const std::vector<std::string>& argv,
                            const std::filesystem::path& log_file, const std::string& netns = {});

  ChildProcess() = default;
  ChildProcess(ChildProcess&& o) noexcept;
  ChildProcess& operator=(ChildProcess&& o) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  /// Whether it still runs (reaps it when it has exited).
  bool running();
  /// SIGTERM, wait up to `grace`, then SIGKILL; returns the wait status.
  int terminate(std::chrono::milliseconds grace = std::chrono::seconds(3));
  /// SIGKILL now, as a crash would; returns the wait status.
  int kill_hard();
  const std::string& program() const { return program_; }

 private:
  int reap(bool block);
  pid_t pid_ = -1;
  int status_ = 0;
  std::string program_;
};

/// Waits until `done()` holds, checking every `every`, at most `limit`.
/// Returns whether it held. For conditions outside the process (files, ports).
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit,
                std::chrono::milliseconds every = std::chrono::milliseconds(5));

}  // namespace failover_hil::hil
