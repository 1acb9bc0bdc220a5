#include "failover_hil/core/https_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "loopback_server.hpp"

namespace failover_hil {
namespace {

using namespace std::chrono_literals;
using test::LoopbackServer;
using test::run_bounded;

// Generous: the deadline is 300 ms; a regression (no deadline) would hang.
constexpr auto kBound = 5s;
constexpr auto kDeadline = 300ms;

TlsTrust pinned(const test::TestIdentity& id) {
  return {.pinned_sha256 = id.fingerprint};
}

TEST(HttpsClient, PeerThatAcceptsAndNeverAnswersTimesOutInTheTlsHandshake) {
  const test::TestIdentity id;
  auto server = std::make_shared<LoopbackServer>(LoopbackServer::Mode::silent);
  const HttpsClient client("127.0.0.1", server->port(), pinned(id), kDeadline);
  const auto r = run_bounded<HttpsError>(kBound, [client, server] { client.get("/"); });
  ASSERT_TRUE(r.finished) << "the request outlived its 300 ms deadline by seconds";
  ASSERT_TRUE(r.threw) << r.message;
  EXPECT_NE(r.message.find("127.0.0.1:" + std::to_string(server->port())), std::string::npos)
      << r.message;
  EXPECT_NE(r.message.find("TLS handshake timed out"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("300 ms"), std::string::npos) << r.message;
  EXPECT_EQ(server->accepted(), 1);
}

TEST(HttpsClient, PeerThatReadsTheRequestAndNeverAnswersTimesOutInRead) {
  const test::TestIdentity id;
  auto server = std::make_shared<LoopbackServer>(LoopbackServer::Mode::tls_silent, &id.identity);
  const HttpsClient client("127.0.0.1", server->port(), pinned(id), kDeadline);
  const auto r = run_bounded<HttpsError>(kBound, [client, server] { client.get("/api/command"); });
  ASSERT_TRUE(r.finished) << "the request outlived its 300 ms deadline by seconds";
  ASSERT_TRUE(r.threw) << r.message;
  EXPECT_NE(r.message.find("127.0.0.1:" + std::to_string(server->port())), std::string::npos)
      << r.message;
  EXPECT_NE(r.message.find("read timed out"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("300 ms"), std::string::npos) << r.message;
}

TEST(HttpsClient, ConnectThatNeverCompletesTimesOutInConnect) {
  // A listener whose accept queue is full drops new SYNs (Linux), so the
  // next connect stays in SYN-SENT: a host that does not answer.
  namespace asio = boost::asio;
  using tcp = asio::ip::tcp;
  auto io = std::make_shared<asio::io_context>();
  auto listener = std::make_shared<tcp::acceptor>(*io);
  listener->open(tcp::v4());
  listener->bind({asio::ip::make_address("127.0.0.1"), 0});
  listener->listen(0);
  const auto port = listener->local_endpoint().port();
  tcp::socket filler(*io);
  filler.connect(listener->local_endpoint());  // fills the queue of one

  const test::TestIdentity id;
  const HttpsClient client("127.0.0.1", port, pinned(id), kDeadline);
  const auto r =
      run_bounded<HttpsError>(kBound, [client, io, listener] { client.get("/api/command"); });
  ASSERT_TRUE(r.finished) << "the request outlived its 300 ms deadline by seconds";
  ASSERT_TRUE(r.threw) << r.message;
  EXPECT_NE(r.message.find("connect timed out"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("300 ms"), std::string::npos) << r.message;
}

TEST(HttpsClient, AnswerArrivesWithCaTrustAndHostCheck) {
  const test::TestIdentity id;
  auto server = std::make_shared<LoopbackServer>(
      LoopbackServer::Mode::tls_answer, &id.identity, [](const std::string& target) {
        return test::http_answer(200, "OK", "text/plain", "you asked for " + target);
      });
  HttpsClient client("appliance.test", server->port(), {.ca_file = id.identity.cert_file}, kBound);
  client.connect_to("127.0.0.1");
  const auto r = client.get("/probe");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "you asked for /probe");
  EXPECT_EQ(r.header("content-type"), "text/plain");

  const HttpsClient by_pin("127.0.0.1", server->port(), pinned(id), kBound);
  EXPECT_EQ(by_pin.get("/x").body, "you asked for /x");
}

TEST(HttpsClient, WrongHostOrPinIsRefused) {
  const test::TestIdentity id;
  auto server = std::make_shared<LoopbackServer>(
      LoopbackServer::Mode::tls_answer, &id.identity,
      [](const std::string&) { return test::http_answer(200, "OK", "text/plain", "hi"); });
  HttpsClient other("other.test", server->port(), {.ca_file = id.identity.cert_file}, kBound);
  other.connect_to("127.0.0.1");
  try {
    other.get("/");
    ADD_FAILURE() << "a certificate for another host was accepted";
  } catch (const HttpsError& e) {
    EXPECT_NE(std::string(e.what()).find("TLS handshake failed"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("connecting to 127.0.0.1"), std::string::npos) << e.what();
  }
  const HttpsClient wrong_pin("127.0.0.1", server->port(), {.pinned_sha256 = std::string(64, '0')},
                              kBound);
  try {
    wrong_pin.get("/");
    ADD_FAILURE() << "a certificate with another fingerprint was accepted";
  } catch (const HttpsError& e) {
    EXPECT_NE(std::string(e.what()).find("fingerprint"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace failover_hil
