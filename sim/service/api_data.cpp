// The product's reporting API (/api/reporting) and backup API (/api/backup).
#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <set>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/sim/model/backup.hpp"
#include "service.hpp"
#include "xml.hpp"

namespace failover_hil::sim::service {

namespace json = boost::json;

namespace {

std::optional<long long> number(const std::string& s) {
  long long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

std::string hms(Duration d) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                static_cast<long long>((s / 60) % 60), static_cast<long long>(s % 60));
  return buf;
}

}  // namespace

Response Service::reporting(const Call& c, const Account& a) {
  const auto& ns = config_.reporting_namespace;
  if (!a.reporting)
    return xml_error(ns, "The API account does not have permission to run reports.");
  const auto report = c.param("generate_report");
  if (report != "SupportSessionListing" && report != "SupportSession")
    return xml_error(ns, "Unknown report '" + report + "'.");

  std::vector<const SessionRecord*> rows;
  const auto& sessions = app_->store().sessions;
  if (report == "SupportSession" && (c.opt_param("lsid") || c.opt_param("lsids"))) {
    std::set<std::string> wanted;
    std::string list = c.opt_param("lsid") ? c.param("lsid") : c.param("lsids");
    for (std::size_t at = 0; at <= list.size();) {
      const auto comma = std::min(list.find(',', at), list.size());
      if (comma > at) wanted.insert(list.substr(at, comma - at));
      at = comma + 1;
    }
    for (const auto& l : wanted)
      if (auto it = sessions.find(l); it != sessions.end()) rows.push_back(&it->second);
  } else {
    const auto start = number(c.param("start_time"));
    const auto duration =
        c.opt_param("duration") ? number(c.param("duration")) : std::optional<long long>(0);
    if (!start || !duration)
      return xml_error(ns, "start_time and duration must be non-negative UNIX seconds.");
    for (const auto& [_, r] : sessions) {
      const auto t = unix_seconds(r.start);
      if (t >= *start && (*duration == 0 || t < *start + *duration)) rows.push_back(&r);
    }
  }
  // No results is the list element without children, not an error (the
  // SupportSessionListing and SupportSession pages).
  if (report == "SupportSessionListing") {
    XmlDoc d("session_summary_list", ns);
    for (const auto* r : rows) {
      auto n = d.root().append_child("session_summary");
      n.append_attribute("lsid") = r->lsid.c_str();
      n.append_attribute("has_recording") = app_->store().recordings.contains(r->lsid) ? "1" : "0";
    }
    return d.response();
  }
  // lseq: the session's place in the site's sequence (by start time), the
  // same on both appliances once synced.
  std::vector<const SessionRecord*> by_start;
  for (const auto& [_, r] : sessions) by_start.push_back(&r);
  std::ranges::stable_sort(by_start, {}, &SessionRecord::start);
  XmlDoc d("session_list", ns);
  for (const auto* r : rows) {
    auto s = d.root().append_child("session");
    s.append_attribute("lsid") = r->lsid.c_str();
    XmlDoc::leaf(s, "session_type", "support");
    const auto seq = std::ranges::find(by_start, r) - by_start.begin() + 1;
    XmlDoc::leaf(s, "lseq", std::to_string(seq));
    XmlDoc::leaf(s, "start_time", format_rfc3339(r->start)).append_attribute("timestamp") =
        unix_seconds(r->start);
    auto end = s.append_child("end_time");
    if (r->end) {
      end.text().set(format_rfc3339(*r->end).c_str());
      end.append_attribute("timestamp") = unix_seconds(*r->end);
    }
    XmlDoc::leaf(s, "duration", r->end ? hms(*r->end - r->start) : "");
    XmlDoc::leaf(s, "public_site", "Default").append_attribute("id") = 1;
    s.append_child("external_key");
    // The Jump Client stands for the customer, the console for the rep.
    auto customer = XmlDoc::leaf(s, "primary_customer", r->jump_client);
    customer.append_attribute("gsnumber") = 2;
    auto rep = XmlDoc::leaf(s, "primary_rep", r->console);
    rep.append_attribute("gsnumber") = 1;
    rep.append_attribute("id") = 1;
    auto cust = s.append_child("customer_list").append_child("customer");
    cust.append_attribute("gsnumber") = 2;
    XmlDoc::leaf(cust, "username", r->jump_client);
    auto p = s.append_child("rep_list").append_child("representative");
    p.append_attribute("gsnumber") = 1;
    p.append_attribute("id") = 1;
    XmlDoc::leaf(p, "username", r->console);
    XmlDoc::leaf(p, "primary", "1");
    auto details = s.append_child("session_details");
    auto event = [&](TimePoint at, const char* type, const std::string& body) {
      auto e = details.append_child("event");
      e.append_attribute("timestamp") = unix_seconds(at);
      e.append_attribute("event_type") = type;
      XmlDoc::leaf(e, "performed_by", r->recorded_by).append_attribute("type") = "system";
      if (!body.empty()) XmlDoc::leaf(e, "body", body);
    };
    event(r->start, "Session Start", {});
    // A session ended by an install or a restart (R04) says so in its end event.
    if (r->end)
      event(*r->end, "Session End",
            r->terminated ? "terminated: the appliance restarted or installed" : "");
  }
  return d.response();
}

Response Service::backup(const Call& c, const Account& a) {
  if (!a.backup)
    return json_error(http::status::forbidden, "access_denied",
                      "the API account has no backup permission");
  if (c.req.method() != http::verb::get && c.req.method() != http::verb::post)
    return json_error(http::status::method_not_allowed, "invalid_request",
                      "GET or POST /api/backup");
  Response err;
  const auto body = json_body(c.req, err);
  if (!body) return err;
  std::optional<BackupSecret> secret;
  if (const auto* o = body->if_object(); o && o->contains("password")) {
    const auto& pw = o->at("password");
    if (!pw.is_string())
      return json_error(http::status::bad_request, "bad_request", "password must be a string");
    secret = BackupSecret::password(std::string(pw.get_string()));
  } else {
    // No password: the product's file is opaque and only an appliance reads it.
    const auto d = crypto::sha256(crypto::as_bytes("nsb-default|" + app_->identity().guid));
    secret = BackupSecret::key({d.begin(), d.end()});
  }
  const auto file = app_->export_backup(*secret);
  Response r{http::status::ok, 11};
  r.set(http::field::content_type, "application/octet-stream");
  r.set(http::field::content_disposition, "attachment; filename=\"" + app_->name() + ".nsb\"");
  r.set("X-Backup-SHA256", file.sha256_hex);
  r.body().assign(file.bytes.begin(), file.bytes.end());
  return r;
}

}  // namespace failover_hil::sim::service
