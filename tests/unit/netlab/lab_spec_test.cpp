// Issue 16 item 6: the lab loader refuses what the runner cannot use, and
// every refusal names file:line.
#include "failover_hil/netlab/lab_spec.hpp"

#include <gtest/gtest.h>

#include <cctype>

#include "failover_hil/netlab/error.hpp"

namespace failover_hil::netlab {
namespace {

// The default lab's shape; hosts from line 10 on.
std::string lab(const std::string& name = "t", const std::string& shared_ip = "198.18.0.10",
                const std::string& ports = "[443]", const std::string& extra = {},
                const std::string& hosts =
                    "  client1: {ip: 198.18.0.1, role: client}\n"
                    "  dns: {ip: 198.18.0.3, role: dns}\n"
                    "  appA: {ip: 198.18.0.11, role: appliance}\n"
                    "  appB: {ip: 198.18.0.12, role: appliance}\n"
                    "  router: {ip: 198.18.0.254, role: router}\n") {
  return "name: " + name +
         "\n"
         "prefix: fhq-\n"
         "subnet: 198.18.0.0/24\n"
         "site_hostname: support.lab.example\n"
         "zone: lab.example\n"
         "shared_ip: " +
         shared_ip +
         "\n"
         "vip: 198.18.0.100\n"
         "site_ports: " +
         ports + "\n" + extra + "hosts:\n" + hosts;
}

void expect_refused(const std::string& text, int line, const std::string& words) {
  try {
    parse_lab(text, "labs/x.yaml");
    ADD_FAILURE() << "accepted:\n" << text;
  } catch (const NetlabError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind("labs/x.yaml:" + std::to_string(line) + ": ", 0), 0u) << msg;
    EXPECT_NE(msg.find(words), std::string::npos) << msg;
  }
}

TEST(LabSpecFile, TheDefaultShapeLoads) {
  const auto s = parse_lab(lab(), "labs/x.yaml");
  EXPECT_EQ(s.name, "t");
  EXPECT_EQ(s.hosts.size(), 5u);
  EXPECT_EQ(s.site_ports, std::vector<std::uint16_t>{443});
}

TEST(LabSpecFile, SharedIpOnTheNetworkOrBroadcastAddressIsRefused) {
  expect_refused(lab("t", "198.18.0.0"), 6, "network or broadcast address of 198.18.0.0/24");
  expect_refused(lab("t", "198.18.0.255"), 6, "network or broadcast address");
  expect_refused(
      lab("t", "198.18.0.10", "[443]", {}, "  client1: {ip: 198.18.0.255, role: client}\n"), 10,
      "network or broadcast address");
}

TEST(LabSpecFile, NoSitePortOrPortZeroIsRefused) {
  expect_refused(lab("t", "198.18.0.10", "[]"), 8, "non-empty list of TCP ports");
  expect_refused(lab("t", "198.18.0.10", "[0]"), 8, "a site port is 0; expected 1 to 65535");
  expect_refused(lab("t", "198.18.0.10", "[70000]"), 8, "expected 1 to 65535");
  expect_refused(lab("t", "198.18.0.10", "[443, 443]"), 8, "given twice");
}

TEST(LabSpecFile, LabNamesThatAreNotPlainWordsAreRefused) {
  expect_refused(lab("''"), 1, "'name' must be a non-empty text");
  expect_refused(lab("'../../etc'"), 1, "'name' is '../../etc'");
  expect_refused(lab(std::string(33, 'n')), 1, "1 to 32");
}

TEST(LabSpecFile, UnknownOrDuplicatedKeysAreRefused) {
  expect_refused(lab("t", "198.18.0.10", "[443]", "colour: blue\n"), 9, "unknown key 'colour'");
  expect_refused(lab("t", "198.18.0.10", "[443]", "zone: lab.example\n"), 9,
                 "'zone' is given twice");
  expect_refused(
      lab("t", "198.18.0.10", "[443]", {}, "  client1: {ip: 198.18.0.1, role: client, mac: x}\n"),
      10, "unknown key 'mac' of host 'client1'");
}

TEST(LabSpecFile, NoRouterOrNoDnsHostIsRefused) {
  const std::string apps =
      "  client1: {ip: 198.18.0.1, role: client}\n"
      "  appA: {ip: 198.18.0.11, role: appliance}\n"
      "  appB: {ip: 198.18.0.12, role: appliance}\n";
  expect_refused(
      lab("t", "198.18.0.10", "[443]", {}, apps + "  dns: {ip: 198.18.0.3, role: dns}\n"), 10,
      "exactly one host with role router");
  expect_refused(
      lab("t", "198.18.0.10", "[443]", {}, apps + "  router: {ip: 198.18.0.254, role: router}\n"),
      10, "exactly one host with role dns");
}

TEST(LabSpecFile, EveryRefusalNamesItsLineAndNoLibraryText) {
  // Wrong types and shapes, each on its own line.
  expect_refused("- a\n- b\n", 1, "a lab file is a map");
  expect_refused(lab("t", "198.18.0.10", "[443]", "dns_ttl_s: soon\n"), 9,
                 "dns_ttl_s must be a whole number");
  expect_refused(lab("t", "300.1.1.1"), 6, "'shared_ip' is '300.1.1.1'; expected an IPv4 address");
  expect_refused(lab("t", "[1, 2]"), 6, "'shared_ip' must be a non-empty text");
  expect_refused(lab("t", "198.18.0.10", "[443]", {}, "  client1: {ip: 198.18.0.1, role: boss}\n"),
                 10, "role must be client, dns, appliance or router");
  expect_refused(lab("t", "198.18.0.10", "[443]", {}, "  client1: [1]\n"), 10, "must be a map");
  expect_refused(lab("t", "198.18.0.10", "[443]", {},
                     "  client1: {ip: 198.18.0.1, role: client}\n"
                     "  client2: {ip: 198.18.0.1, role: client}\n"),
                 11, "198.18.0.1 is used twice");
  try {
    parse_lab(lab("t", "198.18.0.10", "{a: 1}"), "labs/x.yaml");
    ADD_FAILURE();
  } catch (const NetlabError& e) {
    EXPECT_EQ(std::string(e.what()).find("bad conversion"), std::string::npos) << e.what();
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind("labs/x.yaml:", 0), 0u) << msg;
    EXPECT_TRUE(msg.size() > 12 && std::isdigit(static_cast<unsigned char>(msg[12]))) << msg;
  }
}

}  // namespace
}  // namespace failover_hil::netlab
