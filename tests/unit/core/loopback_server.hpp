#pragma once
// Test servers on 127.0.0.1 (port 0) that misbehave on purpose, and a way to
// run a client call that fails the test instead of hanging it.

#include <stdlib.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "failover_hil/core/tls_identity.hpp"

namespace failover_hil::test {

/// A directory under the system's temp dir, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "fhil-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// A self-signed identity for 127.0.0.1 and localhost in a temp dir.
struct TestIdentity {
  TempDir dir;
  TlsIdentity identity = generate_self_signed(dir.path(), "appliance.test",
                                              {"127.0.0.1", "localhost", "appliance.test"});
  std::string fingerprint = certificate_fingerprint(identity.cert_file);
};

/// A server on 127.0.0.1:0 running on its own thread.
class LoopbackServer {
  using tcp = boost::asio::ip::tcp;

 public:
  enum class Mode {
    silent,      ///< accepts TCP, never reads or writes
    tls_silent,  ///< finishes the TLS handshake, reads the request, never answers
    tls_answer,  ///< finishes the TLS handshake, reads the request, writes `answer(target)`
  };
  /// Raw HTTP/1.1 response bytes for a request target; nullopt: never answer it.
  using Answer = std::function<std::optional<std::string>(const std::string& target)>;

  explicit LoopbackServer(Mode mode, const TlsIdentity* identity = nullptr, Answer answer = {})
      : mode_(mode), answer_(std::move(answer)) {
    if (identity) {
      tls_.use_certificate_chain_file(identity->cert_file.string());
      tls_.use_private_key_file(identity->key_file.string(), boost::asio::ssl::context::pem);
    }
    acceptor_.open(tcp::v4());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    boost::asio::co_spawn(io_, accept_loop(), boost::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~LoopbackServer() {
    io_.stop();
    thread_.join();
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  std::uint16_t port() const { return port_; }
  /// Connections accepted so far.
  int accepted() const { return accepted_; }

 private:
  boost::asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] =
          co_await acceptor_.async_accept(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec) co_return;
      ++accepted_;
      if (mode_ == Mode::silent) {
        held_.push_back(std::move(socket));  // open, and never a byte
        continue;
      }
      boost::asio::co_spawn(io_, session(std::move(socket)), boost::asio::detached);
    }
  }

  boost::asio::awaitable<void> session(tcp::socket socket) {
    namespace http = boost::beast::http;
    constexpr auto as_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
    boost::asio::ssl::stream<tcp::socket> stream(std::move(socket), tls_);
    auto [hec] = co_await stream.async_handshake(boost::asio::ssl::stream_base::server, as_tuple);
    if (hec) co_return;
    boost::beast::flat_buffer buf;
    http::request<http::string_body> req;
    auto [rec, rn] = co_await http::async_read(stream, buf, req, as_tuple);
    if (rec) co_return;
    const auto bytes =
        mode_ == Mode::tls_silent ? std::nullopt : answer_(std::string(req.target()));
    if (!bytes) {
      // Wait for the client to give up; answer nothing.
      char byte;
      co_await stream.async_read_some(boost::asio::buffer(&byte, 1), as_tuple);
      co_return;
    }
    co_await boost::asio::async_write(stream, boost::asio::buffer(*bytes), as_tuple);
    co_await stream.async_shutdown(as_tuple);
  }

  Mode mode_;
  Answer answer_;
  boost::asio::ssl::context tls_{boost::asio::ssl::context::tls_server};
  boost::asio::io_context io_{1};
  tcp::acceptor acceptor_{io_};
  std::vector<tcp::socket> held_;
  std::uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

/// A raw HTTP/1.1 response.
inline std::string http_answer(int status, const std::string& reason,
                               const std::string& content_type, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: " + content_type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         body;
}

/// How a bounded call ended.
struct Bounded {
  bool finished = false;  ///< false: still running at the bound (it hangs)
  bool threw = false;
  std::string message;  ///< what() of the exception
};

/// Runs `call` on its own thread and waits at most `bound`, so a call that
/// hangs fails the test instead of blocking it. A call that finished is
/// joined (its thread's OpenSSL state is freed before the test ends); one
/// that hangs is left detached. `call` must own what it uses (shared_ptrs,
/// copies): it may outlive the test.
template <class Exception, class F>
Bounded run_bounded(std::chrono::milliseconds bound, F call) {
  auto done = std::make_shared<std::promise<Bounded>>();
  auto result = done->get_future();
  std::thread worker([done, call = std::move(call)]() mutable {
    Bounded b{true, false, {}};
    try {
      call();
    } catch (const Exception& e) {
      b.threw = true;
      b.message = e.what();
    } catch (const std::exception& e) {
      b.message = std::string("unexpected exception: ") + e.what();
    }
    done->set_value(b);
  });
  if (result.wait_for(bound) != std::future_status::ready) {
    worker.detach();
    return {};
  }
  worker.join();
  return result.get();
}

}  // namespace failover_hil::test
