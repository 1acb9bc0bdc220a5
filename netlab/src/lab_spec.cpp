#include "failover_hil/netlab/lab_spec.hpp"

#include <yaml-cpp/yaml.h>

#include <set>

#include "failover_hil/netlab/names.hpp"

namespace failover_hil::netlab {

namespace {

std::string at(const std::filesystem::path& file, const YAML::Node& n) {
  return file.string() + ":" + std::to_string(n.Mark().line + 1);
}

template <class T>
T field(const std::filesystem::path& file, const YAML::Node& map, const char* key) {
  const auto n = map[key];
  if (!n) throw NetlabError(at(file, map) + ": missing '" + std::string(key) + "'");
  try {
    return n.as<T>();
  } catch (const YAML::Exception&) {
    throw NetlabError(at(file, n) + ": '" + std::string(key) + "' has the wrong type");
  }
}

Ipv4Address address(const std::filesystem::path& file, const YAML::Node& map, const char* key) {
  try {
    return Ipv4Address::parse(field<std::string>(file, map, key));
  } catch (const NetlabError& e) {
    throw NetlabError(at(file, map[key]) + ": " + e.what());
  }
}

HostRole role_of(const std::string& s, const std::string& where) {
  if (s == "client") return HostRole::client;
  if (s == "dns") return HostRole::dns;
  if (s == "appliance") return HostRole::appliance;
  if (s == "router") return HostRole::router;
  throw NetlabError(where + ": role must be client, dns, appliance or router, not '" + s + "'");
}

}  // namespace

const LabHostSpec& LabSpec::host(const std::string& n) const {
  for (const auto& h : hosts)
    if (h.name == n) return h;
  std::string known;
  for (const auto& h : hosts) known += (known.empty() ? "" : ", ") + h.name;
  throw NetlabError("lab '" + name + "' has no host '" + n + "' (hosts: " + known + ")");
}

std::vector<const LabHostSpec*> LabSpec::with_role(HostRole role) const {
  std::vector<const LabHostSpec*> out;
  for (const auto& h : hosts)
    if (h.role == role) out.push_back(&h);
  return out;
}

void validate(const LabSpec& s, const std::string& where) {
  NamePrefix prefix(s.prefix);  // throws with the rule for prefixes
  if (!lab_range().contains(s.subnet))
    throw NetlabError(where + ": subnet " + s.subnet.str() + " lies outside the lab range " +
                      lab_range().str());
  std::set<std::string> names;
  std::set<std::uint32_t> ips{s.shared_ip.value, s.vip.value};
  if (s.shared_ip == s.vip) throw NetlabError(where + ": shared_ip and vip must differ");
  for (const auto* what : {&s.shared_ip, &s.vip})
    if (!s.subnet.contains(*what))
      throw NetlabError(where + ": " + what->str() + " lies outside " + s.subnet.str());
  for (const auto& h : s.hosts) {
    prefix.name(h.name + "-s");  // the switch side of its cable must fit in 15 characters
    if (!names.insert(h.name).second)
      throw NetlabError(where + ": host '" + h.name + "' appears twice");
    if (!s.subnet.contains(h.ip))
      throw NetlabError(where + ": host " + h.name + "'s " + h.ip.str() + " lies outside " +
                        s.subnet.str());
    if (!ips.insert(h.ip.value).second)
      throw NetlabError(where + ": " + h.ip.str() + " is used twice");
  }
  if (!s.site_hostname.ends_with("." + s.zone) || s.site_hostname.size() <= s.zone.size() + 1)
    throw NetlabError(where + ": site_hostname " + s.site_hostname +
                      " must be a name inside zone " + s.zone);
  if (s.dns_ttl_s < 0 || s.dns_ttl_s > 86400)
    throw NetlabError(where + ": dns_ttl_s must be 0..86400");
  if (s.with_role(HostRole::appliance).size() != 2)
    throw NetlabError(where + ": a lab needs exactly two hosts with role appliance");
  if (s.with_role(HostRole::client).empty())
    throw NetlabError(where + ": a lab needs at least one client");
  if (s.with_role(HostRole::router).size() > 1 || s.with_role(HostRole::dns).size() > 1)
    throw NetlabError(where + ": at most one router and one dns host");
}

LabSpec load_lab_file(const std::filesystem::path& file) {
  YAML::Node y;
  try {
    y = YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    throw NetlabError(file.string() + ": cannot read the lab file");
  } catch (const YAML::ParserException& e) {
    throw NetlabError(file.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!y.IsMap())
    throw NetlabError(file.string() + ": a lab file is a map (name, prefix, subnet, hosts, ...)");
  LabSpec s;
  s.name = field<std::string>(file, y, "name");
  s.prefix = field<std::string>(file, y, "prefix");
  try {
    s.subnet = Ipv4Prefix::parse(field<std::string>(file, y, "subnet"));
  } catch (const NetlabError& e) {
    throw NetlabError(at(file, y["subnet"]) + ": " + e.what());
  }
  s.site_hostname = field<std::string>(file, y, "site_hostname");
  s.zone = field<std::string>(file, y, "zone");
  if (y["dns_ttl_s"]) s.dns_ttl_s = field<int>(file, y, "dns_ttl_s");
  s.shared_ip = address(file, y, "shared_ip");
  s.vip = address(file, y, "vip");
  if (y["site_ports"]) s.site_ports = field<std::vector<std::uint16_t>>(file, y, "site_ports");
  const auto hosts = y["hosts"];
  if (!hosts || !hosts.IsMap())
    throw NetlabError(at(file, y) + ": 'hosts' must map host names to {ip, role}");
  for (const auto& kv : hosts) {
    const auto name = kv.first.as<std::string>();
    const auto& h = kv.second;
    s.hosts.push_back(
        {name, role_of(field<std::string>(file, h, "role"), at(file, h)), address(file, h, "ip")});
  }
  validate(s, file.string());
  return s;
}

}  // namespace failover_hil::netlab
