#include "failover_hil/hil/switchers.hpp"

#include "failover_hil/netlab/dns_update.hpp"

namespace failover_hil::hil {

namespace {

netlab::Ipv4Address address_of(const std::map<std::string, netlab::Ipv4Address>& addresses,
                               const std::string& appliance) {
  const auto it = addresses.find(appliance);
  if (it == addresses.end())
    throw HarnessError("switch: unknown appliance '" + appliance + "' (expected appA or appB)");
  return it->second;
}

std::string name_of(const std::map<std::string, netlab::Ipv4Address>& addresses,
                    netlab::Ipv4Address ip) {
  for (const auto& [name, a] : addresses)
    if (a == ip) return name;
  return {};
}

}  // namespace

void SharedIpSwitch::switch_to(const std::string& appliance) {
  auto& from = appliance == a_.name() ? b_ : a_;
  auto& to = appliance == a_.name() ? a_ : b_;
  from.set_shared_ip(false);  // first: never both at once (R23)
  to.set_shared_ip(true);
}

std::string SharedIpSwitch::current() {
  const bool a = a_.status().shared_ip_enabled;
  const bool b = b_.status().shared_ip_enabled;
  if (a && b) return a_.name() + "," + b_.name();
  return a ? a_.name() : b ? b_.name() : std::string();
}

void DnsSwing::switch_to(const std::string& appliance) {
  netlab::dns_update(
      *c_.from, c_.server,
      {c_.zone, c_.record, address_of(addresses_, appliance), std::chrono::seconds(c_.ttl_s)},
      c_.key);
}

std::string DnsSwing::current() {
  return name_of(addresses_, netlab::query_a(*c_.from, c_.server, c_.record).address);
}

void NatSwitch::switch_to(const std::string& appliance) {
  nat_.switch_to(address_of(addresses_, appliance));
}

std::string NatSwitch::current() {
  return name_of(addresses_, nat_.target());
}

}  // namespace failover_hil::hil
