#include "failover_hil/netlab/lab_spec.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "failover_hil/netlab/names.hpp"

namespace failover_hil::netlab {

namespace {

// Every refusal names file:line (issue 16: most named no line, some were
// yaml-cpp's own text).
class LabReader {
 public:
  explicit LabReader(std::filesystem::path file) : file_(std::move(file)) {}

  std::string at(const YAML::Node& n) const {
    const int line = n.IsDefined() ? std::max(n.Mark().line + 1, 1) : 1;
    return file_.string() + ":" + std::to_string(line);
  }
  [[noreturn]] void fail(const YAML::Node& n, const std::string& why) const {
    throw NetlabError(at(n) + ": " + why);
  }
  /// Refuses keys not in `allowed`, keys given twice and non-scalar keys.
  void keys(const YAML::Node& map, const std::string& where,
            std::initializer_list<std::string_view> allowed) const {
    std::set<std::string> seen;
    for (const auto& kv : map) {
      if (!kv.first.IsScalar()) fail(kv.first, "a key " + where + " is not a name");
      const auto& k = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        std::string list;
        for (const auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        fail(kv.first, "unknown key " + shown(k) + " " + where + "; expected one of " + list);
      }
      if (!seen.insert(k).second) fail(kv.first, "'" + k + "' is given twice " + where);
    }
  }
  std::string text(const YAML::Node& map, const char* key) const {
    const auto n = map[key];
    if (!n) fail(map, "missing '" + std::string(key) + "'");
    if (!n.IsScalar() || n.Scalar().empty())
      fail(n, "'" + std::string(key) + "' must be a non-empty text");
    return n.Scalar();
  }
  long long whole(const YAML::Node& n, const std::string& what, long long lo, long long hi) const {
    long long v = 0;
    try {
      if (!n.IsScalar()) throw YAML::Exception(n.Mark(), "");
      v = n.as<long long>();
    } catch (const YAML::Exception&) {
      fail(n, what + " must be a whole number from " + std::to_string(lo) + " to " +
                  std::to_string(hi));
    }
    if (v < lo || v > hi)
      fail(n, what + " is " + std::to_string(v) + "; expected " + std::to_string(lo) + " to " +
                  std::to_string(hi));
    return v;
  }
  Ipv4Address address(const YAML::Node& map, const char* key) const {
    const auto t = text(map, key);
    try {
      return Ipv4Address::parse(t);
    } catch (const NetlabError&) {
      fail(map[key], "'" + std::string(key) + "' is " + shown(t) + "; expected an IPv4 address");
    }
  }
  static std::string shown(std::string_view s) {
    return s.size() <= 60 ? "'" + std::string(s) + "'"
                          : "'" + std::string(s.substr(0, 60)) + "...'";
  }

