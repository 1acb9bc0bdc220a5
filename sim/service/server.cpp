#include "server.hpp"

#include <malloc.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace failover_hil::sim::service {

namespace beast = boost::beast;
using namespace std::chrono_literals;

Server::Server(asio::io_context& io, asio::ssl::context& tls, Log& log, Handler handler,
               Admit admit, ServerLimits limits)
    : io_(io),
      tls_(tls),
      log_(log),
      handler_(std::move(handler)),
      admit_(std::move(admit)),
      limits_(limits),
      trim_(io),
      reopen_(io) {}

namespace {

// Counts a connection, or a large body in memory, for as long as it lives.
class Held {
 public:
  explicit Held(std::size_t& n) : n_(&n) { ++*n_; }
  Held(Held&& o) noexcept : n_(std::exchange(o.n_, nullptr)) {}
  Held& operator=(Held&&) = delete;
  ~Held() {
    if (n_) --*n_;
  }

 private:
  std::size_t* n_;
};

Response refusal(http::status s, std::string text) {
  Response r{s, 11};
  r.set(http::field::content_type, "text/plain; charset=UTF-8");
  r.body() = std::move(text);
  r.keep_alive(false);
  r.prepare_payload();
  return r;
}

}  // namespace

tcp::endpoint parse_endpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size())
    throw std::invalid_argument("'" + text + "' is not host:port");
  std::string host = text.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(host, ec);
  if (ec) throw std::invalid_argument("'" + host + "' is not an IP address");
  const auto port = std::stoul(text.substr(colon + 1));
  if (port > 65535) throw std::invalid_argument("'" + text + "': port out of range");
  return {addr, static_cast<unsigned short>(port)};
}

tcp::endpoint Server::listen(const tcp::endpoint& at) {
  auto acceptor = std::make_shared<tcp::acceptor>(io_);
  boost::system::error_code ec;
  acceptor->open(at.protocol(), ec);
  if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor->bind(at, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::ostringstream os;
    os << at;
    throw std::system_error(ec, "cannot listen on " + os.str());
  }
  const auto bound = acceptor->local_endpoint();
  auto& l = listeners_[at];
  l.acceptor = std::move(acceptor);
  l.generation = generation_;
  asio::co_spawn(io_, accept_loop(l.acceptor, generation_, at), [this](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log_.error(std::string("accept loop ended: ") + ex.what());
    }
  });
  return bound;
}

void Server::close(const tcp::endpoint& at) {
  const auto it = listeners_.find(at);
  if (it == listeners_.end()) return;
  boost::system::error_code ec;
  it->second.acceptor->close(ec);
  listeners_.erase(it);
}

void Server::refuse_for(std::chrono::milliseconds d) {
  std::vector<tcp::endpoint> eps;
  for (auto& [ep, l] : listeners_) {
    boost::system::error_code ec;
    l.acceptor->close(ec);
    eps.push_back(ep);
  }
  ++generation_;  // open connections close before their next request
  log_.warn("fault: refusing site connections for " + std::to_string(d.count()) + " ms");
  reopen_.expires_after(d);
  reopen_.async_wait([this, eps](boost::system::error_code ec) {
    if (ec) return;
    for (const auto& ep : eps) {
      listeners_.erase(ep);
      try {
        listen(ep);
      } catch (const std::exception& e) {
        log_.error(e.what());
      }
    }
    log_.info("site connections accepted again");
  });
}

asio::awaitable<void> Server::accept_loop(std::shared_ptr<tcp::acceptor> acceptor,
                                          std::uint64_t generation, tcp::endpoint) {
  for (;;) {
    auto [ec, socket] = co_await acceptor->async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
    if (ec) continue;
    if (generation != generation_) co_return;
    if (connections_ >= limits_.max_connections) {
      // Closed before the TLS handshake costs anything; said once per 1000.
      if (refused_connections_++ % 1000 == 0)
        log_.warn("connection cap of " + std::to_string(limits_.max_connections) +
                  " reached: closing new connections at once (" +
                  std::to_string(refused_connections_) + " so far)");
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    asio::co_spawn(io_, serve(std::move(socket), generation_, acceptor), asio::detached);
  }
}

asio::awaitable<void> Server::serve(tcp::socket socket, std::uint64_t generation,
                                    std::shared_ptr<tcp::acceptor> listener) {
  {
    const Held connection(connections_);
    co_await session(std::move(socket), generation, std::move(listener));
  }
  // The last connection gone: what TLS sessions and buffers held goes back
  // to the system (glibc keeps freed pages otherwise; issue 16: ~80 kB per
  // idle connection stayed after they closed). A second later and once: a
  // site probed at 1 kHz drops to no connection a thousand times a second,
  // and a trim each time stalled the loop until SYNs were lost.
  if (connections_ == 0 && !trim_pending_) {
    trim_pending_ = true;
    trim_.expires_after(1s);
    trim_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;  // cancelled: the server is going away
      trim_pending_ = false;
      if (connections_ == 0) ::malloc_trim(0);
    });
  }
}

