#include "http_types.hpp"

namespace failover_hil::sim::service {

std::string Call::param(const std::string& k) const {
  const auto it = params.find(k);
  return it == params.end() ? std::string{} : it->second;
}

std::optional<std::string> Call::opt_param(const std::string& k) const {
  const auto it = params.find(k);
  if (it == params.end()) return std::nullopt;
  return it->second;
}

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string quoted_short(std::string_view s) {
  constexpr std::size_t kShown = 60;
  if (s.size() <= kShown) return "'" + std::string(s) + "'";
  return "'" + std::string(s.substr(0, kShown)) + "...' (" + std::to_string(s.size()) +
         " characters)";
}

std::map<std::string, std::string> parse_form(std::string_view s) {
  std::map<std::string, std::string> out;
  while (!s.empty()) {
    const auto amp = s.find('&');
    const auto part = s.substr(0, amp);
    const auto eq = part.find('=');
    if (!part.empty())
      out[url_decode(part.substr(0, eq))] =
          eq == std::string_view::npos ? std::string{} : url_decode(part.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    s.remove_prefix(amp + 1);
  }
  return out;
}

Call make_call(const Request& req, std::string remote) {
  const std::string_view target = req.target();
  const auto q = target.find('?');
  Call c{req, url_decode(target.substr(0, q)), {}, std::move(remote)};
  if (q != std::string_view::npos) c.params = parse_form(target.substr(q + 1));
  const auto ct = req[http::field::content_type];
  if (ct.starts_with("application/x-www-form-urlencoded"))
    for (auto& [k, v] : parse_form(req.body())) c.params.insert_or_assign(k, v);
  return c;
}

Response text(http::status s, std::string body) {
  Response r{s, 11};
  r.set(http::field::content_type, "text/plain; charset=UTF-8");
  r.body() = std::move(body);
  return r;
}

Response json_response(http::status s, const boost::json::value& v) {
  Response r{s, 11};
  r.set(http::field::content_type, "application/json");
  r.body() = boost::json::serialize(v);
  return r;
}

Response xml_response(std::string body) {
  Response r{http::status::ok, 11};
  r.set(http::field::content_type, "text/xml; charset=UTF-8");
  r.body() = std::move(body);
  return r;
}

Response json_error(http::status s, std::string_view code, std::string_view message) {
  return json_response(s, boost::json::object{{"error", code}, {"message", message}});
}

std::optional<boost::json::value> json_body(const Request& req, Response& error) {
  boost::system::error_code ec;
  auto v = boost::json::parse(
      req.body().empty() ? std::string_view("{}") : std::string_view(req.body()), ec);
  if (ec) {
    error = json_error(http::status::bad_request, "bad_request",
                       "the body is not JSON: " + ec.message());
    return std::nullopt;
  }
  return v;
}

}  // namespace failover_hil::sim::service
