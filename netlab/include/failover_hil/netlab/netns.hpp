#pragma once

#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "failover_hil/netlab/error.hpp"

namespace failover_hil::netlab {

/// A network namespace, held by an open file descriptor. A namespace made by
/// create() is owned: it is a bind mount at /run/netns/<name> (the iproute2
/// way, so `ip netns` sees it) and is deleted when the handle is destroyed.
/// Move-only. The handle itself is thread-safe to read; entering a namespace
/// is per thread (NetnsGuard, run_in_netns).
class Netns {
 public:
  /// Creates /run/netns/<name> holding a new network namespace. Throws
  /// KernelError (errc::file_exists when the name is taken: a leftover of a
  /// crashed run, which sweep_prefix() removes).
  static Netns create(std::string name);
  /// Opens an existing named namespace without owning it.
  static Netns open(std::string name);
  /// The calling thread's namespace, not owned (named "(current)").
  static Netns current();

  Netns(Netns&& other) noexcept;
  Netns& operator=(Netns&& other) noexcept;
  Netns(const Netns&) = delete;
  Netns& operator=(const Netns&) = delete;
  /// Deletes an owned namespace; failures are reported on stderr.
  ~Netns();

  const std::string& name() const noexcept { return name_; }
  /// The namespace's file descriptor (for setns or IFLA_NET_NS_FD).
  int fd() const noexcept { return fd_; }
  bool owned() const noexcept { return owned_; }
  /// Deletes an owned namespace now; throws KernelError on failure.
  void remove();
  /// Gives up ownership: the namespace outlives the handle (as after a crash).
  void release() noexcept { owned_ = false; }
  /// A second handle to the same namespace, not owned (a duplicated
  /// descriptor): for objects that must reach the namespace later, e.g. an nft
  /// context. It keeps the namespace alive, not its /run/netns name.
  Netns share() const;

 private:
  Netns(std::string name, int fd, bool owned) noexcept
      : name_(std::move(name)), fd_(fd), owned_(owned) {}
  void close_fd() noexcept;

  std::string name_;
  int fd_ = -1;
  bool owned_ = false;
};

/// The names in /run/netns (what `ip netns list` shows), sorted.
std::vector<std::string> list_netns();

/// Deletes the named namespace as `ip netns delete` does (detach the bind
/// mount, remove the file). Throws KernelError.
void delete_netns(const std::string& name);

/// Moves the calling thread into `target` for the guard's lifetime and back
/// into its previous namespace on exit. setns moves only the calling thread.
/// Neither copyable nor movable: it belongs to its scope and its thread.
class NetnsGuard {
 public:
  /// Throws KernelError when the thread cannot enter `target`.
  explicit NetnsGuard(const Netns& target);
  ~NetnsGuard();
  NetnsGuard(const NetnsGuard&) = delete;
  NetnsGuard& operator=(const NetnsGuard&) = delete;

 private:
  int saved_fd_ = -1;
  std::string target_name_;
};

namespace detail {
/// Runs `body` on a new thread that first enters `ns`; rethrows its exception.
void run_on_worker_in(const Netns& ns, const std::function<void()>& body);
}  // namespace detail

/// Runs `f` on a worker thread inside `ns` and returns its result (or rethrows
/// its exception) on the calling thread, which never changes namespace.
/// Sockets made inside `f` stay bound to `ns` and may be used from any thread.
template <class F>
std::invoke_result_t<F&> run_in_netns(const Netns& ns, F&& f) {
  using Result = std::invoke_result_t<F&>;
  if constexpr (std::is_void_v<Result>) {
    detail::run_on_worker_in(ns, [&] { std::invoke(f); });
  } else {
    std::optional<Result> result;
    detail::run_on_worker_in(ns, [&] { result.emplace(std::invoke(f)); });
    return std::move(*result);
  }
}

}  // namespace failover_hil::netlab
