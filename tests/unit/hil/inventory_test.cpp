#include "failover_hil/hil/inventory.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "refusal.hpp"

namespace failover_hil::hil {
namespace {

const std::string kFingerprint =
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:"
    "89";

// Appliances on lines 2-3, site on line 4, so appended text starts on line 5.
std::string minimal() {
  return "appliances:\n"
         "  A: {url: https://198.51.100.11, credentials: creds/a.yaml, ca: ca.pem}\n"
         "  B: {url: https://198.51.100.12, credentials: creds/b.yaml, ca: ca.pem}\n"
         "site: {host: 198.51.100.10}\n";
}

Inventory parse(const std::string& text) {
  return parse_inventory(text, "lab/inv.yaml");
}

void expect_refused(const std::string& text, int line, const std::vector<std::string>& words) {
  testing::expect_refused_by(parse, "lab/inv.yaml", text, line, words);
}

TEST(Inventory, FullFileParsesIntoItsValues) {
  const auto inv = parse(R"(appliances:
  A: {name: appA, url: "https://198.51.100.11:8443", unique_ip: 198.51.100.21, credentials: creds/a.yaml, fingerprint: ")" +
                         kFingerprint + R"("}
  B: {name: appB, url: "https://[2001:db8::12]/", credentials: /etc/fhil/b.yaml, ca: ca.pem, simulator: true}
site: {host: 198.51.100.10, port: 8443}
capture_interface: eth1
switch: dns
dns: {server: 198.51.100.53, port: 5353, tsig_key_file: keys/site.key, zone: example.com, record: support.example.com, ttl_s: 30}
nat: {table: my_nat, vip: 198.51.100.100}
)");
  EXPECT_EQ(inv.file, "lab/inv.yaml");
  EXPECT_EQ(inv.a.name, "appA");
  EXPECT_EQ(inv.a.host, "198.51.100.11");
  EXPECT_EQ(inv.a.port, 8443);
  EXPECT_EQ(inv.a.unique_ip, "198.51.100.21");
  EXPECT_EQ(inv.a.credentials_file, std::filesystem::path("lab/creds/a.yaml"));
  EXPECT_EQ(inv.a.fingerprint, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  EXPECT_TRUE(inv.a.ca_file.empty());
  EXPECT_FALSE(inv.a.simulator);
  EXPECT_EQ(inv.b.host, "2001:db8::12");
  EXPECT_EQ(inv.b.port, 443);
  EXPECT_EQ(inv.b.unique_ip, "2001:db8::12");
  EXPECT_EQ(inv.b.credentials_file, std::filesystem::path("/etc/fhil/b.yaml"));
  EXPECT_EQ(inv.b.ca_file, std::filesystem::path("lab/ca.pem"));
  EXPECT_TRUE(inv.b.fingerprint.empty());
  EXPECT_TRUE(inv.b.simulator);
  EXPECT_EQ(inv.site_host, "198.51.100.10");
  EXPECT_EQ(inv.site_port, 8443);
  EXPECT_EQ(inv.capture_interface, "eth1");
  EXPECT_EQ(inv.switch_method, SwitchMethod::dns);
  EXPECT_EQ(inv.dns.server, "198.51.100.53");
  EXPECT_EQ(inv.dns.port, 5353);
  EXPECT_EQ(inv.dns.tsig_key_file, std::filesystem::path("lab/keys/site.key"));
  EXPECT_EQ(inv.dns.zone, "example.com");
  EXPECT_EQ(inv.dns.record, "support.example.com");
  EXPECT_EQ(inv.dns.ttl_s, 30);
  EXPECT_EQ(inv.nat.table, "my_nat");
  EXPECT_EQ(inv.nat.vip, "198.51.100.100");
}

TEST(Inventory, DefaultsApply) {
  const auto inv = parse(minimal());
  EXPECT_EQ(inv.a.name, "appA");
  EXPECT_EQ(inv.b.name, "appB");
  EXPECT_EQ(inv.a.port, 443);
  EXPECT_EQ(inv.a.unique_ip, "198.51.100.11");
  EXPECT_FALSE(inv.b.simulator);
  EXPECT_EQ(inv.site_port, 443);
  EXPECT_EQ(inv.capture_interface, "any");
  EXPECT_EQ(inv.switch_method, SwitchMethod::shared_ip);
  EXPECT_EQ(inv.nat.table, "fhil_nat");
  const auto nat = parse(minimal() + "switch: nat\nnat: {vip: 198.51.100.100}\n");
  EXPECT_EQ(nat.nat.table, "fhil_nat");
  const auto dns = parse(minimal() +
                         "switch: dns\ndns: {server: 198.51.100.53, tsig_key_file: k.key, zone: "
                         "example.com, record: support.example.com}\n");
  EXPECT_EQ(dns.dns.port, 53);
  EXPECT_EQ(dns.dns.ttl_s, 60);
}

TEST(InventoryRefused, YamlSyntaxAndUnknownKeys) {
  expect_refused(minimal() + "site: x: y\n", 5, {"map"});
  expect_refused(minimal() + "capture: eth0\n", 5, {"unknown key 'capture'", "capture_interface"});
  expect_refused(minimal() + "dns: {server: 198.51.100.53, key: k}\n", 5,
                 {"unknown key 'key' in dns", "tsig_key_file"});
  expect_refused(
      "appliances:\n  A: {url: https://h, credentials: c, ca: c, user: x}\n  B: {}\nsite: {host: "
      "h}\n",
      2, {"unknown key 'user' in appliances.A"});
  expect_refused("appliances:\n  C: {}\n", 2, {"unknown key 'C'", "A, B"});
}

TEST(InventoryRefused, MissingFields) {
  expect_refused("site: {host: h}\n", 1, {"missing 'appliances'"});
  expect_refused("appliances:\n  A: {url: https://h, credentials: c, ca: c}\nsite: {host: h}\n", 2,
                 {"missing 'appliances.B'"});
  expect_refused("appliances:\n  A: {credentials: c, ca: c}\n", 2, {"missing 'appliances.A.url'"});
  expect_refused("appliances:\n  A: {url: https://h, ca: c}\n", 2,
                 {"missing 'appliances.A.credentials'"});
  expect_refused(
      "appliances:\n  A: {url: https://h, credentials: c, ca: c}\n  B: {url: https://h, "
      "credentials: c, ca: c}\n",
      1, {"missing 'site'"});
  expect_refused(minimal() + "switch: dns\n", 1, {"missing 'dns'", "switch dns"});
  expect_refused(minimal() + "switch: nat\n", 1, {"missing 'nat'"});
  expect_refused(minimal() + "switch: nat\nnat: {table: t}\n", 6, {"missing 'nat.vip'"});
  expect_refused(minimal() + "dns: {server: 198.51.100.53, zone: z, record: a.z}\n", 5,
                 {"missing 'dns.tsig_key_file'"});
}

TEST(InventoryRefused, ExactlyOneOfCaOrFingerprint) {
  expect_refused("appliances:\n  A: {url: https://h, credentials: c}\n", 2,
                 {"neither ca nor fingerprint"});
  expect_refused("appliances:\n  A: {url: https://h, credentials: c, ca: x, fingerprint: \"" +
                     kFingerprint + "\"}\n",
                 2, {"both ca and fingerprint"});
  expect_refused("appliances:\n  A: {url: https://h, credentials: c, fingerprint: AB:CD}\n", 2,
                 {"'appliances.A.fingerprint'", "64 hex digits"});
}

TEST(InventoryRefused, BadValues) {
  for (const auto* url : {"http://h", "https://h/path", "h:443", "https://h:99999a"})
    expect_refused("appliances:\n  A: {url: \"" + std::string(url) + "\", credentials: c, ca: c}\n",
                   2, {"'appliances.A.url'", "https://HOST"});
  for (const auto* url : {"https://h:0", "https://h:70000"})
    expect_refused("appliances:\n  A: {url: \"" + std::string(url) + "\", credentials: c, ca: c}\n",
                   2, {"'appliances.A.url' has port", "from 1 to 65535"});
  expect_refused("appliances:\n  A: {url: https://h, credentials: c, ca: c, unique_ip: h2}\n", 2,
                 {"'appliances.A.unique_ip' is 'h2'", "IPv4 or IPv6"});
  expect_refused("appliances:\n  A: {url: https://h, credentials: c, ca: c, simulator: sure}\n", 2,
                 {"true or false"});
  expect_refused(minimal() + "switch: arp\n", 5, {"unknown switch method 'arp'"});
  expect_refused(minimal() + "capture_interface: a-very-long-interface\n", 5, {"15 characters"});
  expect_refused(minimal() + "site:\n  host: h\n  port: 0\n", 5, {"given twice"});
  expect_refused(
      "appliances:\n  A: {url: https://h, credentials: c, ca: c}\n  B: {url: https://h, "
      "credentials: c, ca: c}\nsite:\n  host: h\n  port: 70000\n",
      6, {"'site.port' is '70000'", "from 1 to 65535"});
  expect_refused(minimal() +
                     "dns: {server: 198.51.100.53, tsig_key_file: k, zone: example.com, record: "
                     "support.example.org}\n",
                 5, {"'dns.record'", "inside zone example.com"});
  expect_refused(minimal() + "nat: {vip: vip}\n", 5, {"'nat.vip' is 'vip'"});
  expect_refused(minimal() + "appliances: []\n", 5, {"given twice"});
}

TEST(InventoryFile, LoadsFromDiskAndRefusesAMissingFile) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / "fhil-inventory-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "creds");
  std::ofstream(dir / "inv.yaml") << minimal();
  for (const char* f : {"creds/a.yaml", "creds/b.yaml"})
    std::ofstream(dir / f) << "client_id: qa\nclient_secret: \"s+/=\"\n";
  std::ofstream(dir / "ca.pem") << "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  const auto inv = load_inventory(dir / "inv.yaml");
  EXPECT_EQ(inv.a.ca_file, dir / "ca.pem");
  EXPECT_THROW(load_inventory(dir / "absent.yaml"), ScenarioError);
  std::filesystem::remove_all(dir);
}

// validate --inventory used to pass an inventory whose files were missing;
// the run then failed at its first call, after the maintenance window began.
TEST(InventoryFile, RefusesMissingOrWrongFilesByKey) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / "fhil-inventory-files";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "creds");
  std::ofstream(dir / "inv.yaml") << minimal();
  auto refused = [&](const std::string& part) {
    try {
      load_inventory(dir / "inv.yaml");
      ADD_FAILURE() << "accepted; expected an error naming " << part;
    } catch (const ScenarioError& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  refused("'appliances.A.credentials' names " + (dir / "creds/a.yaml").string() + ": no such file");
  std::ofstream(dir / "creds/a.yaml") << "client_id: qa\n";
  refused("'appliances.A.credentials'");
  std::ofstream(dir / "creds/a.yaml") << "client_id: qa\nclient_secret: x\n";
  std::ofstream(dir / "creds/b.yaml") << "client_id: qa\nclient_secret: x\n";
  refused("'appliances.A.ca' names " + (dir / "ca.pem").string() + ": no such file");
  std::ofstream(dir / "ca.pem") << "not a certificate\n";
  refused("'appliances.A.ca' names " + (dir / "ca.pem").string() + ": no PEM certificate");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace failover_hil::hil
