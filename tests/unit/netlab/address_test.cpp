#include "failover_hil/netlab/address.hpp"

#include <gtest/gtest.h>

namespace failover_hil::netlab {
namespace {

TEST(Address, ParsesAndPrints) {
  EXPECT_EQ(Ipv4Address::parse("198.18.0.10").str(), "198.18.0.10");
  EXPECT_EQ(Ipv4Prefix::parse("198.18.0.0/15").str(), "198.18.0.0/15");
}

TEST(Address, RejectsBadInputWithTheText) {
  for (const char* bad :
       {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "a.b.c.d", "1..2.3", "01234.1.1.1"}) {
    try {
      Ipv4Address::parse(bad);
      ADD_FAILURE() << bad;
    } catch (const NetlabError& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(Ipv4Prefix::parse("198.18.0.0"), NetlabError);
  EXPECT_THROW(Ipv4Prefix::parse("198.18.0.0/33"), NetlabError);
  EXPECT_THROW(Ipv4Prefix::parse("198.18.0.1/15"), NetlabError) << "host bits set";
}

TEST(Address, LabRangeIsTheBenchmarkingBlockOnly) {
  const auto lab = lab_range();
  EXPECT_TRUE(lab.contains(Ipv4Address::parse("198.18.0.0")));
  EXPECT_TRUE(lab.contains(Ipv4Address::parse("198.19.255.255")));
  EXPECT_FALSE(lab.contains(Ipv4Address::parse("198.20.0.0")));
  EXPECT_FALSE(lab.contains(Ipv4Address::parse("198.17.255.255")));
  EXPECT_TRUE(lab.contains(Ipv4Prefix::parse("198.19.4.0/24")));
  EXPECT_FALSE(lab.contains(Ipv4Prefix::parse("198.0.0.0/8")));
  EXPECT_NO_THROW(require_lab_address(Ipv4Address::parse("198.18.0.11"), "appA"));
  EXPECT_THROW(require_lab_address(Ipv4Address::parse("8.8.8.8"), "dns"), NetlabError);
}

TEST(Address, NthAddressStaysInsideThePrefix) {
  const auto p = Ipv4Prefix::parse("198.18.1.0/24");
  EXPECT_EQ(p.at(11).str(), "198.18.1.11");
  EXPECT_THROW(p.at(256), NetlabError);
}

}  // namespace
}  // namespace failover_hil::netlab
