#include <gtest/gtest.h>

#include "failover_hil/netlab/faults.hpp"
#include "failover_hil/netlab/nat_swing.hpp"
#include "failover_hil/netlab/nft.hpp"

namespace failover_hil::netlab {
namespace {

const auto kVip = Ipv4Address::parse("198.18.2.10");
const auto kA = Ipv4Address::parse("198.18.0.11");
const auto kB = Ipv4Address::parse("198.18.0.12");

TEST(NatCommands, CreateMakesTableChainAndDnatRule) {
  EXPECT_EQ(nat_create_commands("fhil-t1-nat", {kVip, {443, 80}}, kA),
            "create table ip fhil-t1-nat\n"
            "add chain ip fhil-t1-nat prerouting { type nat hook prerouting priority dstnat; "
            "policy accept; }\n"
            "add rule ip fhil-t1-nat prerouting ip daddr 198.18.2.10 meta l4proto { tcp, udp } "
            "th dport { 443, 80 } dnat to 198.18.0.11\n");
}

TEST(NatCommands, SwitchIsOneBufferFlushingThenAdding) {
  EXPECT_EQ(nat_switch_commands("fhil-t1-nat", {kVip, {}}, kB),
            "flush chain ip fhil-t1-nat prerouting\n"
            "add rule ip fhil-t1-nat prerouting ip daddr 198.18.2.10 dnat to 198.18.0.12\n");
}

// An inventory's NAT on the harness host: its own probes to the VIP pass
// the output hook, not prerouting, so they need their own chain and rule.
TEST(NatCommands, TheHarnessHostsOwnTrafficIsNatedInAnOutputChain) {
  NatSwingConfig c{kVip, {443}};
  c.local_output = true;
  EXPECT_EQ(nat_create_commands("fhil_nat", c, kA),
            "create table ip fhil_nat\n"
            "add chain ip fhil_nat prerouting { type nat hook prerouting priority dstnat; "
            "policy accept; }\n"
            "add chain ip fhil_nat output { type nat hook output priority -100; policy accept; }\n"
            "add rule ip fhil_nat prerouting ip daddr 198.18.2.10 meta l4proto { tcp, udp } "
            "th dport { 443 } dnat to 198.18.0.11\n"
            "add rule ip fhil_nat output ip daddr 198.18.2.10 meta l4proto { tcp, udp } "
            "th dport { 443 } dnat to 198.18.0.11\n");
  EXPECT_EQ(nat_switch_commands("fhil_nat", c, kB),
            "flush chain ip fhil_nat prerouting\n"
            "flush chain ip fhil_nat output\n"
            "add rule ip fhil_nat prerouting ip daddr 198.18.2.10 meta l4proto { tcp, udp } "
            "th dport { 443 } dnat to 198.18.0.12\n"
            "add rule ip fhil_nat output ip daddr 198.18.2.10 meta l4proto { tcp, udp } "
            "th dport { 443 } dnat to 198.18.0.12\n");
}

TEST(FaultRules, PartitionDropsBothDirections) {
  const auto rules = fault_rules("cut", Partition{kA, kB});
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0], "ip saddr 198.18.0.11 ip daddr 198.18.0.12 drop comment \"fault cut\"");
  EXPECT_EQ(rules[1], "ip saddr 198.18.0.12 ip daddr 198.18.0.11 drop comment \"fault cut\"");
}

TEST(FaultRules, LossDrawsARandomNumberPerPacket) {
  const auto rules = fault_rules("lossy", Loss{kA, kB, 30});
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0],
            "ip saddr 198.18.0.11 ip daddr 198.18.0.12 numgen random mod 100 < 30 drop comment "
            "\"fault lossy\"");
}

TEST(FaultRules, TotalLossIsAPlainDrop) {
  // numgen's values are 0..99, so "< 100" is out of nft's range.
  EXPECT_EQ(fault_rules("all", Loss{kA, kB, 100}).front(),
            "ip saddr 198.18.0.11 ip daddr 198.18.0.12 drop comment \"fault all\"");
}

