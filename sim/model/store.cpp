#include "failover_hil/sim/model/store.hpp"

#include <boost/json.hpp>

#include "failover_hil/core/byte_reader.hpp"

namespace json = boost::json;

namespace failover_hil::sim {

std::uint64_t DataStore::stored_bytes() const {
  std::uint64_t n = 0;
  for (const auto& [_, f] : files) n += f.size_bytes;
  for (const auto& [_, r] : recordings) n += r.size_bytes;
  return n;
}

namespace {

std::int64_t ms(TimePoint t) {
  return t.time_since_epoch().count();
}
TimePoint at_ms(std::int64_t v) {
  return TimePoint{Duration{v}};
}

[[noreturn]] void bad(const std::string& field, const std::string& why) {
  throw MalformedInput("data store", 0, "field '" + field + "': " + why);
}

const json::object& obj(const json::value& v, const std::string& field) {
  if (!v.is_object()) bad(field, "expected an object");
  return v.get_object();
}
const json::array& arr(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_array()) bad(key, "expected an array");
  return v->get_array();
}
std::string str(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_string()) bad(key, "expected a string");
  return std::string(v->get_string());
}
std::int64_t num(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (!v || !(v->is_int64() || v->is_uint64())) bad(key, "expected an integer");
  return v->to_number<std::int64_t>();
}
std::uint64_t unum(const json::object& o, const char* key) {
  const auto n = num(o, key);
  if (n < 0) bad(key, "expected a non-negative integer");
  return static_cast<std::uint64_t>(n);
}

}  // namespace

json::value to_json(const DataStore& s) {
  json::array users, settings, files, logs, recordings, sessions;
  for (const auto& [_, u] : s.users)
    users.push_back({{"id", u.id}, {"display_name", u.display_name}});
  for (const auto& [k, v] : s.settings) settings.push_back({{"key", k}, {"value", v}});
  for (const auto& [_, f] : s.files) files.push_back({{"path", f.path}, {"size", f.size_bytes}});
  for (const auto& l : s.logs) logs.push_back({{"at_ms", ms(l.at)}, {"text", l.text}});
  for (const auto& [_, r] : s.recordings)
    recordings.push_back({{"lsid", r.lsid}, {"size", r.size_bytes}});
  for (const auto& [_, r] : s.sessions) {
    json::object o{{"lsid", r.lsid},
                   {"recorded_by", r.recorded_by},
                   {"start_ms", ms(r.start)},
                   {"terminated", r.terminated}};
    if (r.end) o["end_ms"] = ms(*r.end);
    sessions.push_back(std::move(o));
  }
  return json::object{{"users", users}, {"settings", settings},     {"files", files},
                      {"logs", logs},   {"recordings", recordings}, {"sessions", sessions}};
}

DataStore store_from_json(const json::value& v) {
  const auto& o = obj(v, "store");
  DataStore s;
  for (const auto& e : arr(o, "users")) {
    const auto& u = obj(e, "users[]");
    User user{str(u, "id"), str(u, "display_name")};
    s.users[user.id] = user;
  }
  for (const auto& e : arr(o, "settings")) {
    const auto& kv = obj(e, "settings[]");
    s.settings[str(kv, "key")] = str(kv, "value");
  }
  for (const auto& e : arr(o, "files")) {
    const auto& f = obj(e, "files[]");
    StoredFile file{str(f, "path"), unum(f, "size")};
    s.files[file.path] = file;
  }
  for (const auto& e : arr(o, "logs")) {
    const auto& l = obj(e, "logs[]");
    s.logs.push_back({at_ms(num(l, "at_ms")), str(l, "text")});
  }
  for (const auto& e : arr(o, "recordings")) {
    const auto& r = obj(e, "recordings[]");
    Recording rec{str(r, "lsid"), unum(r, "size")};
    s.recordings[rec.lsid] = rec;
  }
  for (const auto& e : arr(o, "sessions")) {
    const auto& r = obj(e, "sessions[]");
    SessionRecord rec{str(r, "lsid"), str(r, "recorded_by"), at_ms(num(r, "start_ms")), {}, false};
    if (r.contains("end_ms")) rec.end = at_ms(num(r, "end_ms"));
    const auto* t = r.if_contains("terminated");
    if (!t || !t->is_bool()) bad("terminated", "expected a boolean");
    rec.terminated = t->get_bool();
    s.sessions[rec.lsid] = rec;
  }
  return s;
}

void merge_sessions(DataStore& store, const std::vector<SessionRecord>& records) {
  for (const auto& r : records) {
    auto [it, inserted] = store.sessions.try_emplace(r.lsid, r);
    if (!inserted && !it->second.end && r.end) it->second = r;
  }
}

std::vector<SessionRecord> apply_sync(DataStore& backup, const DataStore& primary) {
  std::vector<SessionRecord> primary_lacks;
  for (const auto& [lsid, r] : backup.sessions) {
    auto it = primary.sessions.find(lsid);
    if (it == primary.sessions.end() || (!it->second.end && r.end)) primary_lacks.push_back(r);
  }
  auto sessions = std::move(backup.sessions);
  backup = primary;
  std::vector<SessionRecord> own;
  own.reserve(sessions.size());
  for (auto& [_, r] : sessions) own.push_back(std::move(r));
  merge_sessions(backup, own);
  return primary_lacks;
}

}  // namespace failover_hil::sim
