#include "failover_hil/netlab/link.hpp"

#include <net/if.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>

#include <cstring>
#include <iostream>

#include "failover_hil/netlab/names.hpp"
#include "nl_ptr.hpp"
#include "sys_error.hpp"

namespace failover_hil::netlab {

namespace {

std::string in_ns(const NetlinkSocket& nl) {
  return " in netns " + nl.netns_name();
}

bool is_not_found(int nl_result) {
  return nl_result == -NLE_NODEV || nl_result == -NLE_OBJ_NOTFOUND;
}

// The kernel's view of `link`, or null when there is none.
NlPtr<rtnl_link> try_get_link(NetlinkSocket& nl, std::string_view link) {
  const std::string name(link);
  rtnl_link* result = nullptr;
  const int err = rtnl_link_get_kernel(nl.native(), 0, name.c_str(), &result);
  if (err < 0) {
    if (is_not_found(err)) return nullptr;
    throw_nl("looking up interface " + name + in_ns(nl), err);
  }
  return NlPtr<rtnl_link>(result);
}

NlPtr<rtnl_link> get_link(NetlinkSocket& nl, std::string_view link) {
  auto result = try_get_link(nl, link);
  if (!result) throw_nl("looking up interface " + std::string(link) + in_ns(nl), -NLE_NODEV);
  return result;
}

void change_link(NetlinkSocket& nl, std::string_view link, rtnl_link* changes,
                 const std::string& what) {
  const auto orig = get_link(nl, link);
  if (const int err = rtnl_link_change(nl.native(), orig.get(), changes, 0); err < 0)
    throw_nl(what + in_ns(nl), err);
}

void delete_in_destructor(NetlinkSocket& nl, const std::string& name) noexcept {
  try {
    delete_link(nl, name);
  } catch (const KernelError& e) {
    // Gone already: its namespace or its veth peer went first.
    if (e.code() != std::errc::no_such_device && e.code() != std::errc::no_such_file_or_directory)
      std::cerr << "netlab: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "netlab: " << e.what() << "\n";
  }
}

}  // namespace

std::optional<int> find_link(NetlinkSocket& nl, std::string_view link) {
  const auto l = try_get_link(nl, link);
  if (!l) return std::nullopt;
  return rtnl_link_get_ifindex(l.get());
}

int link_index(NetlinkSocket& nl, std::string_view link) {
  return rtnl_link_get_ifindex(get_link(nl, link).get());
}

MacAddress link_mac(NetlinkSocket& nl, std::string_view link) {
  const auto l = get_link(nl, link);
  const nl_addr* addr = rtnl_link_get_addr(l.get());
  MacAddress mac;
  if (addr == nullptr || nl_addr_get_len(addr) != mac.bytes.size())
    throw NetlabError("interface " + std::string(link) + in_ns(nl) + " has no Ethernet address");
  std::memcpy(mac.bytes.data(), nl_addr_get_binary_addr(addr), mac.bytes.size());
  return mac;
}

bool link_is_up(NetlinkSocket& nl, std::string_view link) {
  return (rtnl_link_get_flags(get_link(nl, link).get()) & IFF_UP) != 0;
}

std::vector<std::string> link_names(NetlinkSocket& nl) {
  nl_cache* raw = nullptr;
  if (const int err = rtnl_link_alloc_cache(nl.native(), AF_UNSPEC, &raw); err < 0)
    throw_nl("listing interfaces" + in_ns(nl), err);
  const NlPtr<nl_cache> cache(raw);
  std::vector<std::string> names;
  for (nl_object* o = nl_cache_get_first(cache.get()); o != nullptr; o = nl_cache_get_next(o))
    names.emplace_back(rtnl_link_get_name(reinterpret_cast<rtnl_link*>(o)));
  return names;
}

void set_link_up(NetlinkSocket& nl, std::string_view link, bool up) {
  const auto changes = nl_owned(rtnl_link_alloc());
  if (up)
    rtnl_link_set_flags(changes.get(), IFF_UP);
  else
    rtnl_link_unset_flags(changes.get(), IFF_UP);
  change_link(nl, link, changes.get(),
              std::string("setting interface ") + std::string(link) + (up ? " up" : " down"));
}

void set_link_mac(NetlinkSocket& nl, std::string_view link, const MacAddress& mac) {
  const auto changes = nl_owned(rtnl_link_alloc());
  const auto addr = nl_owned(nl_addr_build(AF_LLC, mac.bytes.data(), mac.bytes.size()));
  rtnl_link_set_addr(changes.get(), addr.get());
  change_link(nl, link, changes.get(),
              "setting the MAC of interface " + std::string(link) + " to " + mac.str());
}

void set_link_master(NetlinkSocket& nl, std::string_view link, std::string_view bridge) {
  const auto changes = nl_owned(rtnl_link_alloc());
  rtnl_link_set_master(changes.get(), link_index(nl, bridge));
  change_link(nl, link, changes.get(),
              "making interface " + std::string(link) + " a port of " + std::string(bridge));
}

void delete_link(NetlinkSocket& nl, std::string_view link) {
  const std::string name(link);
  const auto l = nl_owned(rtnl_link_alloc());
  rtnl_link_set_name(l.get(), name.c_str());
  if (const int err = rtnl_link_delete(nl.native(), l.get()); err < 0)
    throw_nl("deleting interface " + name + in_ns(nl), err);
}

VethPair VethPair::create(std::shared_ptr<NetlinkSocket> nl, std::string name,
                          std::string peer_name, const Netns* peer_ns) {
  validate_link_name(name);
  validate_link_name(peer_name);
  const std::string what = "creating veth pair " + name + " <-> " + peer_name +
                           (peer_ns != nullptr ? " (peer in netns " + peer_ns->name() + ")" : "") +
                           in_ns(*nl);
  const auto link = nl_owned(rtnl_link_veth_alloc());
  rtnl_link_set_name(link.get(), name.c_str());
  const NlPtr<rtnl_link> peer(rtnl_link_veth_get_peer(link.get()));  // takes a reference
  rtnl_link_set_name(peer.get(), peer_name.c_str());
  if (peer_ns != nullptr) rtnl_link_set_ns_fd(peer.get(), peer_ns->fd());
  if (const int err = rtnl_link_add(nl->native(), link.get(), NLM_F_CREATE | NLM_F_EXCL); err < 0)
    throw_nl(what, err);
  return VethPair(std::move(nl), std::move(name), std::move(peer_name));
}

VethPair& VethPair::operator=(VethPair&& other) noexcept {
  if (this != &other) {
    VethPair old(std::move(*this));
    nl_ = std::move(other.nl_);
    name_ = std::move(other.name_);
    peer_name_ = std::move(other.peer_name_);
  }
  return *this;
}

VethPair::~VethPair() {
  if (nl_) delete_in_destructor(*nl_, name_);
}

void VethPair::remove() {
  if (!nl_) return;
  const auto nl = std::move(nl_);
  delete_link(*nl, name_);
}

Bridge Bridge::create(std::shared_ptr<NetlinkSocket> nl, std::string name) {
  validate_link_name(name);
  const auto link = nl_owned(rtnl_link_bridge_alloc());
  rtnl_link_set_name(link.get(), name.c_str());
  if (const int err = rtnl_link_add(nl->native(), link.get(), NLM_F_CREATE | NLM_F_EXCL); err < 0)
    throw_nl("creating bridge " + name + in_ns(*nl), err);
  Bridge bridge(std::move(nl), std::move(name));
  set_link_up(*bridge.nl_, bridge.name_);
  return bridge;
}

Bridge& Bridge::operator=(Bridge&& other) noexcept {
  if (this != &other) {
    Bridge old(std::move(*this));
    nl_ = std::move(other.nl_);
    name_ = std::move(other.name_);
  }
  return *this;
}

Bridge::~Bridge() {
  if (nl_) delete_in_destructor(*nl_, name_);
}

void Bridge::enslave(std::string_view port) {
  if (!nl_) throw NetlabError("bridge " + name_ + " was removed or released");
  set_link_master(*nl_, port, name_);
  set_link_up(*nl_, port);
}

void Bridge::remove() {
  if (!nl_) return;
  const auto nl = std::move(nl_);
  delete_link(*nl, name_);
}

}  // namespace failover_hil::netlab
