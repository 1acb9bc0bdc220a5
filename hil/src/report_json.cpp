#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <limits>

#include "failover_hil/hil/appliance_driver.hpp"
#include "failover_hil/hil/report.hpp"
#include "json_text.hpp"
#include "report_text.hpp"

namespace failover_hil::hil {

namespace json = boost::json;

namespace {

// ---- writing ----

// Each timestamp twice: exact for programs, readable for people.
void put_time(json::object& o, std::string_view key, std::int64_t ns) {
  o[std::string(key) + "_ns"] = ns;
  o[key] = report_text::rfc3339_utc(ns);
}

// JSON has no NaN or infinity; they are written as null.
json::value number_json(double v) {
  return std::isfinite(v) ? json::value(v) : json::value(nullptr);
}

json::array strings_json(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::object step_json(const StepRecord& s) {
  json::object o;
  o["name"] = s.name;
  o["status"] = s.status;
  put_time(o, "start", s.start_ns);
  put_time(o, "end", s.end_ns);
  o["duration_ns"] = s.end_ns - s.start_ns;
  o["message"] = s.message;
  o["rules"] = strings_json(s.rules);
  return o;
}

json::object measurement_json(const Measurement& m) {
  json::object o;
  o["name"] = m.name;
  o["value"] = number_json(m.value);
  o["unit"] = m.unit;
  o["limit"] = m.limit ? number_json(*m.limit) : json::value(nullptr);
  o["op"] = m.op;
  o["pass"] = m.pass;
  o["waived"] = m.waived;
  o["detail"] = m.detail;
  return o;
}

json::object check_json(const CheckRecord& c) {
  json::object o;
  o["name"] = c.name;
  o["rules"] = strings_json(c.rules);
  o["pass"] = c.pass;
  o["waived"] = c.waived;
  o["detail"] = c.detail;
  return o;
}

json::object sample_json(const ApplianceSample& s) {
  json::object o;
  put_time(o, "t", s.t_ns);
  o["appliance"] = s.appliance;
  o["role"] = s.role;
  o["version"] = s.version;
  o["state"] = s.state;
  o["shared_ip"] = s.shared_ip;
  return o;
}

json::object outage_json(const OutageMark& m) {
  json::object o;
  put_time(o, "start", m.start_ns);
  put_time(o, "end", m.end_ns);
  o["length_ns"] = m.length_ns;
  o["method"] = m.method;
  o["step"] = m.step;
  o["before"] = m.before;
  o["after"] = m.after;
  o["expected"] = m.expected;
  o["open_end"] = m.open_end;
  return o;
}

json::object client_json(const ClientLane& c) {
  json::object o;
  o["client"] = c.client;
  o["probes"] = c.probes;
  o["availability"] = number_json(c.availability);
  json::array intervals;
  for (const auto& i : c.intervals) {
    json::object x;
    x["up"] = i.up;
    put_time(x, "start", i.start_ns);
    put_time(x, "end", i.end_ns);
    intervals.push_back(std::move(x));
  }
  o["intervals"] = std::move(intervals);
  json::array outages;
  for (const auto& m : c.outages) outages.push_back(outage_json(m));
  o["outages"] = std::move(outages);
  return o;
}

json::object event_json(const TimelineEvent& e) {
  json::object o;
  put_time(o, "t", e.t_ns);
  o["type"] = to_string(e.type);
  o["step"] = e.step;
  o["actor"] = e.actor;
  o["op"] = e.op;
  o["detail"] = e.detail;
  json::object data;
  for (const auto& [k, v] : e.data) data[k] = v;
  o["data"] = std::move(data);
  return o;
}

template <class T, class F>
json::array array_of(const std::vector<T>& v, F f) {
  json::array a;
  for (const auto& x : v) a.push_back(f(x));
  return a;
}

// ---- reading ----

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw HarnessError("report.json: " + (path.empty() ? std::string() : path + ": ") + what);
}

// An object being read, with where it sits in the document for errors.
class Fields {
 public:
  Fields(const json::value& v, std::string path) : path_(std::move(path)) {
    if (!v.is_object()) bad(path_, "expected an object");
    object_ = &v.get_object();
  }