TEST(FaultRules, DropPortNamesProtocolAndPort) {
  EXPECT_EQ(fault_rules("no-https", DropPort{kA, 443, L4Proto::tcp}),
            std::vector<std::string>{
                "ip daddr 198.18.0.11 tcp dport 443 drop comment \"fault no-https\""});
  EXPECT_EQ(fault_rules("no-dns", DropPort{kA, 53, L4Proto::udp}).front(),
            "ip daddr 198.18.0.11 udp dport 53 drop comment \"fault no-dns\"");
}

TEST(FaultRules, RejectsBadSpecsAndNames) {
  EXPECT_THROW(fault_rules("x", Loss{kA, kB, 101}), NetlabError);
  EXPECT_THROW(fault_rules("x", Loss{kA, kB, -1}), NetlabError);
  EXPECT_THROW(fault_rules("x", DropPort{kA, 0, L4Proto::tcp}), NetlabError);
  EXPECT_THROW(fault_rules("x", Partition{Ipv4Address::parse("10.0.0.1"), kB}), NetlabError);
  EXPECT_THROW(fault_rules("bad name\" drop", Partition{kA, kB}), NetlabError);
  EXPECT_THROW(fault_rules("", Partition{kA, kB}), NetlabError);
}

TEST(FaultsCommands, CreateRefillAndDeleteTheTable) {
  std::map<std::string, FaultSpec> armed{{"cut", Partition{kA, kB}}};
  EXPECT_EQ(faults_commands(FaultHook::bridge, "fhil-t1-faults", armed, false),
            "create table bridge fhil-t1-faults\n"
            "add chain bridge fhil-t1-faults forward { type filter hook forward priority -10; "
            "policy accept; }\n"
            "add rule bridge fhil-t1-faults forward ip saddr 198.18.0.11 ip daddr 198.18.0.12 "
            "drop comment \"fault cut\"\n"
            "add rule bridge fhil-t1-faults forward ip saddr 198.18.0.12 ip daddr 198.18.0.11 "
            "drop comment \"fault cut\"\n");
  armed = {{"p", DropPort{kA, 80, L4Proto::tcp}}};
  EXPECT_EQ(faults_commands(FaultHook::routed, "fhil-t1-faults", armed, true),
            "flush chain inet fhil-t1-faults forward\n"
            "add rule inet fhil-t1-faults forward ip daddr 198.18.0.11 tcp dport 80 drop comment "
            "\"fault p\"\n");
  EXPECT_EQ(faults_commands(FaultHook::bridge, "fhil-t1-faults", {}, true),
            "delete table bridge fhil-t1-faults\n");
  EXPECT_EQ(faults_commands(FaultHook::bridge, "fhil-t1-faults", {}, false), "");
}

TEST(NftTables, ParsesListTablesOutput) {
  EXPECT_EQ(parse_nft_tables("table ip fhil-t1-nat\ntable bridge fhil-t1-faults\n\n"),
            (std::vector<NftTable>{{"ip", "fhil-t1-nat"}, {"bridge", "fhil-t1-faults"}}));
  EXPECT_TRUE(parse_nft_tables("").empty());
  EXPECT_EQ(delete_table_command({"inet", "x"}), "delete table inet x\n");
}

TEST(NftNames, OnlyPlainIdentifiersPass) {
  EXPECT_NO_THROW(validate_nft_name("fhil-t1-nat", "table"));
  EXPECT_NO_THROW(validate_nft_name("loss_1", "fault"));
  EXPECT_THROW(validate_nft_name("1abc", "fault"), NetlabError);
  EXPECT_THROW(validate_nft_name("a;b", "fault"), NetlabError);
  EXPECT_THROW(validate_nft_name(std::string(65, 'a'), "fault"), NetlabError);
}

}  // namespace
}  // namespace failover_hil::netlab
