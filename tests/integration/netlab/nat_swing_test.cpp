#include "failover_hil/netlab/nat_swing.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <iostream>

#include "failover_hil/netlab/address_ops.hpp"
#include "failover_hil/netlab/conntrack.hpp"
#include "failover_hil/netlab/route.hpp"
#include "fixture.hpp"

namespace failover_hil::netlab::testing {
namespace {

using std::chrono::milliseconds;

// The router is the `sw` namespace itself: its bridge carries the inside
// network (appA, appB, default route via the router) and the client's
// network, so every packet between client and appliances is routed by it.
const auto kRouterInside = Ipv4Address::parse("198.18.0.1");
const auto kRouterOutside = Ipv4Address::parse("198.18.1.1");
const auto kClient = Ipv4Address::parse("198.18.1.2");
const auto kAppA = Ipv4Address::parse("198.18.0.11");
const auto kAppB = Ipv4Address::parse("198.18.0.12");
const auto kVip = Ipv4Address::parse("198.18.2.10");

// A TCP connection from `ns` to ip:port, kept open (bounded wait); the
// local port in `local_port`. An invalid Fd when it did not connect.
Fd connect_and_keep(const Netns& ns, Ipv4Address ip, std::uint16_t port,
                    std::uint16_t& local_port) {
  Fd fd = run_in_netns(
      ns, [] { return Fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)); });
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(ip.value);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS) return Fd();
    pollfd p{fd.get(), POLLOUT, 0};
    int err = 0;
    socklen_t err_len = sizeof err;
    if (::poll(&p, 1, 2000) != 1 ||
        ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &err_len) != 0 || err != 0)
      return Fd();
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  local_port = ntohs(addr.sin_port);
  return fd;
}

class NatSwingTest : public NetlabTest {
 protected:
  void SetUp() override {
    NetlabTest::SetUp();
    if (IsSkipped()) return;
    lab_.emplace(prefix());
    auto& lab = *lab_;
    add_address(*lab.sw, lab.bridge.name(), {kRouterInside, 24});
    add_address(*lab.sw, lab.bridge.name(), {kRouterOutside, 24});
    run_in_netns(lab.sw_ns, [] { std::ofstream("/proc/sys/net/ipv4/ip_forward") << "1\n"; });
    add_address(*lab.client.nl, lab.client.link, {kClient, 24});
    add_route(*lab.client.nl, default_route(kRouterOutside));
    add_address(*lab.app_a.nl, lab.app_a.link, {kAppA, 24});
    add_route(*lab.app_a.nl, default_route(kRouterInside));
    add_address(*lab.app_b.nl, lab.app_b.link, {kAppB, 24});
    add_route(*lab.app_b.nl, default_route(kRouterInside));
  }
  void destroy_resources() override {
    nat_.reset();
    lab_.reset();
  }
  std::optional<SwitchedLab> lab_;
  std::optional<NatSwing> nat_;
};

// R13 (NAT swing): effective at once for new connections; the old flow's
// conntrack entry is flushed so its next packet is NATed afresh.
TEST_F(NatSwingTest, R13_SwitchMovesNewConnectionsToBAndFlushesTheOldFlow) {
  auto& lab = *lab_;
  const auto on_a = listen_in(lab.app_a.ns);
  const auto on_b = listen_in(lab.app_b.ns, on_a.port);
  nat_.emplace(NatSwing::create(lab.sw_ns, prefix(), {kVip, {on_a.port}}, kAppA));
  EXPECT_EQ(nat_->table(), prefix().name("nat"));

  std::uint16_t old_port = 0;
  const Fd old_flow = connect_and_keep(lab.client.ns, kVip, on_a.port, old_port);
  ASSERT_GE(old_flow.get(), 0) << "client cannot reach the VIP through the router";
  ASSERT_TRUE(on_a.accepts()) << "the VIP leads to appA";
  const auto is_old_flow = [&](const ConntrackEntry& e) {
    return e.orig_dst == kVip && e.orig_src_port == old_port;
  };
  auto entries = list_conntrack(lab.sw_ns);
  const auto old_entry = std::find_if(entries.begin(), entries.end(), is_old_flow);
  ASSERT_NE(old_entry, entries.end()) << "no conntrack entry for the old flow";
  EXPECT_EQ(old_entry->reply_src, kAppA);
  EXPECT_EQ(old_entry->orig_src, kClient);

  const auto start = std::chrono::steady_clock::now();
  EXPECT_GE(nat_->switch_to(kAppB), 1u);
  EXPECT_EQ(tcp_connect(lab.client.ns, kVip, on_a.port), 0);
  EXPECT_TRUE(on_b.accepts()) << "the VIP now leads to appB";
  std::cout
      << "[ figure   ] switch_to(B) to a new connection accepted by appB: "
      << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count()
      << " ms\n";
  EXPECT_FALSE(on_a.accepts(milliseconds(0))) << "nothing new reached appA";

  entries = list_conntrack(lab.sw_ns);
  EXPECT_EQ(std::find_if(entries.begin(), entries.end(), is_old_flow), entries.end())
      << "the old flow's conntrack entry survived the swing";
  EXPECT_NE(std::find_if(entries.begin(), entries.end(),
                         [&](const ConntrackEntry& e) {
                           return e.orig_dst == kVip && e.reply_src == kAppB;
                         }),
            entries.end());
  EXPECT_NE(shell("ip netns exec " + lab.sw_ns.name() + " nft list table ip " + nat_->table())
                .find("dnat to 198.18.0.12"),
            std::string::npos);
}

