#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
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

/// HTTPS listeners with one coroutine per connection, on one io_context.
/// The handler runs on the io thread; nullopt closes without answering.
class Server {
 public:
  using Handler = std::function<std::optional<Response>(const Request&, const std::string& remote)>;

  Server(asio::io_context& io, asio::ssl::context& tls, Log& log, Handler handler);

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

  asio::io_context& io_;
  asio::ssl::context& tls_;
  Log& log_;
  Handler handler_;
  std::map<tcp::endpoint, Listener> listeners_;
  std::uint64_t generation_ = 1;  // sessions of an older generation close
  asio::steady_timer reopen_;
};

/// Parses "host:port" (IPv6 as "[::1]:8443").
tcp::endpoint parse_endpoint(const std::string& text);

}  // namespace failover_hil::sim::service
