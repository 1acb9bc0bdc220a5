#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "failover_hil/netlab/address.hpp"
#include "failover_hil/netlab/ipv6.hpp"
#include "failover_hil/netlab/netlink_socket.hpp"

namespace failover_hil::netlab {

/// An address on an interface: IPv4 (lab range only) or IPv6 (lab ULA only).
struct InterfaceAddress {
  std::variant<Ipv4Address, Ipv6Address> ip;
  int prefix_length = 24;
  /// "198.18.0.10/24", "fd00:198:18::10/64".
  std::string str() const;
  bool operator==(const InterfaceAddress&) const = default;
};

/// The RTM_NEWADDR (or RTM_DELADDR) message add_address (remove_address)
/// sends, as bytes: built without a socket, so it can be checked without
/// privileges. IPv6 addresses carry IFA_F_NODAD. Throws NetlabError for an
/// address outside the lab's ranges or a bad prefix length.
std::vector<std::uint8_t> build_address_request(int ifindex, const InterfaceAddress& address,
                                                bool add);

/// Adds `address` to `link`. IPv6 addresses are added without duplicate
/// address detection (IFA_F_NODAD), so they are usable at once. Throws
/// KernelError naming the address, the link and the namespace
/// (errc::file_exists when it is already there).
void add_address(NetlinkSocket& nl, std::string_view link, const InterfaceAddress& address);
/// Removes `address` from `link`. Throws KernelError
/// (errc::cannot_assign_requested_address when it is not there).
void remove_address(NetlinkSocket& nl, std::string_view link, const InterfaceAddress& address);
/// The addresses on `link` (both families), in the kernel's order.
std::vector<InterfaceAddress> link_addresses(NetlinkSocket& nl, std::string_view link);

/// An address added for the handle's lifetime, removed on destruction
/// (unless already gone). Move-only.
class ScopedAddress {
 public:
  static ScopedAddress add(std::shared_ptr<NetlinkSocket> nl, std::string link,
                           InterfaceAddress address);
  ScopedAddress(ScopedAddress&&) noexcept = default;
  ScopedAddress& operator=(ScopedAddress&& other) noexcept;
  ~ScopedAddress();
  const InterfaceAddress& address() const noexcept { return address_; }
  /// Removes the address now; throws KernelError on failure.
  void remove();
  void release() noexcept { nl_.reset(); }

 private:
  ScopedAddress(std::shared_ptr<NetlinkSocket> nl, std::string link, InterfaceAddress address)
      : nl_(std::move(nl)), link_(std::move(link)), address_(std::move(address)) {}
  std::shared_ptr<NetlinkSocket> nl_;
  std::string link_;
  InterfaceAddress address_;
};

}  // namespace failover_hil::netlab
