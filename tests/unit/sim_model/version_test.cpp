#include "failover_hil/sim/model/version.hpp"

#include <gtest/gtest.h>

#include "failover_hil/sim/model/errors.hpp"

namespace failover_hil::sim {
namespace {

TEST(Version, ParsesComparesPrints) {
  EXPECT_EQ(Version::parse("3.3.2").str(), "3.3.2");
  EXPECT_LT(Version::parse("3.3.1"), Version::parse("3.3.2"));
  EXPECT_LT(Version::parse("3.10.0"), Version::parse("23.1.2"));
  EXPECT_EQ((SoftwareRelease{{23, 1, 2}, "b7f3a1"}).str(), "23.1.2 (b7f3a1)");
}

TEST(Version, RejectsBadInputNamingIt) {
  for (const char* bad : {"", "3.3", "3.3.2.1", "a.b.c", "-1.0.0", "3..2", "99999.0.0", "3.3.2 "}) {
    try {
      Version::parse(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const ModelError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("'") + bad + "'"), std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace failover_hil::sim
