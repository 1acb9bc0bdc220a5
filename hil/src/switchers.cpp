#include "failover_hil/hil/switchers.hpp"

#include "failover_hil/netlab/dns_update.hpp"

namespace failover_hil::hil {

namespace {

netlab::Ipv4Address address_of(const std::map<Member, netlab::Ipv4Address>& addresses, Member m) {
  const auto it = addresses.find(m);
  if (it == addresses.end()) throw HarnessError("switch: no address for " + std::string(name(m)));
  return it->second;
}

std::set<Member> members_at(const std::map<Member, netlab::Ipv4Address>& addresses,
                            netlab::Ipv4Address ip) {
  for (const auto& [m, a] : addresses)
    if (a == ip) return {m};
  return {};
}

}  // namespace

void SharedIpSwitch::switch_to(Member m) {
  auto& from = m == Member::A ? b_ : a_;
  auto& to = m == Member::A ? a_ : b_;
  if (enable_first_) {  // the planted defect: both hold it for a moment
    to.set_shared_ip(true);
    from.set_shared_ip(false);
    return;
  }
  from.set_shared_ip(false);  // first: never both at once (R23)
  to.set_shared_ip(true);
}

std::set<Member> SharedIpSwitch::current() {
  std::set<Member> holders;
  if (a_.status().shared_ip_enabled) holders.insert(Member::A);
  if (b_.status().shared_ip_enabled) holders.insert(Member::B);
  return holders;
}

void DnsSwing::switch_to(Member m) {
  netlab::dns_update(
      *c_.from, c_.server,
      {c_.zone, c_.record, address_of(addresses_, m), std::chrono::seconds(c_.ttl_s)}, c_.key);
}

void DnsSwing::set_ttl(int ttl_s) {
  c_.ttl_s = ttl_s;
  const auto now = netlab::query_a(*c_.from, c_.server, c_.record).address;
  netlab::dns_update(*c_.from, c_.server, {c_.zone, c_.record, now, std::chrono::seconds(ttl_s)},
                     c_.key);
}

std::set<Member> DnsSwing::current() {
  return members_at(addresses_, netlab::query_a(*c_.from, c_.server, c_.record).address);
}

void NatSwitch::switch_to(Member m) {
  nat_.switch_to(address_of(addresses_, m), flush_);
}

std::set<Member> NatSwitch::current() {
  return members_at(addresses_, nat_.target());
}

}  // namespace failover_hil::hil