asio::awaitable<void> Server::session(tcp::socket socket, std::uint64_t generation,
                                      std::shared_ptr<tcp::acceptor> listener) {
  socket.set_option(tcp::no_delay(true));
  std::string remote;
  {
    boost::system::error_code ec;
    const auto ep = socket.remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
  }
  beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), tls_);
  beast::get_lowest_layer(stream).expires_after(limits_.idle_timeout);
  auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::server,
                                               asio::as_tuple(asio::use_awaitable));
  if (hec) co_return;
  beast::flat_buffer buffer;
  bool held_large = false;
  for (;;) {
    std::optional<Response> res;
    beast::get_lowest_layer(stream).expires_after(limits_.idle_timeout);
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits_.header_limit));
    parser.body_limit(boost::none);  // the admission sets it; the header alone is bounded
    auto [rec, rn] = co_await http::async_read_header(stream, buffer, parser,
                                                      asio::as_tuple(asio::use_awaitable));
    if (rec == http::error::header_limit) {
      res = refusal(http::status::request_header_fields_too_large,
                    "the request's header is larger than " + std::to_string(limits_.header_limit) +
                        " bytes\n");
    } else if (rec && rec != http::error::end_of_stream &&
               rec.category() == http::make_error_code(http::error::bad_method).category()) {
      res = refusal(http::status::bad_request, "malformed HTTP request: " + rec.message() + "\n");
    } else if (rec) {
      break;  // closed or timed out: nobody to answer
    }
    if (!res) {
      if (generation != generation_) break;  // a refuse-site fault started meanwhile
      if (!listener->is_open()) break;       // its address was given up (shared IP disabled)
      auto admission = admit_ ? admit_(parser.get(), remote) : Admission{};
      const auto length = parser.content_length();
      if (admission.refuse) {
        res = std::move(admission.refuse);
        res->keep_alive(false);  // its body, if any, is never read
      } else if (length && *length > admission.body_limit) {
        res = refusal(http::status::payload_too_large,
                      "the body of " + std::to_string(*length) + " bytes is larger than " +
                          std::to_string(admission.body_limit) + " bytes, this route's limit\n");
      }
      std::optional<Held> large;
      if (!res && admission.body_limit > kSmallBody && (!length || *length > kSmallBody)) {
        if (large_bodies_ >= limits_.max_large_bodies)
          res = refusal(http::status::service_unavailable,
                        "busy: " + std::to_string(large_bodies_) +
                            " large bodies are being received; try again\n");
        else
          large.emplace(large_bodies_), held_large = true;
      }
      if (!res && !parser.is_done()) {
        parser.body_limit(admission.body_limit);
        beast::get_lowest_layer(stream).expires_after(limits_.body_timeout);
        auto [bec, bn] =
            co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
        if (bec == http::error::body_limit)
          res = refusal(http::status::payload_too_large, "the body is larger than " +
                                                             std::to_string(admission.body_limit) +
                                                             " bytes, this route's limit\n");
        else if (bec)
          break;
      }
      if (!res) {
        if (generation != generation_ || !listener->is_open()) break;
        res = handler_(parser.get(), remote);
        if (!res) break;  // close without an answer
      }
    }
    const bool keep = res->keep_alive();
    beast::get_lowest_layer(stream).expires_after(30s);
    auto [wec, wn] = co_await http::async_write(stream, *res, asio::as_tuple(asio::use_awaitable));
    if (wec || !keep) break;
  }
  beast::get_lowest_layer(stream).expires_after(2s);
  co_await stream.async_shutdown(asio::as_tuple(asio::use_awaitable));
  // A large body's pages go back to the system, not only to malloc's free lists.
  if (held_large && connections_ > 1) ::malloc_trim(0);
}

}  // namespace failover_hil::sim::service
