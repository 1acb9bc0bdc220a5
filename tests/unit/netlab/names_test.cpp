#include "failover_hil/netlab/names.hpp"

#include <gtest/gtest.h>

#include "failover_hil/netlab/error.hpp"
#include "failover_hil/netlab/ipv6.hpp"
#include "failover_hil/netlab/mac.hpp"

namespace failover_hil::netlab {
namespace {

TEST(Names, PrefixBuildsNamesThatFitAnInterface) {
  const NamePrefix p("fhil-t1-");
  EXPECT_EQ(p.name("appA"), "fhil-t1-appA");
  EXPECT_EQ(p.name("appA-sw"), "fhil-t1-appA-sw");
  EXPECT_THROW(p.name("appA-sw0"), NetlabError) << "16 characters";
  EXPECT_THROW(p.name(""), NetlabError);
  EXPECT_THROW(p.name("a/b"), NetlabError);
  EXPECT_TRUE(p.owns("fhil-t1-appA"));
  EXPECT_FALSE(p.owns("fhil-t1-")) << "the bare prefix is no object";
  EXPECT_FALSE(p.owns("fhil-t2-appA"));
  EXPECT_FALSE(p.owns("eth0"));
}

TEST(Names, BadPrefixesAreRejectedWithTheText) {
  for (const char* bad : {"", "-", "fhil-t1", "Fhil-", "1fh-", "fhil-t1-x-", "fh_1-", "fh 1-"}) {
    try {
      NamePrefix{bad};
      ADD_FAILURE() << bad;
    } catch (const NetlabError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("'") + bad + "'"), std::string::npos)
          << e.what();
    }
  }
  EXPECT_NO_THROW(NamePrefix{"fh-"});
  EXPECT_NO_THROW(NamePrefix{"fh9a0b-"});
}

TEST(Names, LinkAndNetnsNames) {
  EXPECT_NO_THROW(validate_link_name("eth0"));
  EXPECT_NO_THROW(validate_link_name("123456789012345"));
  EXPECT_THROW(validate_link_name("1234567890123456"), NetlabError);
  EXPECT_THROW(validate_link_name(""), NetlabError);
  EXPECT_THROW(validate_link_name(".."), NetlabError);
  EXPECT_THROW(validate_link_name("a b"), NetlabError);
  EXPECT_NO_THROW(validate_netns_name("fhil-t1-appA"));
  EXPECT_THROW(validate_netns_name("../etc"), NetlabError);
  EXPECT_THROW(validate_netns_name("."), NetlabError);
}

TEST(Names, MacParsesAndPrints) {
  EXPECT_EQ(MacAddress::parse("02:AB:cd:00:01:ff").str(), "02:ab:cd:00:01:ff");
  EXPECT_THROW(MacAddress::parse("02:ab:cd:00:01"), NetlabError);
  EXPECT_THROW(MacAddress::parse("02-ab-cd-00-01-ff"), NetlabError);
  EXPECT_THROW(MacAddress::parse("02:ab:cd:00:01:fg"), NetlabError);
}

TEST(Names, Ipv6LabRangeIsTheUlaOnly) {
  EXPECT_EQ(Ipv6Address::parse("fd00:198:18:0::10").str(), "fd00:198:18::10");
  EXPECT_THROW(Ipv6Address::parse("fd00::1::2"), NetlabError);
  EXPECT_NO_THROW(require_lab_address(Ipv6Address::parse("fd00:198:18::10"), "shared IP"));
  EXPECT_THROW(require_lab_address(Ipv6Address::parse("fd00:198:19::10"), "shared IP"),
               NetlabError);
  EXPECT_THROW(require_lab_address(Ipv6Address::parse("2001:db8::1"), "shared IP"), NetlabError);
}

}  // namespace
}  // namespace failover_hil::netlab
