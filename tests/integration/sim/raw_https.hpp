#pragma once
// Raw bytes to a bseries-sim over TLS (no certificate check: loopback
// tests), for requests no well-behaved client sends: a header without its
// body, an oversize header, a malformed credential.

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <string>

namespace failover_hil::testing {

/// Sends `bytes` and returns what the server answered until it closed (or
/// `wait` passed: then whatever had arrived, possibly nothing).
inline std::string raw_exchange(const std::string& ip, std::uint16_t port, const std::string& bytes,
                                std::chrono::milliseconds wait = std::chrono::seconds(5)) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.set_verify_mode(asio::ssl::verify_none);
  asio::ssl::stream<asio::ip::tcp::socket> s(io, ctx);
  s.next_layer().connect({asio::ip::make_address(ip), port});
  s.handshake(asio::ssl::stream_base::client);
  boost::system::error_code ec;
  asio::write(s, asio::buffer(bytes), ec);
  std::string out;
  std::array<char, 4096> buf;
  std::function<void()> read_more = [&] {
    s.async_read_some(asio::buffer(buf), [&](boost::system::error_code rec, std::size_t n) {
      out.append(buf.data(), n);
      if (!rec) read_more();
    });
  };
  read_more();
  io.run_for(wait);
  return out;
}

/// "HTTP/1.1 413" -> 413; 0 when nothing came back.
inline int status_of(const std::string& response) {
  if (response.size() < 12 || !response.starts_with("HTTP/1.1 ")) return 0;
  return std::stoi(response.substr(9, 3));
}

/// The body after the header.
inline std::string body_of(const std::string& response) {
  const auto at = response.find("\r\n\r\n");
  return at == std::string::npos ? std::string{} : response.substr(at + 4);
}

/// A bearer token of the simulators' harness account (SimPair's accounts.yaml).
inline std::string harness_token(const std::string& ip, std::uint16_t port) {
  const std::string form =
      "grant_type=client_credentials&client_id=harness&client_secret=harness%2Bsecret%2F1%3D";
  const auto res = raw_exchange(ip, port,
                                "POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                "application/x-www-form-urlencoded\r\nContent-Length: " +
                                    std::to_string(form.size()) + "\r\n\r\n" + form);
  return std::string(boost::json::parse(body_of(res)).at("access_token").as_string());
}

}  // namespace failover_hil::testing
