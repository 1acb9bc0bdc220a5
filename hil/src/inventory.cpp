#include "failover_hil/hil/inventory.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <functional>

#include "failover_hil/hil/http_driver.hpp"
#include "failover_hil/netlab/tsig_key.hpp"
#include "text_checks.hpp"
#include "yaml_reader.hpp"

namespace failover_hil::hil {

namespace {

using yaml::Reader;

bool is_ip_address(const std::string& s) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, s.c_str(), buf) == 1 || ::inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

std::string ip_address(const Reader& r, const YAML::Node& n, const std::string& path) {
  const auto s = r.text(n, path);
  if (!is_ip_address(s))
    r.fail(n, "'" + path + "' is " + yaml::quote(s) + "; expected an IPv4 or IPv6 address");
  return s;
}

std::uint16_t port(const Reader& r, const YAML::Node& n, const std::string& path) {
  return static_cast<std::uint16_t>(r.integer(n, path, {1, 65535}));
}

std::filesystem::path file_path(const Reader& r, const YAML::Node& n, const std::string& path) {
  return r.file().parent_path() / r.text(n, path);
}

// A host name is at most 253 characters; room for the scheme, brackets and port.
constexpr std::size_t kMaxUrlLength = 300;
constexpr std::size_t kMaxTableLength = 64;
constexpr std::size_t kMaxDnsName = 253;  // RFC 1035, in text form

// https://host[:port] with an optional trailing '/'; IPv6 hosts in brackets.
// Read by hand, in one pass (see text_checks.hpp for why not std::regex).
void url(const Reader& r, const YAML::Node& n, const std::string& path, InventoryAppliance& a) {
  const auto s = r.text(n, path, kMaxUrlLength);
  auto refuse = [&] {
    r.fail(n,
           "'" + path + "' is " + yaml::quote(s) + "; expected https://HOST or https://HOST:PORT");
  };
  constexpr std::string_view scheme = "https://";
  if (!s.starts_with(scheme)) refuse();
  std::string_view rest = std::string_view(s).substr(scheme.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  std::string_view host, port;
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) refuse();
    host = rest.substr(1, close - 1);
    if (!text::consists_of(host, [](char c) { return text::is_hex(c) || c == ':' || c == '.'; }))
      refuse();
    rest.remove_prefix(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':') || rest.size() == 1) refuse();
      port = rest.substr(1);
    }
  } else {
    const auto colon = rest.find(':');
    host = rest.substr(0, colon);
    if (!text::consists_of(host, [](char c) { return text::is_alnum(c) || c == '.' || c == '-'; }))
      refuse();
    if (colon != std::string_view::npos) {
      port = rest.substr(colon + 1);
      if (port.empty()) refuse();
    }
  }
  if (!port.empty() && (port.size() > 5 || !text::consists_of(port, text::is_digit))) refuse();
  a.host = std::string(host);
  if (!port.empty()) {
    const auto p = std::stoi(std::string(port));
    if (p < 1 || p > 65535)
      r.fail(n,
             "'" + path + "' has port " + std::string(port) + "; expected a port from 1 to 65535");
    a.port = static_cast<std::uint16_t>(p);
  }
}

