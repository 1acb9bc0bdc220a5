// Live capture in a namespace: the file opens in tshark and the analyser
// counts the probes (the same loop runs live and on the file).
#include "failover_hil/netlab/capture.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

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

TEST_F(LiveCapture, StopsOnAQuietInterface) {
  // libpcap 1.10's blocking read never returns on an idle interface, so a
  // reader that checked the stop flag only between reads hung in stop().
  using namespace std::chrono_literals;
  lab_.emplace(prefix());
  add_address(*lab_->client.nl, lab_->client.link, {Ipv4Address::parse("198.18.0.21"), 24});
  CaptureOptions options;
  options.interface = lab_->client.link;
  options.path = (dir_ / "quiet.pcap").string();
  options.filter = "udp port 9";  // nothing in the lab sends it
  auto capture = Capture::start(lab_->client.ns, options);
  std::this_thread::sleep_for(300ms);  // the reader must be waiting for this to mean anything

  auto stopped = std::async(std::launch::async, [&] { return capture.stop(); });
  const bool in_time = stopped.wait_for(2s) == std::future_status::ready;
  if (!in_time) {
    // Unblock the reader with one matching packet, so the test fails instead of hanging.
    run_in_netns(lab_->client.ns, [] {
      Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
      const int one = 1;
      ::setsockopt(fd.get(), SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_port = htons(9);
      to.sin_addr.s_addr = htonl(Ipv4Address::parse("198.18.0.255").value);
      ::sendto(fd.get(), "x", 1, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    });
  }
  const auto result = stopped.get();
  EXPECT_TRUE(in_time) << "stop() waited for a packet on a quiet interface";
  EXPECT_TRUE(result.error.empty()) << result.error;
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