// conntrack_not_flushed (issue 13): a swing that keeps the entries moves new
// connections only; the established flow keeps its NAT to appA.
TEST_F(NatSwingTest, R13_WithoutTheFlushTheEstablishedFlowStaysWithA) {
  auto& lab = *lab_;
  const auto on_a = listen_in(lab.app_a.ns);
  const auto on_b = listen_in(lab.app_b.ns, on_a.port);
  nat_.emplace(NatSwing::create(lab.sw_ns, prefix(), {kVip, {on_a.port}}, kAppA));
  std::uint16_t old_port = 0;
  const Fd old_flow = connect_and_keep(lab.client.ns, kVip, on_a.port, old_port);
  ASSERT_GE(old_flow.get(), 0) << "client cannot reach the VIP through the router";
  ASSERT_TRUE(on_a.accepts());
  EXPECT_EQ(nat_->switch_to(kAppB, false), 0u);
  EXPECT_EQ(tcp_connect(lab.client.ns, kVip, on_a.port), 0);
  EXPECT_TRUE(on_b.accepts()) << "new connections reach appB";
  const auto entries = list_conntrack(lab.sw_ns);
  const auto old_entry = std::find_if(entries.begin(), entries.end(), [&](const ConntrackEntry& e) {
    return e.orig_dst == kVip && e.orig_src_port == old_port;
  });
  ASSERT_NE(old_entry, entries.end()) << "the old flow's entry was flushed";
  EXPECT_EQ(old_entry->reply_src, kAppA) << "the old flow still goes to appA";
}

TEST_F(NatSwingTest, TheTableGoesWithTheHandleAndALeftoverIsSwept) {
  auto& lab = *lab_;
  nat_.emplace(NatSwing::create(lab.sw_ns, prefix(), {kVip, {}}, kAppA));
  EXPECT_THROW(NatSwing::create(lab.sw_ns, prefix(), {kVip, {}}, kAppB), NftError)
      << "a second table of the same name is refused, not adopted";
  nat_.reset();
  EXPECT_EQ(shell("ip netns exec " + lab.sw_ns.name() + " nft list ruleset").find(prefix().str()),
            std::string::npos);

  // A crashed run's table: sweep_nft_tables removes it.
  shell("ip netns exec " + lab.sw_ns.name() + " nft add table ip " + prefix().name("nat"));
  const auto swept = sweep_nft_tables(lab.sw_ns, prefix());
  ASSERT_EQ(swept.size(), 1u);
  EXPECT_EQ(swept.front(), (NftTable{"ip", prefix().name("nat")}));
  EXPECT_TRUE(Nft::open(lab.sw_ns).tables().empty());
}

TEST_F(NatSwingTest, NftErrorsCarryNftsOwnMessage) {
  auto nft = Nft::open(lab_->sw_ns);
  try {
    nft.run("add rule ip no-such-table c ip daddr 198.18.0.1 drop");
    FAIL() << "nft accepted a rule for a missing table";
  } catch (const NftError& e) {
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find(lab_->sw_ns.name()), std::string::npos);
    EXPECT_FALSE(e.nft_message().empty());
  }
}

}  // namespace
}  // namespace failover_hil::netlab::testing
