#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "failover_hil/netlab/mac.hpp"
#include "failover_hil/netlab/netlink_socket.hpp"
#include "failover_hil/netlab/netns.hpp"

namespace failover_hil::netlab {

/// The interface index of `link` in the socket's namespace, or nullopt.
std::optional<int> find_link(NetlinkSocket& nl, std::string_view link);
/// The interface index of `link`; throws KernelError (errc::no_such_device).
int link_index(NetlinkSocket& nl, std::string_view link);
/// The interface's hardware address.
MacAddress link_mac(NetlinkSocket& nl, std::string_view link);
/// True when the interface is administratively up (IFF_UP).
bool link_is_up(NetlinkSocket& nl, std::string_view link);
/// The names of every interface in the socket's namespace.
std::vector<std::string> link_names(NetlinkSocket& nl);

/// Sets the interface administratively up or down.
void set_link_up(NetlinkSocket& nl, std::string_view link, bool up = true);
/// Sets the interface's hardware address.
void set_link_mac(NetlinkSocket& nl, std::string_view link, const MacAddress& mac);
/// Makes `link` a port of `bridge` (both in the socket's namespace).
void set_link_master(NetlinkSocket& nl, std::string_view link, std::string_view bridge);
/// Deletes the interface. Throws KernelError (errc::no_such_device when gone).
void delete_link(NetlinkSocket& nl, std::string_view link);

/// A veth pair, owned: destroying the handle deletes it (deleting one end
/// deletes both). Move-only.
class VethPair {
 public:
  /// Creates `name` in the socket's namespace and its peer `peer_name` in
  /// `peer_ns` (or next to it when null). Both ends start down.
  static VethPair create(std::shared_ptr<NetlinkSocket> nl, std::string name, std::string peer_name,
                         const Netns* peer_ns = nullptr);
  VethPair(VethPair&&) noexcept = default;
  VethPair& operator=(VethPair&& other) noexcept;
  ~VethPair();

  const std::string& name() const noexcept { return name_; }
  const std::string& peer_name() const noexcept { return peer_name_; }
  /// Deletes the pair now; throws KernelError on failure.
  void remove();
  /// Gives up ownership: the pair outlives the handle (as after a crash).
  void release() noexcept { nl_.reset(); }

 private:
  VethPair(std::shared_ptr<NetlinkSocket> nl, std::string name, std::string peer_name)
      : nl_(std::move(nl)), name_(std::move(name)), peer_name_(std::move(peer_name)) {}
  std::shared_ptr<NetlinkSocket> nl_;
  std::string name_;
  std::string peer_name_;
};

/// A Linux bridge, owned: destroying the handle deletes it. Created up, with
/// STP off, so ports forward as soon as they are up. Move-only.
class Bridge {
 public:
  static Bridge create(std::shared_ptr<NetlinkSocket> nl, std::string name);
  Bridge(Bridge&&) noexcept = default;
  Bridge& operator=(Bridge&& other) noexcept;
  ~Bridge();

  const std::string& name() const noexcept { return name_; }
  /// Makes `port` (in the bridge's namespace) a port of this bridge and sets it up.
  void enslave(std::string_view port);
  /// Deletes the bridge now; throws KernelError on failure.
  void remove();
  void release() noexcept { nl_.reset(); }

 private:
  Bridge(std::shared_ptr<NetlinkSocket> nl, std::string name)
      : nl_(std::move(nl)), name_(std::move(name)) {}
  std::shared_ptr<NetlinkSocket> nl_;
  std::string name_;
};

}  // namespace failover_hil::netlab
