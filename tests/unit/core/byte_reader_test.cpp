#include "failover_hil/core/byte_reader.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace failover_hil {
namespace {

TEST(ByteReader, ReadsBigEndianFields) {
  const std::vector<std::uint8_t> data{1, 0x02, 0x03, 0, 0, 1, 0, 'a', 'b', 'c'};
  ByteReader r(data, "test input");
  EXPECT_EQ(r.u8(), 1);
  EXPECT_EQ(r.u16be(), 0x0203);
  EXPECT_EQ(r.u32be(), 0x100u);
  EXPECT_EQ(r.text(3), "abc");
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ByteReader, TruncationNamesInputAndOffset) {
  const std::vector<std::uint8_t> data{1, 2, 3};
  ByteReader r(data, "update file");
  r.u16be();
  try {
    r.u32be();
    FAIL() << "expected MalformedInput";
  } catch (const MalformedInput& e) {
    EXPECT_EQ(e.offset(), 2u);
    EXPECT_NE(std::string(e.what()).find("update file is malformed at byte 2"), std::string::npos)
        << e.what();
  }
}

TEST(ByteReader, ExpectRejectsWrongMagic) {
  const std::vector<std::uint8_t> data{'N', 'O', 'P', 'E'};
  ByteReader r(data, "backup file");
  EXPECT_THROW(r.expect("FHIL", "magic"), MalformedInput);
  ByteReader ok(data, "x");
  EXPECT_NO_THROW(ok.expect("NOPE", "magic"));
  EXPECT_EQ(ok.offset(), 4u);
}

}  // namespace
}  // namespace failover_hil