  std::string at_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  const json::value& at(std::string_view key) const {
    if (const auto* v = object_->if_contains(key)) return *v;
    bad(at_path(key), "missing");
  }

  std::string str(std::string_view key) const {
    const auto& v = at(key);
    if (!v.is_string()) bad(at_path(key), "expected a string");
    return std::string(v.get_string());
  }

  std::int64_t i64(std::string_view key) const {
    const auto& v = at(key);
    if (v.is_int64()) return v.get_int64();
    if (v.is_uint64() && v.get_uint64() <= std::numeric_limits<std::int64_t>::max())
      return static_cast<std::int64_t>(v.get_uint64());
    bad(at_path(key), "expected an integer");
  }

  std::uint64_t u64(std::string_view key) const {
    const auto& v = at(key);
    if (v.is_uint64()) return v.get_uint64();
    if (v.is_int64() && v.get_int64() >= 0) return static_cast<std::uint64_t>(v.get_int64());
    bad(at_path(key), "expected a non-negative integer");
  }

  /// null (how non-finite numbers are written) reads as NaN.
  double num(std::string_view key) const {
    const auto& v = at(key);
    if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
    if (v.is_number()) return v.to_number<double>();
    bad(at_path(key), "expected a number");
  }

  std::optional<double> optional_num(std::string_view key) const {
    if (at(key).is_null()) return std::nullopt;
    return num(key);
  }

  bool boolean(std::string_view key) const {
    const auto& v = at(key);
    if (!v.is_bool()) bad(at_path(key), "expected true or false");
    return v.get_bool();
  }

  /// A key added after reports were first written: absent reads as `fallback`.
  bool boolean_or(std::string_view key, bool fallback) const {
    return object_->contains(key) ? boolean(key) : fallback;
  }

  std::vector<std::string> strings(std::string_view key) const {
    std::vector<std::string> out;
    const auto& a = array(key);
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!a[i].is_string()) bad(item_path(key, i), "expected a string");
      out.emplace_back(a[i].get_string());
    }
    return out;
  }

  const json::array& array(std::string_view key) const {
    const auto& v = at(key);
    if (!v.is_array()) bad(at_path(key), "expected an array");
    return v.get_array();
  }

  Fields object(std::string_view key) const { return Fields(at(key), at_path(key)); }

  /// Reads every element of the array `key` with `read(Fields)`.
  template <class T, class F>
  std::vector<T> each(std::string_view key, F read) const {
    std::vector<T> out;
    const auto& a = array(key);
    out.reserve(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) out.push_back(read(Fields(a[i], item_path(key, i))));
    return out;
  }

  const json::object& raw() const { return *object_; }
  const std::string& path() const { return path_; }

 private:
  std::string item_path(std::string_view key, std::size_t i) const {
    return at_path(key) + "[" + std::to_string(i) + "]";
  }

  const json::object* object_ = nullptr;
  std::string path_;
};

StepRecord read_step(const Fields& f) {
  StepRecord s;
  s.name = f.str("name");
  s.status = f.str("status");
  s.start_ns = f.i64("start_ns");
  s.end_ns = f.i64("end_ns");
  s.message = f.str("message");
  s.rules = f.strings("rules");
  return s;
}

Measurement read_measurement(const Fields& f) {
  Measurement m;
  m.name = f.str("name");
  m.value = f.num("value");
  m.unit = f.str("unit");
  m.limit = f.optional_num("limit");
  m.op = f.str("op");
  m.pass = f.boolean("pass");
  m.waived = f.boolean_or("waived", false);
  m.detail = f.str("detail");
  return m;
}

CheckRecord read_check(const Fields& f) {
  CheckRecord c;
  c.name = f.str("name");
  c.rules = f.strings("rules");
  c.pass = f.boolean("pass");
  c.waived = f.boolean_or("waived", false);
  c.detail = f.str("detail");
  return c;
}

ApplianceSample read_sample(const Fields& f) {
  ApplianceSample s;
  s.t_ns = f.i64("t_ns");
  s.appliance = f.str("appliance");
  s.role = f.str("role");
  s.version = f.str("version");
  s.state = f.str("state");
  s.shared_ip = f.boolean("shared_ip");
  return s;
}

