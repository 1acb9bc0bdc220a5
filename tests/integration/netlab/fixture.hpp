#pragma once

// Helpers for netlab's integration tests: privilege check, unique name
// prefixes, a switched lab (client, appA, appB around a bridge in `sw`),
// bounded waits and TCP probes between namespaces.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "failover_hil/netlab/address.hpp"
#include "failover_hil/netlab/ipv6.hpp"
#include "failover_hil/netlab/link.hpp"
#include "failover_hil/netlab/names.hpp"
#include "failover_hil/netlab/netlink_socket.hpp"
#include "failover_hil/netlab/netns.hpp"

namespace failover_hil::netlab::testing {

/// Empty when the process may create namespaces and links; otherwise why not.
std::string missing_privilege();

/// A prefix no other test (or concurrent run) uses: "f<pid base 36><n>-".
NamePrefix unique_prefix();

/// The output of a shell command (for `ip netns list`, `ip link`).
std::string shell(const std::string& command);

/// Polls `condition` until it holds or `bound` passes; true when it held.
bool wait_until(const std::function<bool()>& condition,
                std::chrono::milliseconds bound = std::chrono::milliseconds(3000));

/// An owned socket descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) noexcept : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept;
  ~Fd();
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

/// A TCP listener inside `ns` on every address (IPv4 and IPv6), `port` or an
/// ephemeral one when 0.
struct Listener {
  Fd fd;
  std::uint16_t port = 0;
  /// True when a connection arrives within `bound`.
  bool accepts(std::chrono::milliseconds bound = std::chrono::milliseconds(2000)) const;
};
Listener listen_in(const Netns& ns, std::uint16_t port = 0);

/// Connects from `ns` to ip:port within `bound`; 0 on success, else errno.
int tcp_connect(const Netns& ns, Ipv4Address ip, std::uint16_t port,
                std::chrono::milliseconds bound = std::chrono::milliseconds(2000));
int tcp_connect(const Netns& ns, const Ipv6Address& ip, std::uint16_t port,
                std::chrono::milliseconds bound = std::chrono::milliseconds(2000));

/// One host of the switched lab: its namespace, a socket in it, and its
/// interface (named <prefix><host>) cabled to the bridge.
struct Host {
  Netns ns;
  std::shared_ptr<NetlinkSocket> nl;
  std::string link;
};

/// client, appA and appB, each cabled by a veth pair to the bridge in `sw`,
/// all links up. Holds everything by RAII; members are destroyed in reverse.
struct SwitchedLab {
  explicit SwitchedLab(const NamePrefix& prefix);
  /// Deletes the cables first, then the namespaces, then the bridge.
  ~SwitchedLab();
  SwitchedLab(const SwitchedLab&) = delete;
  SwitchedLab& operator=(const SwitchedLab&) = delete;

  Netns sw_ns;
  std::shared_ptr<NetlinkSocket> sw;
  Bridge bridge;
  std::vector<VethPair> cables;
  Host client;
  Host app_a;
  Host app_b;

 private:
  Host add_host(const NamePrefix& prefix, const std::string& name);
};

/// Base fixture: skips without privileges, hands out a unique prefix, and
/// after the test checks that nothing with the prefix is left (sweeping it
/// if something is).
class NetlabTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  /// Tests put what they create here, so TearDown can destroy it first.
  virtual void destroy_resources() {}
  const NamePrefix& prefix() const { return *prefix_; }

 private:
  std::optional<NamePrefix> prefix_;
};

}  // namespace failover_hil::netlab::testing
