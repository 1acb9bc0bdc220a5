#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "failover_hil/netlab/address.hpp"

namespace failover_hil::netlab {

/// What a host of the lab is for.
enum class HostRole { client, dns, appliance, router };
/// As lab files write it: "client", "dns", "appliance", "router".
const char* to_string(HostRole r);

struct LabHostSpec {
  std::string name;  ///< e.g. "client1"; the namespace is <prefix><name>
  HostRole role = HostRole::client;
  Ipv4Address ip;
};

/// A lab as data (a YAML lab file): hosts on one switched subnet, the site's
/// names and addresses. Several labs coexist with distinct prefixes and subnets.
struct LabSpec {
  std::string name;
  std::string prefix;  ///< of every kernel object, e.g. "fhil0-"
  Ipv4Prefix subnet;
  std::string site_hostname;  ///< e.g. support.lab.example
  std::string zone;           ///< e.g. lab.example
  int dns_ttl_s = 5;
  Ipv4Address shared_ip;  ///< the appliances' shared IP
  Ipv4Address vip;        ///< the site address the NAT router answers on
  std::vector<std::uint16_t> site_ports{443};
  std::vector<LabHostSpec> hosts;

  const LabHostSpec& host(const std::string& name) const;
  std::vector<const LabHostSpec*> with_role(HostRole role) const;
};

/// Reads a lab file; a bad one is refused with file:line and what was expected.
LabSpec load_lab_file(const std::filesystem::path& file);
/// The same from the file's text; `file` names it in refusals.
LabSpec parse_lab(const std::string& text, const std::filesystem::path& file);
/// Checks the spec's invariants (addresses in the subnet and the lab range, unique names and IPs).
void validate(const LabSpec& spec, const std::string& where);

}  // namespace failover_hil::netlab
