// Appliance: save and restore of the whole state (bseries-sim's SQLite row).
#include <boost/json.hpp>
#include <sstream>

#include "failover_hil/core/hex.hpp"
#include "failover_hil/sim/model/appliance.hpp"
#include "failover_hil/sim/model/peer_json.hpp"
#include "json_fields.hpp"

namespace json = boost::json;

namespace failover_hil::sim {

using detail::Fields;
using detail::ms;

namespace {

constexpr std::size_t kEventsKept = 500;

json::value to_json(const UpdateInfo& u) {
  json::array req, dep;
  for (const auto& r : u.requires_ids) req.push_back(json::string(r));
  for (const auto& d : u.dependents) dep.push_back(json::string(d));
  return json::object{{"id", u.id},           {"kind", to_string(u.kind)},
                      {"base", u.base.str()}, {"software", sim::to_json(u.software)},
                      {"requires", req},      {"dependents", dep},
                      {"size", u.size_bytes}};
}

std::vector<std::string> strings(const Fields& f, const char* k) {
  std::vector<std::string> out;
  for (const auto& v : f.arr(k)) {
    if (!v.is_string()) f.bad(k, "expected strings");
    out.emplace_back(v.get_string());
  }
  return out;
}

UpdateInfo update_from_json(const json::value& v) {
  const Fields f(v, "update");
  const auto kind = f.str("kind");
  if (kind != "base" && kind != "software") f.bad("kind", "expected base or software");
  return {f.str("id"),
          kind == "base" ? UpdateKind::base : UpdateKind::software,
          Version::parse(f.str("base")),
          release_from_json(f.get("software")),
          strings(f, "requires"),
          strings(f, "dependents"),
          f.u64("size")};
}

json::value opt(std::optional<TimePoint> t) {
  return t ? json::value(ms(*t)) : json::value(nullptr);
}

json::value to_json(const DurationModel& d) {
  return json::object{{"base_ms", d.base.count()}, {"per_gib_ms", d.per_gib.count()}};
}
DurationModel duration_from(const Fields& f) {
  return {Duration{f.i64("base_ms")}, Duration{f.i64("per_gib_ms")}};
}

template <class E>
E enum_from(const Fields& f, const char* k, std::initializer_list<E> all) {
  const auto s = f.str(k);
  for (auto e : all)
    if (to_string(e) == s) return e;
  f.bad(k, "unknown value '" + s + "'");
}

}  // namespace

json::value Appliance::save() const {
  const auto& c = config_;
  json::object config{{"name", c.identity.name},
                      {"guid", c.identity.guid},
                      {"unique_ip", c.identity.unique_ip},
                      {"hostname", c.identity.hostname},
                      {"shared_ip", c.identity.shared_ip},
                      {"base", c.base.str()},
                      {"software", sim::to_json(c.software)},
                      {"inter_appliance_key", to_hex(c.inter_appliance_key)},
                      {"vendor_public_key", to_hex(c.vendor_public_key)},
                      {"install_time", to_json(c.timing.install)},
                      {"sync_time", to_json(c.timing.sync)},
                      {"first_sync_delay_ms", c.timing.first_sync_delay.count()},
                      {"atlas", to_string(c.atlas)},
                      {"seed", c.seed}};
  std::ostringstream rng;
  rng << rng_;
  json::array logged, active, installed, available, pending, events, violations, dependents;
  for (const auto& u : logged_in_) logged.push_back(json::string(u));
  for (const auto& l : active_) active.push_back(json::string(l));
  for (const auto& i : installed_) installed.push_back(json::string(i));
  for (const auto& u : available_) available.push_back(to_json(u));
  for (const auto& d : pending_dependents_) dependents.push_back(json::string(d));
  for (const auto& [id, kind] : pending_)
    pending.push_back(json::object{{"id", id}, {"kind", static_cast<int>(kind)}});
  const std::size_t first = events_.size() > kEventsKept ? events_.size() - kEventsKept : 0;
  for (std::size_t i = first; i < events_.size(); ++i)
    events.push_back(json::object{{"at_ms", ms(events_[i].at)}, {"text", events_[i].text}});
  for (const auto& v : violations_)
    violations.push_back(json::object{{"rule", v.rule}, {"text", v.text}, {"at_ms", ms(v.at)}});

  json::object o{{"format", 1},
                 {"config", config},
                 {"rng", rng.str()},
                 {"state", to_string(state_)},
                 {"role", to_string(role_)},
                 {"shared_ip_enabled", shared_ip_enabled_},
                 {"store", sim::to_json(store_)},
                 {"logged_in", logged},
                 {"active", active},
                 {"installed", installed},
                 {"available", available},
                 {"pending_dependents", dependents},
                 {"fresh_backup_since_base", fresh_backup_since_base_},
                 {"sync_in_progress", sync_.in_progress},
                 {"last_sync_ms", opt(sync_.last_sync)},
                 {"last_sync_status", sync_.last_status},
                 {"sync_scheduled_ms", opt(sync_.scheduled)},
                 {"sync_due_ms", opt(sync_due_)},
                 {"last_peer_error", last_peer_error_},
                 {"next_message_id", next_message_id_},
                 {"pending", pending},
                 {"events", events},
                 {"violations", violations}};
  if (install_) {
    json::object in{{"update", to_json(install_->update)},
                    {"started_ms", ms(install_->started)},
                    {"duration_ms", install_->duration.count()},
                    {"hang", install_->faults.hang}};
    if (install_->faults.fail_at_progress) in["fail_at"] = *install_->faults.fail_at_progress;
    if (install_->faults.disk_free_bytes) in["disk_free"] = *install_->faults.disk_free_bytes;
    o["install"] = in;
  }
  json::object faults{{"hang", install_faults_.hang}};
  if (install_faults_.fail_at_progress) faults["fail_at"] = *install_faults_.fail_at_progress;
  if (install_faults_.disk_free_bytes) faults["disk_free"] = *install_faults_.disk_free_bytes;
  o["install_faults"] = faults;
  o["sync_faults"] = json::object{{"slowdown", sync_faults_.slowdown}, {"fail", sync_faults_.fail}};
  if (peer_) o["peer"] = json::object{{"host", peer_->host}, {"port", peer_->port}};
  if (establishing_)
    o["establishing"] = json::object{{"backup_host", establishing_->backup.host},
                                     {"backup_port", establishing_->backup.port},
                                     {"reverse_host", establishing_->reverse.host},
                                     {"reverse_port", establishing_->reverse.port},
                                     {"nonce", establish_nonce_}};
  if (swap_)
    o["swap"] = json::object{{"target", to_string(swap_->target)},
                             {"force", swap_->force},
                             {"after_sync", swap_->after_sync}};
  return o;
}

std::unique_ptr<Appliance> Appliance::restore(const json::value& v, const Clock& clock) {
  const Fields f(v, "saved appliance");
  if (f.i64("format") != 1) f.bad("format", "this build reads format 1");
  const auto c = f.sub("config");
  auto port = [](const Fields& x, const char* k) {
    const auto p = x.u64(k);
    if (p == 0 || p > 65535) x.bad(k, "expected a TCP port");
    return static_cast<std::uint16_t>(p);
  };
  auto bytes = [](const Fields& x, const char* k) {
    auto b = from_hex(x.str(k));
    if (!b) x.bad(k, "expected hex");
    return *b;
  };
  ApplianceConfig config;
  config.identity = {c.str("name"), c.str("guid"), c.str("unique_ip"), c.str("hostname"),
                     c.str("shared_ip")};
  config.base = Version::parse(c.str("base"));
  config.software = release_from_json(c.get("software"));
  config.inter_appliance_key = bytes(c, "inter_appliance_key");
  config.vendor_public_key = bytes(c, "vendor_public_key");
  config.timing = {duration_from(c.sub("install_time")), duration_from(c.sub("sync_time")),
                   Duration{c.i64("first_sync_delay_ms")}};
  config.atlas = enum_from(c, "atlas",
                           {AtlasRole::none, AtlasRole::primary_node,
                            AtlasRole::backup_primary_node, AtlasRole::traffic_node});
  config.seed = c.u64("seed");

  auto a = std::make_unique<Appliance>(config, clock);
  std::istringstream rng(f.str("rng"));
  rng >> a->rng_;
  if (!rng) f.bad("rng", "not a generator state");
  a->state_ = enum_from(f, "state",
                        {OperatingState::running, OperatingState::installing,
                         OperatingState::base_update_failed, OperatingState::unrecoverable});
  a->role_ =
      enum_from(f, "role", {FailoverRole::none, FailoverRole::primary, FailoverRole::backup});
  a->shared_ip_enabled_ = f.boolean("shared_ip_enabled");
  a->store_ = store_from_json(f.get("store"));
  for (const auto& s : strings(f, "logged_in")) a->logged_in_.insert(s);
  for (const auto& s : strings(f, "active")) a->active_.insert(s);
  for (const auto& s : strings(f, "installed")) a->installed_.insert(s);
  for (const auto& u : f.arr("available")) a->available_.push_back(update_from_json(u));
  a->pending_dependents_ = strings(f, "pending_dependents");
  a->fresh_backup_since_base_ = f.boolean("fresh_backup_since_base");
  a->sync_ = {f.boolean("sync_in_progress"), f.opt_time("last_sync_ms"), f.str("last_sync_status"),
              f.opt_time("sync_scheduled_ms")};
  a->sync_due_ = f.opt_time("sync_due_ms");
  a->last_peer_error_ = f.str("last_peer_error");
  a->next_message_id_ = f.u64("next_message_id");
  for (const auto& e : f.arr("events")) {
    const Fields x(e, "events[]");
    a->events_.push_back({x.time("at_ms"), x.str("text")});
  }
  for (const auto& e : f.arr("violations")) {
    const Fields x(e, "violations[]");
    a->violations_.push_back({x.str("rule"), x.str("text"), x.time("at_ms")});
  }
  auto faults = [](const Fields& x) {
    InstallFaults out;
    out.hang = x.boolean("hang");
    if (x.has("fail_at")) out.fail_at_progress = x.num("fail_at");
    if (x.has("disk_free")) out.disk_free_bytes = static_cast<std::uint64_t>(x.i64("disk_free"));
    return out;
  };
  if (f.has("install")) {
    const auto in = f.sub("install");
    a->install_ = Install{update_from_json(in.get("update")), in.time("started_ms"),
                          Duration{in.i64("duration_ms")}, faults(in)};
  }
  a->install_faults_ = faults(f.sub("install_faults"));
  const auto sf = f.sub("sync_faults");
  a->sync_faults_ = {sf.num("slowdown"), sf.boolean("fail")};
  if (f.has("peer")) {
    const auto p = f.sub("peer");
    a->peer_ = ConnectionDetails{p.str("host"), port(p, "port")};
  }
  if (f.has("establishing")) {
    const auto e = f.sub("establishing");
    a->establishing_ = EstablishParams{{e.str("backup_host"), port(e, "backup_port")},
                                       {e.str("reverse_host"), port(e, "reverse_port")}};
    a->establish_nonce_ = e.str("nonce");
  }
  if (f.has("swap")) {
    const auto s = f.sub("swap");
    a->swap_ = RoleSwap{
        enum_from(s, "target", {FailoverRole::none, FailoverRole::primary, FailoverRole::backup}),
        s.boolean("force"), s.boolean("after_sync")};
  }
  // In-flight requests died with the process: settle them as unreachable.
  for (const auto& p : f.arr("pending")) {
    const Fields x(p, "pending[]");
    const auto kind = x.i64("kind");
    if (kind < 0 || kind > static_cast<int>(Pending::break_notice)) x.bad("kind", "out of range");
    const auto id = x.u64("id");
    a->pending_[id] = static_cast<Pending>(kind);
    a->on_peer_unreachable(id);
  }
  return a;
}

}  // namespace failover_hil::sim