// 32 hex byte values, with or without colons; stored as lower-case hex
// without colons, the form TlsTrust::pinned_sha256 compares against.
std::string fingerprint(const Reader& r, const YAML::Node& n, const std::string& path) {
  auto s = r.text(n, path);
  s.erase(std::remove(s.begin(), s.end(), ':'), s.end());
  const bool hex = std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(c) != 0; });
  if (s.size() != 64 || !hex)
    r.fail(n, "'" + path + "' is " + Reader::found(n) +
                  "; expected a SHA-256 fingerprint: 64 hex digits, colons allowed");
  std::transform(s.begin(), s.end(), s.begin(),
                 [](char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

InventoryAppliance appliance(const Reader& r, const YAML::Node& n, const std::string& id) {
  const auto path = "appliances." + id;
  r.expect_map(n, path, "{name, url, unique_ip, credentials, ca | fingerprint, simulator}");
  r.check_keys(n, path,
               {"name", "url", "unique_ip", "credentials", "ca", "fingerprint", "simulator"});
  InventoryAppliance a;
  a.name = n["name"] ? r.text(n["name"], path + ".name") : "app" + id;
  url(r, r.required(n, path, "url", "https://HOST[:PORT]"), path + ".url", a);
  a.unique_ip = n["unique_ip"] ? ip_address(r, n["unique_ip"], path + ".unique_ip") : a.host;
  a.credentials_file = file_path(
      r, r.required(n, path, "credentials", "a YAML file with client_id and client_secret"),
      path + ".credentials");
  if (n["ca"] && n["fingerprint"])
    r.fail(n, "'" + path + "' gives both ca and fingerprint; expected exactly one of them");
  if (n["ca"])
    a.ca_file = file_path(r, n["ca"], path + ".ca");
  else if (n["fingerprint"])
    a.fingerprint = fingerprint(r, n["fingerprint"], path + ".fingerprint");
  else
    r.fail(n, "'" + path + "' gives neither ca nor fingerprint; expected exactly one of them");
  if (n["simulator"]) a.simulator = r.boolean(n["simulator"], path + ".simulator");
  return a;
}

Inventory::Dns dns(const Reader& r, const YAML::Node& n) {
  r.expect_map(n, "dns", "{server, port, tsig_key_file, zone, record, ttl_s}");
  r.check_keys(n, "dns", {"server", "port", "tsig_key_file", "zone", "record", "ttl_s"});
  Inventory::Dns d;
  d.server =
      ip_address(r, r.required(n, "dns", "server", "the DNS server's address"), "dns.server");
  if (n["port"]) d.port = port(r, n["port"], "dns.port");
  d.tsig_key_file =
      file_path(r, r.required(n, "dns", "tsig_key_file", "a BIND key file"), "dns.tsig_key_file");
  d.zone = r.text(r.required(n, "dns", "zone", "the site's zone"), "dns.zone", kMaxDnsName);
  const auto record = r.required(n, "dns", "record", "the site's name");
  d.record = r.text(record, "dns.record");
  if (!d.record.ends_with("." + d.zone))
    r.fail(record,
           "'dns.record' is " + yaml::quote(d.record) + "; expected a name inside zone " + d.zone);
  if (n["ttl_s"]) d.ttl_s = r.integer(n["ttl_s"], "dns.ttl_s", {0, 86400});
  return d;
}

Inventory::Nat nat(const Reader& r, const YAML::Node& n) {
  r.expect_map(n, "nat", "{table, vip}");
  r.check_keys(n, "nat", {"table", "vip"});
  Inventory::Nat t;
  if (const auto v = n["table"]) {
    t.table = r.text(v, "nat.table", kMaxTableLength);
    if (!text::is_table_name(t.table))
      r.fail(v,
             "'nat.table' is " + yaml::quote(t.table) + "; expected letters, digits, '_' and '-'");
  }
  t.vip = ip_address(r, r.required(n, "nat", "vip", "the site's address"), "nat.vip");
  return t;
}

void site(const Reader& r, const YAML::Node& n, Inventory& inv) {
  r.expect_map(n, "site", "{host, port}");
  r.check_keys(n, "site", {"host", "port"});
  inv.site_host = r.text(r.required(n, "site", "host", "the site's address or name"), "site.host");
  if (n["port"]) inv.site_port = port(r, n["port"], "site.port");
}

Inventory inventory(const Reader& r, const YAML::Node& y) {
  r.expect_map(y, "", "with appliances and site");
  r.check_keys(y, "", {"appliances", "site", "capture_interface", "switch", "dns", "nat"});
  Inventory inv;
  inv.file = r.file();
  const auto apps = r.required(y, "", "appliances", "{A: {...}, B: {...}}");
  r.expect_map(apps, "appliances", "{A: {...}, B: {...}}");
  r.check_keys(apps, "appliances", {"A", "B"});
  inv.a = appliance(r, r.required(apps, "appliances", "A", "appliance A"), "A");
  inv.b = appliance(r, r.required(apps, "appliances", "B", "appliance B"), "B");
  site(r, r.required(y, "", "site", "{host, port}"), inv);
  if (const auto v = y["capture_interface"]) {
    inv.capture_interface = r.text(v, "capture_interface");
    if (inv.capture_interface.size() > 15)  // IFNAMSIZ - 1
      r.fail(v, "'capture_interface' is " + yaml::quote(inv.capture_interface) +
                    "; expected an interface name of at most 15 characters");
  }
  if (const auto v = y["switch"]) {
    try {
      inv.switch_method = parse_switch_method(r.text(v, "switch"));
    } catch (const std::invalid_argument& e) {
      r.fail(v, e.what());
    }
  }
  // The section of the chosen method is required; another one is still checked.
  if (inv.switch_method == SwitchMethod::dns)
    r.required(y, "", "dns", "a dns section for switch dns");
  if (inv.switch_method == SwitchMethod::nat)
    r.required(y, "", "nat", "a nat section for switch nat");
  if (const auto v = y["dns"]) inv.dns = dns(r, v);
  if (const auto v = y["nat"]) inv.nat = nat(r, v);
  return inv;
}

// A file the inventory names: there, readable, and of the right kind, so a
// run does not start a maintenance window only to fail at its first call.
void check_file(const Inventory& inv, const std::string& key, const std::filesystem::path& path,
                const std::string& kind, const std::function<void()>& read) {
  auto fail = [&](const std::string& why) {
    throw ScenarioError(inv.file.string() + ": '" + key + "' names " + path.string() + ": " + why +
                        "; expected " + kind + " (docs/inventory.md)");
  };
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) fail("no such file");
  try {
    read();
  } catch (const std::exception& e) {
    fail(e.what());
  }
}

}  // namespace

void check_inventory_files(const Inventory& inv) {
  for (const auto& [id, member] : {std::pair{"A", &inv.a}, std::pair{"B", &inv.b}}) {
    const auto key = std::string("appliances.") + id;
    const auto* a = member;  // clang 14 lets no lambda capture a structured binding
    check_file(inv, key + ".credentials", a->credentials_file,
               "a YAML file with client_id and client_secret",
               [&] { ApiCredentials::from_file(a->credentials_file); });
    if (!a->ca_file.empty())
      check_file(inv, key + ".ca", a->ca_file, "a PEM certificate", [&] {
        const auto pem = yaml::read_text(a->ca_file, "CA certificate");
        if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
          throw std::runtime_error("no PEM certificate in it");
      });
  }
  if (inv.switch_method == SwitchMethod::dns)
    check_file(inv, "dns.tsig_key_file", inv.dns.tsig_key_file,
               "a BIND key file (key NAME { algorithm ...; secret ...; })",
               [&] { netlab::TsigKey::read_file(inv.dns.tsig_key_file); });
}

Inventory parse_inventory(const std::string& text, const std::filesystem::path& file) {
  const Reader r(file);
  const auto y = yaml::parse_document(text, file);
  try {
    return inventory(r, y);
  } catch (const YAML::Exception& e) {
    throw ScenarioError(file.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Inventory load_inventory(const std::filesystem::path& file) {
  auto inv = parse_inventory(yaml::read_text(file, "inventory file"), file);
  check_inventory_files(inv);
  return inv;
}

}  // namespace failover_hil::hil
