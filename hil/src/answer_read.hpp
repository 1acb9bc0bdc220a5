#pragma once
// Reading an appliance's HTTP answers through checks: every error names the
// appliance, the operation, what was expected and what came instead (the
// HTTP status, the content type, the start of the body), so a proxy's error
// page or a truncated answer is recognisable in a report instead of
// surfacing as "out of range".

#include <boost/json.hpp>
#include <cctype>
#include <cstdint>
#include <memory>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "failover_hil/core/https_client.hpp"
#include "failover_hil/hil/appliance_driver.hpp"
#include "xml_read.hpp"

namespace failover_hil::hil::answer {

/// The first `limit` printable characters of `body`: each run of whitespace
/// or control bytes becomes one space, other non-ASCII bytes '?'.
inline std::string preview(std::string_view body, std::size_t limit = 80) {
  std::string out;
  bool space = false;
  std::size_t i = 0;
  for (; i < body.size() && out.size() < limit; ++i) {
    const auto c = static_cast<unsigned char>(body[i]);
    if (std::isspace(c) || c < 0x20 || c == 0x7f) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c < 0x80 ? static_cast<char>(c) : '?');
  }
  if (i < body.size()) out += "...";
  return out;
}

/// Whether an answer is a web page (a proxy's or a login page) rather than an API answer.
inline bool is_html(const HttpResponse& r) {
  std::string type = r.header("content-type");
  std::string start = preview(r.body, 16);
  for (auto* s : {&type, &start})
    for (auto& c : *s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type.starts_with("text/html") || start.starts_with("<!doctype html") ||
         start.starts_with("<html");
}

/// What came: "HTTP 502, text/html, an HTML page: '<html><body>Bad Gateway</body></html>'".
inline std::string describe(const HttpResponse& r) {
  const auto type = r.header("content-type");
  std::string out = "HTTP " + std::to_string(r.status) + ", " +
                    (type.empty() ? std::string("no content type") : type);
  if (r.body.empty()) return out + ", an empty body";
  return out + (is_html(r) ? ", an HTML page: '" : ": '") + preview(r.body) + "'";
}

/// Whose answer it is, for errors: how HttpDriver names the appliance
/// ("appA (10.1.0.10:443)") and the operation ("status (check_health)").
struct Origin {
  std::string appliance;
  std::string operation;
};

/// Throws HarnessError: "<appliance>: <operation> failed: expected <expected>, got <describe(r)>".
[[noreturn]] inline void unexpected(const Origin& o, std::string_view expected,
                                    const HttpResponse& r) {
  throw HarnessError(o.appliance + ": " + o.operation + " failed: expected " +
                     std::string(expected) + ", got " + describe(r));
}

/// The answer as XML whose root element is <`root`>, or <error>, which the
/// product sends with any status: the caller reads it with xml::error_of.
/// `expected` says what and from where ("XML <health_check> from the command
/// API"). Anything else, or a non-2xx status without <error>, is unexpected().
inline pugi::xml_document xml(const Origin& o, const HttpResponse& r, std::string_view root,
                              std::string_view expected) {
  pugi::xml_document doc;
  if (is_html(r) || !doc.load_buffer(r.body.data(), r.body.size())) unexpected(o, expected, r);
  const auto name = xml::local_name(xml::root(doc));
  if (name == "error") return doc;
  if (name != root || r.status / 100 != 2) unexpected(o, expected, r);
  return doc;
}

/// A JSON object of an answer, read field by field. A missing field or one
/// of another type is unexpected(), naming the field's path.
class Json {
 public:
  /// The answer as a JSON object; needs a 2xx status. `expected` says what
  /// and from where ("JSON status from the simulator API").
  static Json parse(const Origin& o, const HttpResponse& r, std::string expected) {
    auto s = std::make_shared<Shared>(Shared{o, std::move(expected), r, {}});
    boost::system::error_code ec;
    if (r.status / 100 == 2 && !is_html(r)) s->doc = boost::json::parse(r.body, ec);
    if (r.status / 100 != 2 || is_html(r) || ec || !s->doc.is_object())
      unexpected(o, s->expected, r);
    const auto* root = &s->doc.get_object();
    return Json(std::move(s), root, "");
  }

  /// A string field; a missing one is an error.
  std::string str(std::string_view key) const {
    const auto* v = find(key);
    if (!v || !v->is_string()) bad(key, "a string");
    return std::string(v->get_string());
  }
  /// A string field that may be missing or null ("").
  std::string opt_str(std::string_view key) const {
    const auto* v = find(key);
    if (!v || v->is_null()) return {};
    if (!v->is_string()) bad(key, "a string");
    return std::string(v->get_string());
  }
  bool boolean(std::string_view key) const {
    const auto* v = find(key);
    if (!v || !v->is_bool()) bad(key, "true or false");
    return v->get_bool();
  }
  /// An integer that may be missing or null.
  std::optional<std::int64_t> opt_int(std::string_view key) const {
    const auto* v = find(key);
    if (!v || v->is_null()) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= INT64_MAX)
      return static_cast<std::int64_t>(v->get_uint64());
    bad(key, "an integer");
  }
  double number(std::string_view key) const {
    const auto* v = find(key);
    if (!v || !v->is_number()) bad(key, "a number");
    return v->to_number<double>();
  }
  Json object(std::string_view key) const {
    const auto* v = find(key);
    if (!v || !v->is_object()) bad(key, "an object");
    return Json(s_, &v->get_object(), path(key));
  }
  /// An object that may be missing or null.
  std::optional<Json> opt_object(std::string_view key) const {
    const auto* v = find(key);
    if (!v || v->is_null()) return std::nullopt;
    return object(key);
  }
  /// An array of objects.
  std::vector<Json> objects(std::string_view key) const {
    std::vector<Json> out;
    const auto& a = array(key, "an array of objects");
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!a[i].is_object()) bad(key, "an array of objects");
      out.push_back(Json(s_, &a[i].get_object(), path(key) + "[" + std::to_string(i) + "]"));
    }
    return out;
  }
  /// An array of strings.
  std::vector<std::string> strings(std::string_view key) const {
    std::vector<std::string> out;
    for (const auto& e : array(key, "an array of strings")) {
      if (!e.is_string()) bad(key, "an array of strings");
      out.emplace_back(e.get_string());
    }
    return out;
  }

 private:
  struct Shared {
    Origin origin;
    std::string expected;
    HttpResponse response;
    boost::json::value doc;
  };
  Json(std::shared_ptr<const Shared> s, const boost::json::object* o, std::string path)
      : s_(std::move(s)), obj_(o), path_(std::move(path)) {}

  const boost::json::value* find(std::string_view key) const { return obj_->if_contains(key); }
  std::string path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  const boost::json::array& array(std::string_view key, std::string_view what) const {
    const auto* v = find(key);
    if (!v || !v->is_array()) bad(key, what);
    return v->get_array();
  }
  [[noreturn]] void bad(std::string_view key, std::string_view what) const {
    unexpected(s_->origin, s_->expected + " with '" + path(key) + "' " + std::string(what),
               s_->response);
  }

  std::shared_ptr<const Shared> s_;
  const boost::json::object* obj_;
  std::string path_;
};

}  // namespace failover_hil::hil::answer
