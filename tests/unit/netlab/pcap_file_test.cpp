// The capture file reader: formats, precisions, corruption with offsets.
#include "failover_hil/netlab/pcap_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "failover_hil/core/byte_reader.hpp"
#include "failover_hil/netlab/analysis.hpp"
#include "failover_hil/netlab/decode.hpp"
#include "failover_hil/netlab/pcap_writer.hpp"
#include "failover_hil/netlab/synthetic_traffic.hpp"

namespace failover_hil::netlab {
namespace {

class PcapFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("fhil-pcapfile-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

const std::vector<std::uint8_t> kFrame(60, 0xab);

TEST_F(PcapFileTest, RoundTripsEveryFormatToTheNanosecond) {
  for (auto format : {CaptureFormat::pcap_nanosecond, CaptureFormat::pcapng}) {
    PcapWriter w(path("f"), LinkType::ethernet, format);
    w.write(1'700'000'000'123'456'789, kFrame);
    w.write(1'700'000'001'000'000'001, std::span(kFrame).first(20), 60);
    w.close();
    PcapFileSource src(path("f"));
    EXPECT_EQ(src.pcapng(), format == CaptureFormat::pcapng);
    auto p = src.next();
    ASSERT_TRUE(p);
    EXPECT_EQ(p->timestamp_ns, 1'700'000'000'123'456'789);
    EXPECT_EQ(p->linktype, 1u);
    EXPECT_EQ(p->bytes.size(), 60u);
    p = src.next();
    ASSERT_TRUE(p);
    EXPECT_EQ(p->timestamp_ns, 1'700'000'001'000'000'001);
    EXPECT_EQ(p->bytes.size(), 20u);
    EXPECT_EQ(p->original_length, 60u);
    EXPECT_FALSE(src.next());
  }
}

TEST_F(PcapFileTest, MicrosecondPcapKeepsMicroseconds) {
  PcapWriter w(path("f"), LinkType::linux_sll, CaptureFormat::pcap_microsecond);
  w.write(1'700'000'000'123'456'789, kFrame);
  w.close();
  PcapFileSource src(path("f"));
  const auto p = src.next();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->timestamp_ns, 1'700'000'000'123'456'000);
  EXPECT_EQ(p->linktype, 113u);
}

TEST_F(PcapFileTest, PcapngInterfaceStatisticsGiveKernelDrops) {
  PcapWriter w(path("f"), LinkType::ethernet, CaptureFormat::pcapng);
  w.write(1'000, kFrame);
  w.write_drops(2'000, 17);
  w.close();
  PcapFileSource src(path("f"));
  while (src.next()) {
  }
  EXPECT_EQ(src.kernel_drops(), 17u);
}

TEST_F(PcapFileTest, CorruptHeaderIsAClearErrorAtByteZero) {
  std::ofstream(path("bad")) << "this is no capture file at all";
  try {
    PcapFileSource src(path("bad"));
    FAIL() << "no error";
  } catch (const MalformedInput& e) {
    EXPECT_EQ(e.offset(), 0u);
    EXPECT_NE(std::string(e.what()).find("not a pcap or pcapng file"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(analyze_files({path("bad")}), MalformedInput);
  EXPECT_THROW(PcapFileSource(path("missing")), NetlabError);
}

TEST_F(PcapFileTest, ImpossibleRecordLengthIsCorruptionAtItsField) {
  PcapWriter w(path("f"), LinkType::ethernet);
  w.write(1'000, kFrame);
  w.close();
  {
    std::fstream f(path("f"), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(24 + 8);  // first record's incl_len
    const char huge[4] = {'\xff', '\xff', '\xff', '\x7f'};
    f.write(huge, 4);
  }
  PcapFileSource src(path("f"));
  try {
    src.next();
    FAIL() << "no error";
  } catch (const MalformedInput& e) {
    EXPECT_EQ(e.offset(), 32u);
  }
}

TEST_F(PcapFileTest, TruncatedPcapngBlockNamesItsOffset) {
  PcapWriter w(path("f"), LinkType::ethernet, CaptureFormat::pcapng);
  w.write(1'000, kFrame);
  w.write(2'000, kFrame);
  w.close();
  const auto size = std::filesystem::file_size(path("f"));
  std::filesystem::resize_file(path("f"), size - 8);
  PcapFileSource src(path("f"));
  ASSERT_TRUE(src.next());
  const auto second = src.offset();
  try {
    src.next();
    FAIL() << "no error";
  } catch (const MalformedInput& e) {
    EXPECT_EQ(e.offset(), second);
  }
}

TEST_F(PcapFileTest, MergedFilesComeOutInTimestampOrder) {
  {
    PcapWriter a(path("a"), LinkType::ethernet);
    a.write(1, kFrame);
    a.write(3, kFrame);
    PcapWriter b(path("b"), LinkType::ethernet, CaptureFormat::pcapng);
    b.write(2, kFrame);
    b.write(4, kFrame);
  }
  MergedFileSource src({path("a"), path("b")});
  std::vector<std::int64_t> seen;
  while (const auto p = src.next()) seen.push_back(p->timestamp_ns);
  EXPECT_EQ(seen, (std::vector<std::int64_t>{1, 2, 3, 4}));
}

TEST(Decode, VlanTaggedAndCookedV2FramesDecode) {
  const WireHost a{MacAddress::parse("02:00:00:00:00:01"), IpAddress::parse("198.18.0.1")};
  const WireHost b{MacAddress::parse("02:00:00:00:00:02"), IpAddress::parse("198.18.0.2")};
  auto frame = build_tcp_frame(a, b, 1234, 443, 99, 0, tcp_flag::syn);
  auto tagged = frame;
  const std::uint8_t tag[4] = {0x81, 0x00, 0x00, 0x0a};
  tagged.insert(tagged.begin() + 12, tag, tag + 4);
  auto f = decode_frame(1, tagged);
  ASSERT_EQ(f.kind, DecodedFrame::Kind::tcp);
  EXPECT_EQ(f.src.str(), "198.18.0.1");
  EXPECT_EQ(f.dst_port, 443);
  EXPECT_EQ(f.seq, 99u);
  EXPECT_EQ(f.src_mac, a.mac);

  // SLL2: protocol, reserved, ifindex, hatype, pkttype, halen, address[8].
  std::vector<std::uint8_t> sll2 = {0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6};
  sll2.insert(sll2.end(), a.mac.bytes.begin(), a.mac.bytes.end());
  sll2.insert(sll2.end(), {0, 0});
  sll2.insert(sll2.end(), frame.begin() + 14, frame.end());
  f = decode_frame(276, sll2);
  ASSERT_EQ(f.kind, DecodedFrame::Kind::tcp);
  EXPECT_EQ(f.src_mac, a.mac);
  EXPECT_EQ(f.tcp_flags, tcp_flag::syn);

  // Cut short anywhere: never throws, never reads past the end.
  for (std::size_t n = 0; n < frame.size(); ++n) (void)decode_frame(1, std::span(frame).first(n));
}

}  // namespace
}  // namespace failover_hil::netlab
