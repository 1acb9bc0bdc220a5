#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace failover_hil {

/// How a client trusts the server's certificate: a CA file, or a pinned
/// SHA-256 fingerprint of the certificate (lower-case hex), or both.
struct TlsTrust {
  std::string ca_file;
  std::string pinned_sha256;
  /// Skip certificate checks because every request and answer is
  /// authenticated above TLS (the inter-appliance channel's HMAC). Never for
  /// anything else.
  bool payload_authenticated = false;
};

/// A request failed on the way (connect, TLS, timeout); the message names
/// the endpoint and the reason, and for a timeout the phase it stopped in
/// (resolve, connect, TLS handshake, write, read) and the deadline in ms.
/// HTTP error statuses are not exceptions.
class HttpsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HttpRequest {
  std::string method = "GET";
  std::string target = "/";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  ///< names in lower case
  std::string header(const std::string& lower_name) const;
};

/// A blocking HTTPS/1.1 client (Boost.Beast over OpenSSL), one connection per
/// request, as the product's API asks ("close the connection after each
/// call"). Each call runs asynchronous operations on a private io_context on
/// the calling thread, so `timeout` bounds the whole request: connect, TLS
/// handshake, write, read and shutdown (a peer that accepts and never
/// answers costs at most `timeout`). Thread-safe: each call owns its own
/// connection and event loop.
class HttpsClient {
 public:
  /// `netns`: connect from this network namespace (/run/netns/<name>), so a
  /// harness in the root namespace reaches hosts inside a lab. `timeout`: the
  /// deadline of each request as a whole.
  HttpsClient(std::string host, std::uint16_t port, TlsTrust trust,
              std::chrono::milliseconds timeout = std::chrono::seconds(10), std::string netns = {});
  /// Throws HttpsError when the request cannot be made or times out.
  HttpResponse request(const HttpRequest& req) const;
  HttpResponse get(const std::string& target) const { return request({"GET", target, {}, {}}); }
  const std::string& host() const { return host_; }
  /// Connects to `address` while naming `host` in SNI, Host and certificate
  /// checks: what a hosts-file override does.
  void connect_to(std::string address) { connect_to_ = std::move(address); }
  std::uint16_t port() const { return port_; }
  std::chrono::milliseconds timeout() const { return timeout_; }

 private:
  std::string host_;
  std::uint16_t port_;
  TlsTrust trust_;
  std::chrono::milliseconds timeout_;
  std::string netns_;
  std::string connect_to_;
};

}  // namespace failover_hil
