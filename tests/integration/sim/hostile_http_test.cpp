// Issue 16 items 4 and 10: bseries-sim under abusive HTTP. A request's header
// is routed and authenticated before its body is read; bodies and headers
// have limits; connections have a cap; malformed input is a 400 that says
// what is wrong; wrong secrets are throttled; seeding refuses what no
// appliance would store.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "raw_https.hpp"
#include "sim_pair.hpp"

namespace failover_hil::testing {
namespace {

using namespace std::chrono_literals;

const std::string kIp = "127.0.0.11";

std::string post_header(const std::string& path, std::size_t length,
                        const std::string& extra = {}) {
  return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + extra +
         "Content-Length: " + std::to_string(length) + "\r\n\r\n";
}

std::string bearer(const SimPair& pair) {
  return "Authorization: Bearer " + harness_token(kIp, pair.port_a()) + "\r\n";
}

TEST(HostileHttp, UnauthenticatedBodyIsRefusedBeforeItIsRead) {
  SimPair pair;
  // 60 MB announced, none sent: the answer comes without waiting for it.
  const auto t0 = std::chrono::steady_clock::now();
  const auto res = raw_exchange(kIp, pair.port_a(), post_header("/sim/v1/seed", 60'000'000));
  EXPECT_EQ(status_of(res), 401) << res;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 4s);
}

TEST(HostileHttp, OversizeBodyOnASmallRouteIs413BeforeItIsRead) {
  SimPair pair;
  const auto res =
      raw_exchange(kIp, pair.port_a(), post_header("/sim/v1/seed", 1'000'000, bearer(pair)));
  EXPECT_EQ(status_of(res), 413) << res;
  EXPECT_NE(body_of(res).find("65536 bytes"), std::string::npos) << res;
  // The upload route takes more than the small limit, and less than 60 MB.
  EXPECT_EQ(status_of(raw_exchange(
                kIp, pair.port_a(),
                post_header("/sim/v1/updates/manual-install", 60'000'000, bearer(pair)))),
            413);
  // A chunked body has no length to refuse up front: refused once over the limit.
  std::string chunked = "POST /sim/v1/seed HTTP/1.1\r\nHost: x\r\n" + bearer(pair) +
                        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i) chunked += "1000\r\n" + std::string(4096, ' ') + "\r\n";
  EXPECT_EQ(status_of(raw_exchange(kIp, pair.port_a(), chunked)), 413);
  EXPECT_EQ(pair.a().status().name, "appA");  // still serving
}

