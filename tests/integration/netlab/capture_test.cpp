// Live capture in a namespace: the file opens in tshark and the analyser
// counts the probes (the same loop runs live and on the file).
#include "failover_hil/netlab/capture.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "failover_hil/netlab/address_ops.hpp"
#include "failover_hil/netlab/analysis.hpp"
#include "fixture.hpp"

namespace failover_hil::netlab::testing {
namespace {

class LiveCapture : public NetlabTest {
 protected:
  void SetUp() override {
    NetlabTest::SetUp();
    dir_ = std::filesystem::temp_directory_path() / ("fhil-capture-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    NetlabTest::TearDown();
    std::filesystem::remove_all(dir_);
  }
  void destroy_resources() override { lab_.reset(); }
  std::optional<SwitchedLab> lab_;
  std::filesystem::path dir_;
};

TEST_F(LiveCapture, CapturesProbesThatTsharkAndTheAnalyserRead) {
  lab_.emplace(prefix());
  const auto site = Ipv4Address::parse("198.18.0.11");
  add_address(*lab_->client.nl, lab_->client.link, {Ipv4Address::parse("198.18.0.21"), 24});
  add_address(*lab_->app_a.nl, lab_->app_a.link, {site, 24});
  const auto listener = listen_in(lab_->app_a.ns, 0);

  CaptureOptions options;
  options.interface = lab_->client.link;
  options.path = (dir_ / "client.pcap").string();
  options.filter = capture_filter(IpAddress::from(site), listener.port);
  AnalysisOptions analysis;
  analysis.site_ip = IpAddress::from(site);
  analysis.site_port = listener.port;
  analysis.appliance_macs = {{link_mac(*lab_->app_a.nl, lab_->app_a.link), "A"}};
  options.analysis = analysis;
  auto capture = Capture::start(lab_->client.ns, options);

  constexpr int kProbes = 5;
  for (int i = 0; i < kProbes; ++i) {
    ASSERT_EQ(tcp_connect(lab_->client.ns, site, listener.port), 0);
    ASSERT_TRUE(listener.accepts());
  }
  const auto live = capture.stop();
  ASSERT_TRUE(live.error.empty()) << live.error;
  ASSERT_TRUE(live.kernel_drops.has_value());
  EXPECT_EQ(*live.kernel_drops, 0u);

  EXPECT_NE(shell("tshark -r " + options.path + " >/dev/null; echo rc=$?").find("rc=0"),
            std::string::npos);

  for (const auto& report : {*live.analysis, analyze_files({options.path}, analysis)}) {
    ASSERT_EQ(report.clients.size(), 1u) << "live and file analyses agree";
    const auto& c = report.clients[0];
    EXPECT_EQ(c.client.str(), "198.18.0.21");
    EXPECT_EQ(c.probes, static_cast<std::uint64_t>(kProbes)) << shell("tshark -r " + options.path);
    EXPECT_EQ(c.answered, static_cast<std::uint64_t>(kProbes));
    EXPECT_TRUE(c.outages.empty());
    EXPECT_FALSE(report.partial);
  }
}

TEST_F(LiveCapture, NoSuchInterfaceIsAClearError) {
  lab_.emplace(prefix());
  CaptureOptions options;
  options.interface = prefix().name("nope");
  options.path = (dir_ / "x.pcap").string();
  try {
    Capture::start(lab_->client.ns, options);
    FAIL() << "no error";
  } catch (const KernelError& e) {
    EXPECT_NE(std::string(e.what()).find(options.interface), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace failover_hil::netlab::testing