OutageMark read_outage(const Fields& f) {
  OutageMark m;
  m.start_ns = f.i64("start_ns");
  m.end_ns = f.i64("end_ns");
  m.length_ns = f.i64("length_ns");
  m.method = f.str("method");
  m.step = f.str("step");
  m.before = f.str("before");
  m.after = f.str("after");
  m.expected = f.boolean("expected");
  m.open_end = f.boolean("open_end");
  return m;
}

ClientLane read_client(const Fields& f) {
  ClientLane c;
  c.client = f.str("client");
  c.probes = f.u64("probes");
  c.availability = f.num("availability");
  c.intervals = f.each<ClientLane::Interval>("intervals", [](const Fields& x) {
    return ClientLane::Interval{x.boolean("up"), x.i64("start_ns"), x.i64("end_ns")};
  });
  c.outages = f.each<OutageMark>("outages", read_outage);
  return c;
}

TimelineEvent read_event(const Fields& f) {
  TimelineEvent e;
  e.t_ns = f.i64("t_ns");
  e.type = parse_event_type(f.str("type"));
  e.step = f.str("step");
  e.actor = f.str("actor");
  e.op = f.str("op");
  e.detail = f.str("detail");
  const auto data = f.object("data");
  for (const auto& kv : data.raw()) e.data[std::string(kv.key())] = data.str(kv.key());
  return e;
}

}  // namespace

std::string report_json(const RunRecord& r) {
  json::object o;
  o["schema"] = r.schema;
  o["scenario"] = r.scenario;
  o["description"] = r.description;
  o["switch_method"] = r.switch_method;
  o["run_dir"] = r.run_dir;
  o["target"] = r.target;
  put_time(o, "started", r.started_ns);
  put_time(o, "finished", r.finished_ns);
  o["duration_ns"] = r.finished_ns - r.started_ns;
  o["outcome"] = r.outcome;
  o["reason"] = r.reason;
  o["expected_outcome"] = r.expected_outcome;
  o["expected_reason"] = r.expected_reason;
  o["as_expected"] = r.as_expected;
  o["passed"] = r.passed();
  o["steps"] = array_of(r.steps, step_json);
  o["measurements"] = array_of(r.measurements, measurement_json);
  o["checks"] = array_of(r.checks, check_json);
  o["samples"] = array_of(r.samples, sample_json);
  o["clients"] = array_of(r.clients, client_json);
  o["events"] = array_of(r.events, event_json);
  json::object artifacts;
  for (const auto& [role, files] : r.artifacts) artifacts[role] = strings_json(files);
  o["artifacts"] = std::move(artifacts);
  std::string out;
  out += pretty_json(o);
  out += "\n";
  return out;
}

RunRecord parse_report_json(const std::string& text) {
  json::stream_parser parser;
  boost::system::error_code ec;
  const auto used = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) bad("", "not valid JSON (at byte " + std::to_string(used) + "): " + ec.message());
  const json::value root = parser.release();
  const Fields f(root, "");

  RunRecord r;
  r.schema = f.str("schema");
  if (r.schema != report_schema)
    bad("schema", "expected \"" + std::string(report_schema) + "\", got \"" + r.schema + "\"");
  r.scenario = f.str("scenario");
  r.description = f.str("description");
  r.switch_method = f.str("switch_method");
  r.run_dir = f.str("run_dir");
  r.target = f.str("target");
  r.started_ns = f.i64("started_ns");
  r.finished_ns = f.i64("finished_ns");
  r.outcome = f.str("outcome");
  r.reason = f.str("reason");
  r.expected_outcome = f.str("expected_outcome");
  r.expected_reason = f.str("expected_reason");
  r.as_expected = f.boolean("as_expected");
  r.steps = f.each<StepRecord>("steps", read_step);
  r.measurements = f.each<Measurement>("measurements", read_measurement);
  r.checks = f.each<CheckRecord>("checks", read_check);
  r.samples = f.each<ApplianceSample>("samples", read_sample);
  r.clients = f.each<ClientLane>("clients", read_client);
  r.events = f.each<TimelineEvent>("events", read_event);
  const auto artifacts = f.object("artifacts");
  for (const auto& kv : artifacts.raw())
    r.artifacts[std::string(kv.key())] = artifacts.strings(kv.key());
  return r;
}

}  // namespace failover_hil::hil
