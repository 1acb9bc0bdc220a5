#pragma once
// HTTP types and helpers shared by bseries-sim's handlers.

#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace failover_hil::sim::service {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

/// A request as the handlers see it: path, decoded query and form fields.
struct Call {
  const Request& req;
  std::string path;
  std::map<std::string, std::string> params;  ///< query string, then form body
  std::string remote;                         ///< client address
  std::string param(const std::string& k) const;
  std::optional<std::string> opt_param(const std::string& k) const;
};

Call make_call(const Request& req, std::string remote);

std::string url_decode(std::string_view s);
/// `s` in single quotes for a log line or message, cut after 60 characters.
std::string quoted_short(std::string_view s);
std::map<std::string, std::string> parse_form(std::string_view s);

Response text(http::status s, std::string body);
Response json_response(http::status s, const boost::json::value& v);
Response xml_response(std::string body);
/// A JSON error with a message a person can act on: {"error": code, "message": ...}.
Response json_error(http::status s, std::string_view code, std::string_view message);

/// Parses a JSON request body; nullopt and a 400 response otherwise.
std::optional<boost::json::value> json_body(const Request& req, Response& error);

}  // namespace failover_hil::sim::service