TEST(HostileHttp, OversizeHeaderIs431) {
  SimPair pair;
  const auto res = raw_exchange(
      kIp, pair.port_a(),
      "GET /probe HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(20'000, 'f') + "\r\n\r\n");
  EXPECT_EQ(status_of(res), 431) << res.substr(0, 200);
}

TEST(HostileHttp, ConnectionsOverTheCapAreClosedAtOnce) {
  SimPair pair;
  // 256 is the default cap (docs/bseries-sim.md); 300 plain TCP connections
  // that never start TLS: those over the cap are closed at once, the others
  // wait for their handshake.
  std::vector<int> fds;
  for (int i = 0; i < 300; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(pair.port_a());
    ::inet_pton(AF_INET, kIp.c_str(), &sa.sin_addr);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    fds.push_back(fd);
  }
  std::vector<pollfd> polls;
  for (const int fd : fds) polls.push_back({fd, POLLIN, 0});
  int closed = 0;
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (closed < 44 && std::chrono::steady_clock::now() < deadline) {
    ::poll(polls.data(), polls.size(), 200);
    closed = 0;
    for (auto& p : polls) closed += (p.revents & (POLLIN | POLLHUP)) != 0;
  }
  EXPECT_GE(closed, 40);
  EXPECT_LE(closed, 44);
  for (const int fd : fds) ::close(fd);
  // Served again once they are gone.
  EXPECT_TRUE(hil::wait_until([&] { return pair.a().status().name == "appA"; }, 10s));
}

TEST(HostileHttp, MalformedRequestsAre400WithAClearMessage) {
  SimPair pair;
  const auto auth = bearer(pair);
  auto get = [&](const std::string& target) {
    return raw_exchange(kIp, pair.port_a(),
                        "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n");
  };
  auto post = [&](const std::string& path, const std::string& body) {
    return raw_exchange(kIp, pair.port_a(), post_header(path, body.size(), auth) + body);
  };
  auto res = get("/sim/v1/events?since=abc");
  EXPECT_EQ(status_of(res), 400) << res;
  EXPECT_NE(res.find("'since' is 'abc'"), std::string::npos) << res;
  res = post("/sim/v1/seed", R"({"users": 5})");
  EXPECT_EQ(status_of(res), 400) << res;
  EXPECT_NE(res.find("'users' must be a list"), std::string::npos) << res;
  res = post("/sim/v1/sessions/start", R"({"console": 1})");
  EXPECT_EQ(status_of(res), 400) << res;
  res = post("/sim/v1/sessions/start", R"({})");
  EXPECT_EQ(status_of(res), 400) << res;
  EXPECT_NE(res.find("missing 'console'"), std::string::npos) << res;
  res = post("/client/v1/session", R"([1, 2])");
  EXPECT_EQ(status_of(res), 400) << res;
  EXPECT_EQ(res.find("internal"), std::string::npos) << res;
  const std::string form = "grant_type=client_credentials";
  res = raw_exchange(kIp, pair.port_a(),
                     "POST /oauth2/token HTTP/1.1\r\nHost: x\r\nAuthorization: Basic "
                     "%%%%\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                         std::to_string(form.size()) + "\r\n\r\n" + form);
  EXPECT_EQ(status_of(res) / 100, 4) << res;
  EXPECT_NE(res.find("malformed Basic credentials"), std::string::npos) << res;
  res = raw_exchange(kIp, pair.port_a(), "GET /probe HTTP/1.1\r\nHost x\r\n\r\n");
  EXPECT_EQ(status_of(res), 400) << res;
}

TEST(HostileHttp, SeedingRefusesNegativeSizesAndTraversingPaths) {
  SimPair pair;
  auto& a = pair.a();
  for (const auto* file :
       {R"({"path": "docs/a.txt", "size_bytes": -1})",
        R"({"path": "../../etc/passwd", "size_bytes": 1})",
        R"({"path": "/files//x", "size_bytes": 1})", R"({"path": "a/../../b", "size_bytes": 1})",
        R"({"path": "a\\b", "size_bytes": 1})", R"({"path": "", "size_bytes": 1})",
        R"({"path": "/files/./x", "size_bytes": 1})"}) {
    try {
      a.sim_post("seed",
                 std::string(R"({"users": [{"id": "u1", "display_name": "U"}], "files": [)") +
                     file + "]}");
      ADD_FAILURE() << "accepted " << file;
    } catch (const hil::HarnessError& e) {
      EXPECT_NE(std::string(e.what()).find("400"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(a.status().name, "appA");
  // Nothing of a refused seed was applied (its user neither).
  const auto res = raw_exchange(
      kIp, pair.port_a(), "GET /sim/v1/status HTTP/1.1\r\nHost: x\r\n" + bearer(pair) + "\r\n");
  EXPECT_NE(body_of(res).find(R"("users":0)"), std::string::npos) << res;
  a.sim_post("seed", R"({"files": [{"path": "/files/a.txt", "size_bytes": 10}]})");
}

TEST(HostileHttp, WrongSecretsAreThrottledPerClientId) {
  SimPair pair;
  auto token = [&](const std::string& id, const std::string& secret) {
    const auto form = "grant_type=client_credentials&client_id=" + id + "&client_secret=" + secret;
    return raw_exchange(kIp, pair.port_a(),
                        "POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: "
                        "application/x-www-form-urlencoded\r\nContent-Length: " +
                            std::to_string(form.size()) + "\r\n\r\n" + form);
  };
  for (int i = 0; i < 5; ++i) EXPECT_EQ(status_of(token("reader", "guess")), 401);
  const auto res = token("reader", "reader-secret-1");  // right, but too late
  EXPECT_EQ(status_of(res), 429) << res;
  EXPECT_NE(res.find("Retry-After: 1"), std::string::npos) << res;
  // Another client id is not slowed down.
  EXPECT_EQ(status_of(token("harness", "harness%2Bsecret%2F1%3D")), 200);
  // After the wait the right secret is taken again.
  EXPECT_TRUE(hil::wait_until([&] { return status_of(token("reader", "reader-secret-1")) == 200; },
                              5s, 200ms));
}

}  // namespace
}  // namespace failover_hil::testing

namespace failover_hil::testing {
namespace {

// Resident memory of a process, from /proc/<pid>/status (kB).
long rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  return -1;
}

// Sends `count` requests at once, each a header and `body_bytes` of body.
void concurrent_bodies(const SimPair& pair, int count, const std::string& header,
                       std::size_t body_bytes) {
  const std::string request = header + std::string(body_bytes, 'x');
  std::vector<std::thread> threads;
  for (int i = 0; i < count; ++i)
    threads.emplace_back([&] {
      try {
        raw_exchange(kIp, pair.port_a(), request, 20s);
      } catch (const std::exception&) {
        // refused mid-write: what a refusal before the body looks like
      }
    });
  for (auto& t : threads) t.join();
}

TEST(HostileHttp, TwentyConcurrentLargeBodiesLeaveMemoryBounded) {
  SimPair pair;
  const auto pid = pair.process_a().pid();
  const auto before = rss_kb(pid);
  ASSERT_GT(before, 0);
  constexpr std::size_t kBody = 7 * 1024 * 1024;
  // Unauthenticated: refused on the header, never read.
  concurrent_bodies(pair, 20, post_header("/sim/v1/updates/manual-install", kBody), kBody);
  // Authenticated, on the upload route: two read at a time, the rest 503.
  concurrent_bodies(pair, 20, post_header("/sim/v1/updates/manual-install", kBody, bearer(pair)),
                    kBody);
  const auto after = rss_kb(pid);
  // 20 x 7 MiB were buffered at once before (and kept by malloc): 140 MB.
  EXPECT_LT(after - before, 40 * 1024) << "RSS " << before << " kB -> " << after << " kB";
  EXPECT_EQ(pair.a().status().name, "appA");
}

}  // namespace
}  // namespace failover_hil::testing

namespace failover_hil::testing {
namespace {

TEST(HostileHttp, IdleConnectionsMemoryIsReturnedOnceTheyClose) {
  SimPair pair;
  const auto pid = pair.process_a().pid();
  const auto before = rss_kb(pid);
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.set_verify_mode(asio::ssl::verify_none);
  {
    // 200 connections that finish TLS and then say nothing.
    std::vector<std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket>>> idle;
    for (int i = 0; i < 200; ++i) {
      auto s = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket>>(io, ctx);
      s->next_layer().connect({asio::ip::make_address(kIp), pair.port_a()});
      s->handshake(asio::ssl::stream_base::client);
      idle.push_back(std::move(s));
    }
    const auto held = rss_kb(pid);
    EXPECT_GT(held, before) << "idle TLS connections cost something";
  }  // closed
  // The simulator sees the closes, ends the sessions and trims.
  EXPECT_TRUE(hil::wait_until([&] { return rss_kb(pid) - before < 4 * 1024; }, 10s))
      << "RSS " << before << " kB -> " << rss_kb(pid) << " kB";
  EXPECT_EQ(pair.a().status().name, "appA");
}

}  // namespace
}  // namespace failover_hil::testing