 private:
  std::filesystem::path file_;
};

HostRole role_of(const LabReader& r, const YAML::Node& host) {
  const auto s = r.text(host, "role");
  if (s == "client") return HostRole::client;
  if (s == "dns") return HostRole::dns;
  if (s == "appliance") return HostRole::appliance;
  if (s == "router") return HostRole::router;
  r.fail(host["role"], "role must be client, dns, appliance or router, not " + LabReader::shown(s));
}

// A lab name becomes part of state file names: a plain word, never a path.
bool is_lab_name(std::string_view s) {
  constexpr std::size_t kMax = 32;
  return !s.empty() && s.size() <= kMax && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// The network and broadcast addresses of a subnet no host may take (a /31
// or /32 has neither).
bool is_reserved(const Ipv4Prefix& subnet, Ipv4Address a) {
  if (subnet.length >= 31) return false;
  const auto size = std::uint32_t{1} << (32 - subnet.length);
  return a == subnet.at(0) || a == subnet.at(size - 1);
}

}  // namespace

const LabHostSpec& LabSpec::host(const std::string& n) const {
  for (const auto& h : hosts)
    if (h.name == n) return h;
  std::string known;
  for (const auto& h : hosts) known += (known.empty() ? "" : ", ") + h.name;
  throw NetlabError("lab '" + name + "' has no host " + LabReader::shown(n) + " (hosts: " + known +
                    ")");
}

const char* to_string(HostRole r) {
  switch (r) {
    case HostRole::client:
      return "client";
    case HostRole::dns:
      return "dns";
    case HostRole::appliance:
      return "appliance";
    case HostRole::router:
      return "router";
  }
  return "?";
}

std::vector<const LabHostSpec*> LabSpec::with_role(HostRole role) const {
  std::vector<const LabHostSpec*> out;
  for (const auto& h : hosts)
    if (h.role == role) out.push_back(&h);
  return out;
}

void validate(const LabSpec& s, const std::string& where) {
  if (!is_lab_name(s.name))
    throw NetlabError(where + ": the lab's name " + LabReader::shown(s.name) +
                      " must be 1 to 32 of a-z, 0-9, '-' and '_'");
  NamePrefix prefix(s.prefix);  // throws with the rule for prefixes
  if (!lab_range().contains(s.subnet))
    throw NetlabError(where + ": subnet " + s.subnet.str() + " lies outside the lab range " +
                      lab_range().str());
  std::set<std::string> names;
  std::set<std::uint32_t> ips{s.shared_ip.value, s.vip.value};
  if (s.shared_ip == s.vip) throw NetlabError(where + ": shared_ip and vip must differ");
  for (const auto* what : {&s.shared_ip, &s.vip}) {
    if (!s.subnet.contains(*what))
      throw NetlabError(where + ": " + what->str() + " lies outside " + s.subnet.str());
    if (is_reserved(s.subnet, *what))
      throw NetlabError(where + ": " + what->str() + " is the network or broadcast address of " +
                        s.subnet.str());
  }
  if (s.site_ports.empty()) throw NetlabError(where + ": a lab needs at least one site port");
  for (const auto p : s.site_ports)
    if (p == 0) throw NetlabError(where + ": site port 0 cannot be served");
  for (const auto& h : s.hosts) {
    prefix.name(h.name + "-s");  // the switch side of its cable must fit in 15 characters
    if (!names.insert(h.name).second)
      throw NetlabError(where + ": host '" + h.name + "' appears twice");
    if (!s.subnet.contains(h.ip))
      throw NetlabError(where + ": host " + h.name + "'s " + h.ip.str() + " lies outside " +
                        s.subnet.str());
    if (is_reserved(s.subnet, h.ip))
      throw NetlabError(where + ": host " + h.name + "'s " + h.ip.str() +
                        " is the network or broadcast address of " + s.subnet.str());
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
  // The runner reaches the site by name (DNS) and swings NAT on the router.
  if (s.with_role(HostRole::router).size() != 1 || s.with_role(HostRole::dns).size() != 1)
    throw NetlabError(where + ": a lab needs exactly one router and one dns host");
}

LabSpec parse_lab(const std::string& text, const std::filesystem::path& file) {
  YAML::Node y;
  try {
    y = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw NetlabError(file.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  const LabReader r(file);
  if (!y.IsMap()) r.fail(y, "a lab file is a map (name, prefix, subnet, hosts, ...)");
  r.keys(y, "in the lab file",
         {"name", "prefix", "subnet", "site_hostname", "zone", "dns_ttl_s", "shared_ip", "vip",
          "site_ports", "hosts"});
  LabSpec s;
  s.name = r.text(y, "name");
  if (!is_lab_name(s.name))
    r.fail(y["name"], "'name' is " + LabReader::shown(s.name) +
                          "; expected 1 to 32 of a-z, 0-9, '-' and '_' (it names state files)");
  s.prefix = r.text(y, "prefix");
  try {
    NamePrefix{s.prefix};
  } catch (const NetlabError& e) {
    r.fail(y["prefix"], e.what());
  }
  const auto subnet = r.text(y, "subnet");
  try {
    s.subnet = Ipv4Prefix::parse(subnet);
  } catch (const NetlabError& e) {
    r.fail(y["subnet"], e.what());
  }
  if (!lab_range().contains(s.subnet))
    r.fail(y["subnet"],
           "subnet " + s.subnet.str() + " lies outside the lab range " + lab_range().str());
  s.site_hostname = r.text(y, "site_hostname");
  s.zone = r.text(y, "zone");
  if (!s.site_hostname.ends_with("." + s.zone))
    r.fail(y["site_hostname"], "site_hostname " + LabReader::shown(s.site_hostname) +
                                   " must be a name inside zone " + LabReader::shown(s.zone));
  if (y["dns_ttl_s"])
    s.dns_ttl_s = static_cast<int>(r.whole(y["dns_ttl_s"], "dns_ttl_s", 0, 86400));
  std::set<std::uint32_t> ips;
  for (const auto* key : {"shared_ip", "vip"}) {
    const auto a = r.address(y, key);
    if (!s.subnet.contains(a))
      r.fail(y[key], "'" + std::string(key) + "' " + a.str() + " lies outside " + s.subnet.str());
    if (is_reserved(s.subnet, a))
      r.fail(y[key], "'" + std::string(key) + "' " + a.str() +
                         " is the network or broadcast address of " + s.subnet.str());
    if (!ips.insert(a.value).second) r.fail(y[key], "shared_ip and vip must differ");
    (std::string_view(key) == "vip" ? s.vip : s.shared_ip) = a;
  }
  if (const auto ports = y["site_ports"]) {
    if (!ports.IsSequence() || ports.size() == 0)
      r.fail(ports, "'site_ports' must be a non-empty list of TCP ports, e.g. [443]");
    s.site_ports.clear();
    for (const auto& p : ports) {
      const auto port = static_cast<std::uint16_t>(r.whole(p, "a site port", 1, 65535));
      if (std::find(s.site_ports.begin(), s.site_ports.end(), port) != s.site_ports.end())
        r.fail(p, "site port " + std::to_string(port) + " is given twice");
      s.site_ports.push_back(port);
    }
  }
  const auto hosts = y["hosts"];
  if (!hosts || !hosts.IsMap() || hosts.size() == 0)
    r.fail(hosts ? hosts : y, "'hosts' must map host names to {ip, role}");
  std::set<std::string> names;
  for (const auto& kv : hosts) {
    if (!kv.first.IsScalar()) r.fail(kv.first, "a host's name is not a name");
    const auto& name = kv.first.Scalar();
    const auto& h = kv.second;
    if (!h.IsMap())
      r.fail(kv.first, "host " + LabReader::shown(name) + " must be a map {ip, role}");
    r.keys(h, "of host " + LabReader::shown(name), {"ip", "role"});
    if (!names.insert(name).second)
      r.fail(kv.first, "host " + LabReader::shown(name) + " appears twice");
    try {
      NamePrefix(s.prefix).name(name + "-s");  // its cable's switch side fits in 15 characters
    } catch (const NetlabError& e) {
      r.fail(kv.first, "host " + LabReader::shown(name) + ": " + e.what());
    }
    const auto ip = r.address(h, "ip");
    if (!s.subnet.contains(ip))
      r.fail(h["ip"], "host " + name + "'s " + ip.str() + " lies outside " + s.subnet.str());
    if (is_reserved(s.subnet, ip))
      r.fail(h["ip"], "host " + name + "'s " + ip.str() +
                          " is the network or broadcast address of " + s.subnet.str());
    if (!ips.insert(ip.value).second) r.fail(h["ip"], ip.str() + " is used twice");
    s.hosts.push_back({name, role_of(r, h), ip});
  }
  auto count = [&](HostRole role) { return s.with_role(role).size(); };
  if (count(HostRole::appliance) != 2)
    r.fail(hosts, "a lab needs exactly two hosts with role appliance");
  if (count(HostRole::client) == 0) r.fail(hosts, "a lab needs at least one host with role client");
  if (count(HostRole::router) != 1)
    r.fail(hosts, "a lab needs exactly one host with role router (the NAT swing runs there)");
  if (count(HostRole::dns) != 1)
    r.fail(hosts, "a lab needs exactly one host with role dns (the site is reached by name)");
  validate(s, file.string());  // what is left: the same rules as for a spec built in code
  return s;
}

LabSpec load_lab_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::error_code ec;
  if (!in || std::filesystem::is_directory(file, ec))
    throw NetlabError(file.string() + ": cannot read the lab file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_lab(text.str(), file);
}

}  // namespace failover_hil::netlab
