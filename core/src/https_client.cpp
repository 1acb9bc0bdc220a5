#include "failover_hil/core/https_client.hpp"

#include <fcntl.h>
#include <openssl/x509.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <cstring>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"

namespace failover_hil {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;

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

}  // namespace

HttpResponse HttpsClient::request(const HttpRequest& req) const {
  const std::string where = "https://" + host_ + ":" + std::to_string(port_) + req.target;
  try {
    const ThreadNetns in_lab(netns_);
    asio::io_context io;
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                    ssl::context::no_tlsv1_1);
    std::string pin = trust_.pinned_sha256;
    std::transform(pin.begin(), pin.end(), pin.begin(), [](unsigned char c) {
      return static_cast<char>(c == ':' ? c : std::tolower(c));
    });
    std::erase(pin, ':');
    bool pin_ok = pin.empty();
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
        if (len > 0) {
          pin_ok = to_hex(crypto::sha256({der, static_cast<std::size_t>(len)})) == pin;
          OPENSSL_free(der);
        }
        return pin_ok;
      }
      return trust_.ca_file.empty() ? true : names(preverified, vc);
    });

    beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
    // SSL_set_tlsext_host_name is a macro with a C cast; this is its expansion.
    if (SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(host_.c_str())) != 1)
      throw HttpsError("cannot set SNI");
    asio::ip::tcp::resolver resolver(io);
    beast::get_lowest_layer(stream).expires_after(timeout_);
    beast::get_lowest_layer(stream).connect(
        resolver.resolve(connect_to_.empty() ? host_ : connect_to_, std::to_string(port_)));
    stream.handshake(ssl::stream_base::client);
    if (!pin_ok) throw HttpsError("certificate fingerprint does not match the pinned one");

    http::request<http::string_body> r{http::string_to_verb(req.method), req.target, 11};
    r.set(http::field::host, host_);
    r.set(http::field::user_agent, "failover-hil");
    r.set(http::field::connection, "close");
    for (const auto& [k, v] : req.headers) r.set(k, v);
    r.body() = req.body;
    r.prepare_payload();
    http::write(stream, r);

    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    http::read(stream, buf, parser);
    auto res = parser.release();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    for (const auto& f : res) {
      std::string name(f.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      out.headers[name] = std::string(f.value());
    }
    beast::error_code ec;
    stream.shutdown(ec);  // the peer may close first: stream_truncated is expected here
    return out;
  } catch (const HttpsError& e) {
    throw HttpsError(where + ": " + e.what());
  } catch (const std::exception& e) {
    throw HttpsError(where + ": " + e.what());
  }
}

}  // namespace failover_hil
