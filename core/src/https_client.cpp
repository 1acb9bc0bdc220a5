#include "failover_hil/core/https_client.hpp"

#include <fcntl.h>
#include <openssl/x509.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <cstring>
#include <exception>
#include <optional>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"

namespace failover_hil {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::string HttpResponse::header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? std::string{} : it->second;
}

HttpsClient::HttpsClient(std::string host, std::uint16_t port, TlsTrust trust,
                         std::chrono::milliseconds timeout, std::string netns)
    : host_(std::move(host)),
      port_(port),
      trust_(std::move(trust)),
      timeout_(timeout),
      netns_(std::move(netns)) {
  if (trust_.ca_file.empty() && trust_.pinned_sha256.empty() && !trust_.payload_authenticated)
    throw HttpsError("https://" + host_ + ":" + std::to_string(port_) +
                     ": give a CA file or a pinned certificate fingerprint; the harness never "
                     "talks TLS without verifying the server");
}

namespace {

/// Moves the calling thread into a named network namespace for its lifetime.
class ThreadNetns {
 public:
  explicit ThreadNetns(const std::string& name) {
    if (name.empty()) return;
    home_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    const int fd = ::open(("/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC);
    const int err = fd < 0 ? errno : (::setns(fd, CLONE_NEWNET) != 0 ? errno : 0);
    if (fd >= 0) ::close(fd);
    if (home_ < 0 || err != 0) {
      if (home_ >= 0) ::close(home_);
      home_ = -1;
      throw HttpsError("cannot enter network namespace " + name + ": " + std::strerror(err));
    }
  }
  ~ThreadNetns() {
    if (home_ < 0) return;
    [[maybe_unused]] const int rc = ::setns(home_, CLONE_NEWNET);
    ::close(home_);
  }
  ThreadNetns(const ThreadNetns&) = delete;
  ThreadNetns& operator=(const ThreadNetns&) = delete;

 private:
  int home_ = -1;
};

using Stream = beast::ssl_stream<beast::tcp_stream>;
using Clock = std::chrono::steady_clock;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

/// Where a request stopped, if it did.
struct Outcome {
  const char* phase = "";
  beast::error_code ec;
  bool timed_out = false;
  http::response<http::string_body> response;
};

/// Resolves a host name. The system resolver runs on Asio's resolver thread
/// (started here, so in the caller's namespace); cancelling cannot interrupt
/// a lookup already in getaddrinfo, so a hung DNS server is bounded by the
/// resolver's own timeouts (resolv.conf), then reported as a resolve timeout.
asio::awaitable<std::optional<tcp::resolver::results_type>> resolve(const std::string& name,
                                                                    std::uint16_t port,
                                                                    Clock::time_point deadline,
                                                                    Outcome& out) {
  auto ex = co_await asio::this_coro::executor;
  // Shared with the guard's handler, which may already be queued when the
  // lookup completes and so outlive this frame.
  auto resolver = std::make_shared<tcp::resolver>(ex);
  auto expired = std::make_shared<bool>(false);
  asio::steady_timer guard(ex, deadline);
  guard.async_wait([resolver, expired](beast::error_code ec) {
    if (ec) return;
    *expired = true;
    resolver->cancel();
  });
  auto [ec, results] = co_await resolver->async_resolve(name, std::to_string(port), kAwait);
  guard.cancel();
  if (ec || *expired) {
    out.phase = "resolve";
    out.ec = ec;
    out.timed_out = *expired;
    co_return std::nullopt;
  }
  co_return results;
}

/// One request on a fresh connection; every step waits at most until
/// `deadline` (tcp_stream's expiry covers connect and every read and write
/// underneath TLS). Stops at the first failure, recorded in `out`.
asio::awaitable<void> exchange(Stream& stream, const std::string& connect_host, std::uint16_t port,
                               const http::request<http::string_body>& req,
                               Clock::time_point deadline, Outcome& out) {
  auto& tcp_layer = beast::get_lowest_layer(stream);
  const auto failed = [&](const char* phase, beast::error_code ec) {
    if (!ec) return false;
    out.phase = phase;
    out.ec = ec;
    out.timed_out = ec == beast::error::timeout;
    return true;
  };

  std::vector<tcp::endpoint> endpoints;
  beast::error_code addr_ec;
  const auto address = asio::ip::make_address(connect_host, addr_ec);
  if (!addr_ec) {
    endpoints.emplace_back(address, port);
  } else {
    const auto results = co_await resolve(connect_host, port, deadline, out);
    if (!results) co_return;
    for (const auto& r : *results) endpoints.push_back(r.endpoint());
  }

  tcp_layer.expires_at(deadline);
  auto [cec, ep] = co_await tcp_layer.async_connect(endpoints, kAwait);
  if (failed("connect", cec)) co_return;

  tcp_layer.expires_at(deadline);
  auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, kAwait);
  if (failed("TLS handshake", hec)) co_return;

  tcp_layer.expires_at(deadline);
  auto [wec, wn] = co_await http::async_write(stream, req, kAwait);
  if (failed("write", wec)) co_return;

  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);
  tcp_layer.expires_at(deadline);
  auto [rec, rn] = co_await http::async_read(stream, buf, parser, kAwait);
  if (failed("read", rec)) co_return;
  out.response = parser.release();

