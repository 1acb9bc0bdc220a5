#include "failover_hil/netlab/conntrack.hpp"

#include <netinet/in.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netfilter/ct.h>
#include <netlink/netfilter/nfnl.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <cstring>
#include <functional>
#include <optional>

#include "nl_ptr.hpp"
#include "sys_error.hpp"

namespace failover_hil::netlab {

namespace {

std::optional<Ipv4Address> ipv4_of(const nl_addr* addr) {
  if (addr == nullptr || nl_addr_get_family(addr) != AF_INET || nl_addr_get_len(addr) != 4)
    return std::nullopt;
  std::uint32_t be = 0;
  std::memcpy(&be, nl_addr_get_binary_addr(addr), sizeof be);
  return Ipv4Address{ntohl(be)};
}

std::optional<ConntrackEntry> entry_of(const nfnl_ct* ct) {
  if (nfnl_ct_get_family(ct) != AF_INET) return std::nullopt;
  const auto orig_src = ipv4_of(nfnl_ct_get_src(ct, 0));
  const auto orig_dst = ipv4_of(nfnl_ct_get_dst(ct, 0));
  const auto reply_src = ipv4_of(nfnl_ct_get_src(ct, 1));
  if (!orig_src || !orig_dst || !reply_src) return std::nullopt;
  ConntrackEntry e;
  e.protocol = nfnl_ct_get_proto(ct);
  e.orig_src = *orig_src;
  e.orig_dst = *orig_dst;
  e.orig_src_port = nfnl_ct_get_src_port(ct, 0);
  e.orig_dst_port = nfnl_ct_get_dst_port(ct, 0);
  e.reply_src = *reply_src;
  e.reply_src_port = nfnl_ct_get_src_port(ct, 1);
  return e;
}

// Dumps the table inside `ns` and calls `visit` for every IPv4 entry with a
// socket that may delete it.
void for_each_entry(const Netns& ns,
                    const std::function<void(nl_sock*, nfnl_ct*, const ConntrackEntry&)>& visit) {
  run_in_netns(ns, [&] {
    const std::string where = " in netns " + ns.name();
    const auto sock = nl_owned(nl_socket_alloc());
    if (const int err = nfnl_connect(sock.get()); err < 0)
      throw_nl("connecting to ctnetlink" + where, err);
    nl_cache* raw = nullptr;
    if (const int err = nfnl_ct_alloc_cache(sock.get(), &raw); err < 0)
      throw_nl("dumping the conntrack table" + where, err);
    const NlPtr<nl_cache> cache(raw);
    for (nl_object* obj = nl_cache_get_first(cache.get()); obj != nullptr;
         obj = nl_cache_get_next(obj)) {
      // libnl's cache holds nfnl_ct objects behind the generic nl_object.
      auto* ct = reinterpret_cast<nfnl_ct*>(obj);
      if (const auto e = entry_of(ct)) visit(sock.get(), ct, *e);
    }
  });
}

}  // namespace

std::vector<ConntrackEntry> list_conntrack(const Netns& ns) {
  std::vector<ConntrackEntry> entries;
  for_each_entry(ns, [&](nl_sock*, nfnl_ct*, const ConntrackEntry& e) { entries.push_back(e); });
  return entries;
}

std::size_t flush_conntrack_to(const Netns& ns, Ipv4Address orig_dst) {
  std::size_t deleted = 0;
  for_each_entry(ns, [&](nl_sock* sock, nfnl_ct* ct, const ConntrackEntry& e) {
    if (e.orig_dst != orig_dst) return;
    const int err = nfnl_ct_del(sock, ct, 0);
    if (err == -NLE_OBJ_NOTFOUND) return;  // expired since the dump
    if (err < 0)
      throw_nl("deleting the conntrack entry " + e.orig_src.str() + " -> " + e.orig_dst.str() +
                   " in netns " + ns.name(),
               err);
    ++deleted;
  });
  return deleted;
}

}  // namespace failover_hil::netlab
