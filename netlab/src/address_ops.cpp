#include "failover_hil/netlab/address_ops.hpp"

#include <arpa/inet.h>
#include <linux/if_addr.h>

#include <cstring>
#include <iostream>

#include "failover_hil/netlab/link.hpp"
#include "nl_ptr.hpp"
#include "sys_error.hpp"

namespace failover_hil::netlab {

namespace {

std::array<std::uint8_t, 4> network_order(Ipv4Address a) {
  return {static_cast<std::uint8_t>(a.value >> 24), static_cast<std::uint8_t>(a.value >> 16),
          static_cast<std::uint8_t>(a.value >> 8), static_cast<std::uint8_t>(a.value)};
}

// The libnl object for `address` on `ifindex`, checked against the lab's ranges.
NlPtr<rtnl_addr> make_addr(int ifindex, const InterfaceAddress& address) {
  NlPtr<nl_addr> local;
  int max_length = 32;
  if (const auto* v4 = std::get_if<Ipv4Address>(&address.ip)) {
    require_lab_address(*v4, "interface address");
    const auto bytes = network_order(*v4);
    local = nl_owned(nl_addr_build(AF_INET, bytes.data(), bytes.size()));
  } else {
    const auto& v6 = std::get<Ipv6Address>(address.ip);
    require_lab_address(v6, "interface address");
    local = nl_owned(nl_addr_build(AF_INET6, v6.bytes.data(), v6.bytes.size()));
    max_length = 128;
  }
  if (address.prefix_length < 1 || address.prefix_length > max_length)
    throw NetlabError("address " + address.str() + ": the prefix length must be 1.." +
                      std::to_string(max_length));
  nl_addr_set_prefixlen(local.get(), address.prefix_length);
  auto addr = nl_owned(rtnl_addr_alloc());
  rtnl_addr_set_ifindex(addr.get(), ifindex);
  if (const int err = rtnl_addr_set_local(addr.get(), local.get()); err < 0)
    throw_nl("preparing address " + address.str(), err);
  rtnl_addr_set_prefixlen(addr.get(), address.prefix_length);
  // No duplicate address detection: the address must be usable the moment
  // it moves (the duplicate-IP pre-check is ours, see dup_check.hpp).
  if (std::holds_alternative<Ipv6Address>(address.ip)) rtnl_addr_set_flags(addr.get(), IFA_F_NODAD);
  return addr;
}

NlPtr<nl_msg> address_message(int ifindex, const InterfaceAddress& address, bool add) {
  const auto addr = make_addr(ifindex, address);
  nl_msg* msg = nullptr;
  const int err = add ? rtnl_addr_build_add_request(addr.get(), NLM_F_CREATE | NLM_F_EXCL, &msg)
                      : rtnl_addr_build_delete_request(addr.get(), 0, &msg);
  if (err < 0) throw_nl("building the netlink request for address " + address.str(), err);
  return NlPtr<nl_msg>(msg);
}

void send_address_message(NetlinkSocket& nl, std::string_view link, const InterfaceAddress& address,
                          bool add) {
  const std::string what = std::string(add ? "adding address " : "removing address ") +
                           address.str() + (add ? " to " : " from ") + std::string(link) +
                           " in netns " + nl.netns_name();
  auto msg = address_message(link_index(nl, link), address, add);
  // nl_send_sync completes the header, waits for the kernel's ACK and frees msg.
  if (const int err = nl_send_sync(nl.native(), msg.release()); err < 0) throw_nl(what, err);
}

}  // namespace

std::string InterfaceAddress::str() const {
  const std::string ip_text = std::visit([](const auto& a) { return a.str(); }, ip);
  return ip_text + "/" + std::to_string(prefix_length);
}

std::vector<std::uint8_t> build_address_request(int ifindex, const InterfaceAddress& address,
                                                bool add) {
  const auto msg = address_message(ifindex, address, add);
  const nlmsghdr* header = nlmsg_hdr(msg.get());
  const auto* begin = reinterpret_cast<const std::uint8_t*>(header);
  return {begin, begin + header->nlmsg_len};
}

void add_address(NetlinkSocket& nl, std::string_view link, const InterfaceAddress& address) {
  send_address_message(nl, link, address, true);
}

void remove_address(NetlinkSocket& nl, std::string_view link, const InterfaceAddress& address) {
  send_address_message(nl, link, address, false);
}

std::vector<InterfaceAddress> link_addresses(NetlinkSocket& nl, std::string_view link) {
  const int ifindex = link_index(nl, link);
  nl_cache* raw = nullptr;
  if (const int err = rtnl_addr_alloc_cache(nl.native(), &raw); err < 0)
    throw_nl("listing addresses of " + std::string(link) + " in netns " + nl.netns_name(), err);
  const NlPtr<nl_cache> cache(raw);
  std::vector<InterfaceAddress> out;
  for (nl_object* o = nl_cache_get_first(cache.get()); o != nullptr; o = nl_cache_get_next(o)) {
    auto* addr = reinterpret_cast<rtnl_addr*>(o);
    if (rtnl_addr_get_ifindex(addr) != ifindex) continue;
    const nl_addr* local = rtnl_addr_get_local(addr);
    if (local == nullptr) continue;
    InterfaceAddress entry;
    entry.prefix_length = rtnl_addr_get_prefixlen(addr);
    const auto* bytes = static_cast<const std::uint8_t*>(nl_addr_get_binary_addr(local));
    if (rtnl_addr_get_family(addr) == AF_INET && nl_addr_get_len(local) == 4) {
      entry.ip = Ipv4Address{(std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
                             (std::uint32_t{bytes[2]} << 8) | bytes[3]};
    } else if (rtnl_addr_get_family(addr) == AF_INET6 && nl_addr_get_len(local) == 16) {
      Ipv6Address v6;
      std::memcpy(v6.bytes.data(), bytes, v6.bytes.size());
      entry.ip = v6;
    } else {
      continue;
    }
    out.push_back(entry);
  }
  return out;
}

ScopedAddress ScopedAddress::add(std::shared_ptr<NetlinkSocket> nl, std::string link,
                                 InterfaceAddress address) {
  add_address(*nl, link, address);
  return ScopedAddress(std::move(nl), std::move(link), std::move(address));
}

ScopedAddress& ScopedAddress::operator=(ScopedAddress&& other) noexcept {
  if (this != &other) {
    ScopedAddress old(std::move(*this));
    nl_ = std::move(other.nl_);
    link_ = std::move(other.link_);
    address_ = std::move(other.address_);
  }
  return *this;
}

ScopedAddress::~ScopedAddress() {
  if (!nl_) return;
  try {
    remove();
  } catch (const KernelError& e) {
    // Gone already (moved away by hand, or its interface deleted).
    if (e.code() != std::errc::address_not_available && e.code() != std::errc::no_such_device)
      std::cerr << "netlab: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "netlab: " << e.what() << "\n";
  }
}

void ScopedAddress::remove() {
  if (!nl_) return;
  const auto nl = std::move(nl_);
  remove_address(*nl, link_, address_);
}

}  // namespace failover_hil::netlab