  // The answer is complete: a peer that closes first (stream_truncated) or
  // never sends close_notify only costs the rest of the deadline.
  tcp_layer.expires_at(deadline);
  co_await stream.async_shutdown(kAwait);
}

}  // namespace

HttpResponse HttpsClient::request(const HttpRequest& req) const {
  const std::string endpoint = host_ + ":" + std::to_string(port_);
  const std::string where = "https://" + endpoint + req.target +
                            (connect_to_.empty() ? "" : " (connecting to " + connect_to_ + ")");
  try {
    const auto deadline = Clock::now() + timeout_;
    const ThreadNetns in_lab(netns_);
    // A private io_context run on this thread: sockets open in the caller's
    // namespace, and each call stays independent of every other.
    asio::io_context io(1);
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                    ssl::context::no_tlsv1_1);
    std::string pin = trust_.pinned_sha256;
    std::transform(pin.begin(), pin.end(), pin.begin(), [](unsigned char c) {
      return static_cast<char>(c == ':' ? c : std::tolower(c));
    });
    std::erase(pin, ':');
    std::optional<bool> pin_match;
    // With a pin (and no CA) the chain is not checked, the leaf's digest is.
    if (!trust_.ca_file.empty()) ctx.load_verify_file(trust_.ca_file);
    ctx.set_verify_mode(ssl::verify_peer);
    // With a CA, the certificate must also name the host (RFC 2818).
    ssl::host_name_verification names(host_);
    ctx.set_verify_callback([&](bool preverified, ssl::verify_context& vc) {
      X509* cert = X509_STORE_CTX_get_current_cert(vc.native_handle());
      const int depth = X509_STORE_CTX_get_error_depth(vc.native_handle());
      if (!pin.empty() && depth == 0 && cert) {
        unsigned char* der = nullptr;
        const int len = i2d_X509(cert, &der);
        pin_match = false;
        if (len > 0) {
          pin_match = to_hex(crypto::sha256({der, static_cast<std::size_t>(len)})) == pin;
          OPENSSL_free(der);
        }
        return *pin_match;
      }
      return trust_.ca_file.empty() ? true : names(preverified, vc);
    });

    Stream stream(io, ctx);
    // SSL_set_tlsext_host_name is a macro with a C cast; this is its expansion.
    if (SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(host_.c_str())) != 1)
      throw HttpsError("cannot set SNI");

    http::request<http::string_body> r{http::string_to_verb(req.method), req.target, 11};
    r.set(http::field::host, host_);
    r.set(http::field::user_agent, "failover-hil");
    r.set(http::field::connection, "close");
    for (const auto& [k, v] : req.headers) r.set(k, v);
    r.body() = req.body;
    r.prepare_payload();

    Outcome out;
    std::exception_ptr crashed;
    asio::co_spawn(
        io, exchange(stream, connect_to_.empty() ? host_ : connect_to_, port_, r, deadline, out),
        [&](std::exception_ptr e) { crashed = e; });
    io.run();
    if (crashed) std::rethrow_exception(crashed);

    if (out.timed_out)
      throw HttpsError(std::string(out.phase) + " timed out: " + endpoint +
                       " gave no answer within the request's " + std::to_string(timeout_.count()) +
                       " ms deadline");
    if (out.ec) {
      if (out.phase == std::string_view("TLS handshake") && pin_match == false)
        throw HttpsError(
            "TLS handshake failed: the certificate's fingerprint does not match "
            "the pinned one");
      throw HttpsError(std::string(out.phase) + " failed: " + out.ec.message());
    }
    if (!pin.empty() && pin_match != true)
      throw HttpsError("certificate fingerprint does not match the pinned one");

    auto& res = out.response;
    HttpResponse answer;
    answer.status = static_cast<int>(res.result_int());
    answer.body = std::move(res.body());
    for (const auto& f : res) {
      std::string name(f.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      answer.headers[name] = std::string(f.value());
    }
    return answer;
  } catch (const std::exception& e) {
    throw HttpsError(where + ": " + e.what());
  }
}

}  // namespace failover_hil
