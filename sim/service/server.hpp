#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "http_types.hpp"
#include "log.hpp"

namespace failover_hil::sim::service {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/// What one process holds for its clients at most (docs/bseries-sim.md,
/// "Limits"): memory is bounded by max_connections x (header_limit +
/// small body) plus max_large_bodies x the largest route limit.
struct ServerLimits {
  std::size_t max_connections = 256;       ///< more are closed at once after accept
  std::size_t header_limit = 16 * 1024;    ///< 431 beyond
  std::size_t max_large_bodies = 2;        ///< bodies over kSmallBody read at once; 503 beyond
  std::chrono::seconds idle_timeout{30};   ///< for the TLS handshake and a request's header
  std::chrono::seconds body_timeout{120};  ///< for a request's body
};

/// The body limit of every route the admission does not raise (413 beyond).
inline constexpr std::uint64_t kSmallBody = 64 * 1024;

/// Decided from a request's header, before any of its body is read.
struct Admission {
  std::optional<Response> refuse;         ///< answer this and close; the body is never read
  std::uint64_t body_limit = kSmallBody;  ///< 413 beyond
};

/// HTTPS listeners with one coroutine per connection, on one io_context.
/// Each request's header is read first and admitted (routed, authenticated,
/// given a body limit) before its body is read. The handlers run on the io
/// thread; the handler's nullopt closes without answering.
class Server {
 public:
  using Handler = std::function<std::optional<Response>(const Request&, const std::string& remote)>;
  /// Sees a request whose body is not read yet (its body is empty).
  using Admit = std::function<Admission(const Request&, const std::string& remote)>;

  Server(asio::io_context& io, asio::ssl::context& tls, Log& log, Handler handler, Admit admit = {},
         ServerLimits limits = {});

  /// Starts listening; returns the bound endpoint (port 0 picks one).
  /// Throws std::system_error naming the endpoint when it cannot bind.
  tcp::endpoint listen(const tcp::endpoint& at);
  /// Stops listening on `at`: new connections are refused (RST), open ones closed.
  void close(const tcp::endpoint& at);
  /// Refuses every connection for `d`, then listens again (a site outage of an exact length).
  void refuse_for(std::chrono::milliseconds d);

 private:
  struct Listener {
    // Shared with its accept loop, which may resume after close() erased it.
    std::shared_ptr<tcp::acceptor> acceptor;
    std::uint64_t generation = 0;
  };
  asio::awaitable<void> accept_loop(std::shared_ptr<tcp::acceptor> acceptor,
                                    std::uint64_t generation, tcp::endpoint at);
  /// Ends before its next request once `listener` is closed (shared IP
  /// disabled) or the generation changed (refuse-site).
  asio::awaitable<void> session(tcp::socket socket, std::uint64_t generation,
                                std::shared_ptr<tcp::acceptor> listener);

  asio::awaitable<void> serve(tcp::socket socket, std::uint64_t generation,
                              std::shared_ptr<tcp::acceptor> listener);

  asio::io_context& io_;
  asio::ssl::context& tls_;
  Log& log_;
  Handler handler_;
  Admit admit_;
  ServerLimits limits_;
  std::size_t connections_ = 0;
  /// Gives memory back a second after the last connection closed, if none
  /// came since (malloc_trim walks the whole heap: a trim per closed probe
  /// connection stalled the loop).
  asio::steady_timer trim_;
  bool trim_pending_ = false;
  std::size_t large_bodies_ = 0;
  std::uint64_t refused_connections_ = 0;
  std::map<tcp::endpoint, Listener> listeners_;
  std::uint64_t generation_ = 1;  // sessions of an older generation close
  asio::steady_timer reopen_;
};

/// Parses "host:port" (IPv6 as "[::1]:8443").
tcp::endpoint parse_endpoint(const std::string& text);

}  // namespace failover_hil::sim::service
