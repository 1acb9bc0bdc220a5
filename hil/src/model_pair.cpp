#include "failover_hil/hil/model_pair.hpp"

#include <boost/json.hpp>
#include <type_traits>

#include "failover_hil/sim/model/backup.hpp"
#include "failover_hil/sim/model/errors.hpp"

namespace failover_hil::hil {

namespace json = boost::json;

namespace {

// The site's port: bseries-sim serves the site (and with it the peer
// channel) on the shared IP and on each unique IP there.
constexpr std::uint16_t kSitePort = 443;

// The fewest PBKDF2 rounds open_backup accepts (bseries-sim seals with 200,000).
constexpr std::uint32_t kBackupIterations = 10'000;

const std::array<Member, 2> kMembers{Member::A, Member::B};

crypto::Bytes seeded(std::uint64_t seed, std::string_view label) {
  const auto d = crypto::sha256(crypto::as_bytes(std::string(label) + std::to_string(seed)));
  return {d.begin(), d.end()};
}

Role role_of(sim::FailoverRole r) {
  switch (r) {
    case sim::FailoverRole::primary:
      return Role::primary;
    case sim::FailoverRole::backup:
      return Role::backup;
    case sim::FailoverRole::none:
      break;
  }
  return Role::none;
}

OperatingState state_of(sim::OperatingState s) {
  switch (s) {
    case sim::OperatingState::installing:
      return OperatingState::installing;
    case sim::OperatingState::base_update_failed:
      return OperatingState::base_update_failed;
    case sim::OperatingState::unrecoverable:
      return OperatingState::unrecoverable;
    case sim::OperatingState::running:
      break;
  }
  return OperatingState::running;
}

// ClientSpec <-> sim::Client, as sim/service/client_json.cpp reads and writes them.
sim::Client client_of(const ClientSpec& c) {
  sim::Client out;
  out.id = c.id;
  out.kind = c.jump_client ? sim::ClientKind::jump_client : sim::ClientKind::representative_console;
  out.deployment = c.msi ? sim::Deployment::msi : sim::Deployment::installer;
  out.build = {sim::Version::parse(c.version), c.build};
  for (auto s : {sim::ClientState::offline, sim::ClientState::online,
                 sim::ClientState::needs_redeploy, sim::ClientState::waiting_for_appliance})
    if (to_string(s) == c.state) out.state = s;
  out.connected_to = c.connected_to;
  return out;
}

ClientSpec spec_of(const ClientSpec& in, const sim::Client& c) {
  ClientSpec out = in;
  out.state = std::string(to_string(c.state));
  out.connected_to = c.connected_to;
  out.version = c.build.version.str();
  out.build = c.build.build;
  return out;
}

}  // namespace

/// One member's ApplianceDriver and SimulatorControl over its model.
class ModelPair::ModelDriver final : public ApplianceDriver, public SimulatorControl {
 public:
  ModelDriver(ModelPair& pair, Member m) : pair_(pair), member_(m), name_(hil::name(m)) {}

  const std::string& name() const override { return name_; }

  ApplianceStatus status() override {
    return run("status", [&](sim::Appliance& a) {
      a.tick();
      ApplianceStatus s;
      s.name = name_;
      s.guid = a.identity().guid;
      s.role = role_of(a.role());
      s.state = state_of(a.state());
      s.healthy = a.state() == sim::OperatingState::running;
      if (!s.healthy) s.error = std::string(to_string(a.state()));  // check_health's error_message
      s.serves_site = pair_.serves_site(member_);
      s.base = a.base().str();
      s.version = a.software().version.str();
      s.build = a.software().build;
      s.shared_ip_enabled = a.shared_ip_enabled();
      const auto& sync = a.sync_status();
      s.sync_in_progress = sync.in_progress;
      s.last_sync = sync.last_sync;
      s.last_sync_status = sync.last_status;
      if (const auto in = a.install()) s.install_progress = in->progress;
      s.pending_dependents = a.pending_dependents();
      for (const auto& v : a.violations()) s.violations.push_back(v.rule + ": " + v.text);
      s.last_peer_error = a.last_peer_error();
      return s;
    });
  }

  DownloadedBackup download_backup(const std::string& password) override {
    return run("Download Backup",
               [&](sim::Appliance&) { return pair_.seal_backup(member_, password); });
  }

  void sync_now() override {
    run("Sync Now", [](sim::Appliance& a) { a.sync_now(); });
  }

  void break_relationship() override {
    run("Break Failover Relationship", [](sim::Appliance& a) { a.break_relationship(); });
  }

  std::vector<AvailableUpdate> check_for_updates() override {
    return run("Check for updates", [&](sim::Appliance& a) {
      update_server_reachable("check_for_updates");
      const auto offered = pair_.server_.available(a.check_for_updates());
      a.set_available_updates(offered);
      std::vector<AvailableUpdate> out;
      for (const auto& u : offered) out.push_back({u.id, u.target()});
      return out;
    });
  }

  void install_update(const std::string& id) override {
    run("Install This Update", [&](sim::Appliance& a) {
      update_server_reachable("install_update");
      // As bseries-sim: off the list first (R10), then the server's file.
      const auto taken = a.take_update_for_install(id);
      a.install_file(pair_.server_.download(a.identity().guid, taken));
    });
  }

  std::string download_key() override {
    return run("Appliance Download Key", [](sim::Appliance& a) { return a.download_key(); });
  }

  void install_file(const std::vector<std::uint8_t>& file) override {
    run("Update Software", [&](sim::Appliance& a) { a.install_file(file); });
  }

  void set_shared_ip(bool enabled) override {
    run("shared IP", [&](sim::Appliance& a) { a.set_shared_ip(enabled); });
  }

  std::vector<std::string> establish(const std::string& backup_host, std::uint16_t backup_port,
                                     const std::string& reverse_host,
                                     std::uint16_t reverse_port) override {
    return run("Establish Relationship", [&](sim::Appliance& a) {
      return a.establish({{backup_host, backup_port}, {reverse_host, reverse_port}});
    });
  }

  std::string set_failover_role(Role role, bool data_sync_first, bool force) override {
    return run("set_failover_role", [&](sim::Appliance& a) {
      if (role == Role::none) throw sim::ModelError("", "role must be primary or backup.");
      return a.set_failover_role(
          role == Role::primary ? sim::FailoverRole::primary : sim::FailoverRole::backup,
          data_sync_first, force);
    });
  }

  std::set<std::string> session_lsids() override {
    return run("SupportSessionListing", [](sim::Appliance& a) {
      std::set<std::string> out;
      for (const auto& [lsid, _] : a.store().sessions) out.insert(lsid);
      return out;
    });
  }

  ClientSpec connect_client(const ClientSpec& client) override {
    return run("client connect", [&](sim::Appliance& a) {
      auto c = client_of(client);
      if (refusing()) {
        c.state = sim::ClientState::offline;  // the site refuses: the client stays offline
        c.connected_to.clear();
      } else {
        a.connect_client(c);
      }
      return spec_of(client, c);
    });
  }

  std::string start_session(const ClientSpec& console, const ClientSpec& jump_client) override {
    return start_session(console, jump_client, 0);
  }

  void end_session(const std::string& lsid) override {
    run("end session", [&](sim::Appliance& a) { a.end_session(lsid); });
  }

  // ---- SimulatorControl

  void arm_install_fault(const InstallFault& fault) override {
    run("faults/install", [&](sim::Appliance& a) {
      if (fault.fail_at_progress && (*fault.fail_at_progress < 0 || *fault.fail_at_progress > 1))
        throw HarnessError(name_ + ": faults/install failed: 'fail_at_progress' must be in 0..1");
      a.arm_install_faults({fault.fail_at_progress, fault.hang, fault.disk_free_bytes});
    });
  }

  void arm_sync_fault(const SyncFault& fault) override {
    run("faults/sync", [&](sim::Appliance& a) {
      if (fault.slowdown < 1 || fault.slowdown > 10000)
        throw HarnessError(name_ + ": faults/sync failed: 'slowdown' must be in 1..10000");
      a.arm_sync_faults({fault.slowdown, fault.fail});
    });
  }

  void refuse_site(std::int64_t duration_ms) override {
    run("faults/refuse-site", [&](sim::Appliance&) {
      if (duration_ms < 0 || duration_ms > 3'600'000)
        throw HarnessError(name_ + ": faults/refuse-site failed: 'duration_ms' must be 0..3600000");
      // Wall time on bseries-sim, so harness time here: scaled into the model's.
      const auto model_ms = static_cast<double>(duration_ms) * pair_.options_.time_scale;
      pair_.slot(member_).refused_until =
          pair_.clock_.now() + Duration{static_cast<std::int64_t>(model_ms)};
    });
  }

  void silence_peer() override {
    run("faults/peer-silence", [&](sim::Appliance&) { pair_.slot(member_).silenced = true; });
  }

  void crash() override {
    run("faults/crash", [&](sim::Appliance& a) { pair_.slot(member_).saved = a.save(); });
  }

  void power_on() override {
    auto& s = pair_.slot(member_);
    if (!s.down()) throw HarnessError(name_ + ": power on failed: it is running (crash it first)");
    try {
      s.app = sim::Appliance::restore(*s.saved, pair_.clock_);
    } catch (const std::exception& e) {
      throw HarnessError(name_ +
                         ": power on failed: its stored state does not restore: " + e.what());
    }
    // A new process: the faults of the old one (silence, refusal) died with it.
    s.saved.reset();
    s.silenced = false;
    s.refused_until.reset();
    pair_.settle();
  }

  void force_shared_ip_on() override {
    run("shared IP (forced)", [](sim::Appliance& a) { a.set_shared_ip(true); });
  }

  void restart() override {
    run("restart", [](sim::Appliance& a) { a.restart(); });
  }

  void seed(const SeedData& data) override {
    run("seed", [&](sim::Appliance& a) {
      for (const auto& u : data.users) a.add_user({u.id, u.display_name});
      // bseries-sim stores each setting as the JSON text of its value.
      for (const auto& [k, v] : data.settings) a.set_setting(k, json::serialize(json::string(v)));
      for (const auto& f : data.files) a.add_file({f.path, f.size_bytes});
    });
  }

  std::string start_session(const ClientSpec& console, const ClientSpec& jump_client,
                            std::uint64_t recording_bytes) override {
    return run("start session", [&](sim::Appliance& a) {
      if (refusing())
        throw HarnessError(name_ + ": start session failed: the site refuses connections");
      const auto lsid = a.start_session(client_of(console), client_of(jump_client));
      if (recording_bytes > 0) a.add_recording({lsid, recording_bytes});
      return lsid;
    });
  }

 private:
  bool refusing() const {
    const auto& until = pair_.slot(member_).refused_until;
    return until && pair_.clock_.now() < *until;
  }

  /// Runs `f` on the member's model, then settles the pair. Any error
  /// becomes a HarnessError naming the appliance, the operation and the
  /// model's reason (with its rule id).
  /// As bseries-sim answers when its update server does not: 502, the reason.
  void update_server_reachable(const std::string& op) const {
    if (pair_.slot(member_).update_server_cut)
      throw HarnessError(name_ + ": " + op +
                         " failed: HTTP 502: update_server: cannot reach the update server "
                         "(no answer)");
  }

  template <class F>
  auto run(const std::string& op, F&& f) -> std::invoke_result_t<F, sim::Appliance&> {
    auto& s = pair_.slot(member_);
    if (s.down())
      throw HarnessError(name_ + " is down (crashed); " + op + " needs it powered on again");
    try {
      if constexpr (std::is_void_v<std::invoke_result_t<F, sim::Appliance&>>) {
        f(*s.app);
        pair_.settle();
      } else {
        auto result = f(*s.app);
        pair_.settle();
        return result;
      }
    } catch (const HarnessError&) {
      pair_.settle();
      throw;
    } catch (const std::exception& e) {
      pair_.settle();
      throw HarnessError(name_ + ": " + op + " failed: " + e.what());
    }
  }

  ModelPair& pair_;
  Member member_;
  std::string name_;
};

ModelPair::ModelPair(const ModelPairOptions& options)
    : options_(options),
      server_(
          [&] {
            const auto& to = options.to;
            sim::UpdateInfo base;
            base.id = "base-" + to.base;
            base.kind = sim::UpdateKind::base;
            base.base = sim::Version::parse(to.base);
            base.dependents = {"sw-" + to.software};
            base.size_bytes = 943718400;
            sim::UpdateInfo sw;
            sw.id = "sw-" + to.software;
            sw.kind = sim::UpdateKind::software;
            sw.software = {sim::Version::parse(to.software), to.build};
            sw.requires_ids = {base.id};
            sw.size_bytes = 1258291200;
            // The catalogue SimulatorSet writes for bseries-sim's update server.
            return std::vector<sim::UpdateInfo>{base, sw};
          }(),
          crypto::ed25519_from_seed(seeded(options.seed, "vendor"))) {
  for (const auto m : kMembers) {
    auto& s = slot(m);
    s.app = std::make_unique<sim::Appliance>(config(m), clock_);
    s.driver = std::make_unique<ModelDriver>(*this, m);
  }
}

ModelPair::~ModelPair() = default;

sim::ApplianceConfig ModelPair::config(Member m) const {
  const bool a = m == Member::A;
  sim::ApplianceConfig c;
  // The GUIDs SimulatorSet gives bseries-sim's appliances.
  c.identity = {std::string(name(m)),
                a ? "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0" : "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0",
                a ? options_.ip_a : options_.ip_b, options_.hostname, options_.shared_ip};
  c.base = sim::Version::parse(options_.from.base);
  c.software = {sim::Version::parse(options_.from.software), options_.from.build};
  c.inter_appliance_key = seeded(options_.seed, "inter-appliance");  // one key on both (R17)
  c.vendor_public_key = server_.public_key();
  const auto nonces = seeded(options_.seed, "nonces-" + std::string(name(m)));
  c.seed = 0;
  for (int i = 0; i < 8; ++i) c.seed = (c.seed << 8) | nonces[static_cast<std::size_t>(i)];
  // Below 2^63: Appliance::restore reads the saved seed as a signed 64-bit number.
  c.seed >>= 1;
  c.defect_sync_sends_start_snapshot = options_.defect == PlantedDefect::sync_sends_start_snapshot;
  return c;
}

ApplianceDriver& ModelPair::driver(Member m) {
  return *slot(m).driver;
}

SimulatorControl& ModelPair::control(Member m) {
  return *slot(m).driver;
}

sim::Appliance& ModelPair::appliance(Member m) {
  return *slot(m).app;
}

std::optional<Member> ModelPair::route(const sim::ConnectionDetails& to) const {
  for (const auto m : kMembers) {
    const auto& id = slot(m).app->identity();
    if ((to.host == id.unique_ip || to.host == name(m)) &&
        (to.port == options_.management_port || to.port == kSitePort))
      return m;
  }
  // The shared IP (or the site hostname, which resolves to it) serves the site's port only.
  if ((to.host == options_.shared_ip || to.host == options_.hostname) && to.port == kSitePort)
    return shared_ip_holder();
  return std::nullopt;
}

void ModelPair::pump() {
  for (int round = 0; round < 1000; ++round) {
    bool moved = false;
    for (const auto from : kMembers) {
      auto& s = slot(from);
      if (s.down()) continue;
      for (const auto& out : s.app->take_outbox()) {
        moved = true;
        const auto to = route(out.to);
        // A crashed, silenced or absent peer does not answer: unreachable.
        if (to && !slot(*to).down() && !s.silenced && !slot(*to).silenced) {
          const auto answer = slot(*to).app->handle_peer(out.request);
          s.app->on_peer_response(out.id, answer);
        } else {
          s.app->on_peer_unreachable(out.id);
        }
      }
    }
    if (!moved) return;
  }
  throw HarnessError("the two model appliances kept messaging each other for 1000 rounds");
}

void ModelPair::settle() {
  for (const auto m : kMembers)
    if (!slot(m).down()) slot(m).app->tick();
  pump();
  conflict_seen_ = conflict_seen_ || shared_ip_conflict();
  for (const auto m : kMembers) {
    auto& s = slot(m);
    const bool holds = !s.down() && s.app->shared_ip_enabled();
    if (holds == s.holds_shared_ip) continue;
    s.holds_shared_ip = holds;
    if (on_shared_ip_) on_shared_ip_(m, holds);
  }
}

void ModelPair::run_until(TimePoint until) {
  for (int steps = 0;; ++steps) {
    settle();
    std::optional<TimePoint> next;
    for (const auto m : kMembers) {
      if (slot(m).down()) continue;
      const auto due = slot(m).app->next_due();
      if (due && (!next || *due < *next)) next = due;
    }
    if (!next || *next > until) break;
    if (steps > 100'000)
      throw HarnessError("the model appliances kept work due at " + format_rfc3339(*next) +
                         " without settling it");
    clock_.set(std::max(*next, clock_.now()));
  }
  if (clock_.now() < until) clock_.set(until);
  settle();
}

std::optional<TimePoint> ModelPair::next_due() const {
  std::optional<TimePoint> next;
  auto consider = [&](std::optional<TimePoint> t) {
    if (t && (!next || *t < *next)) next = t;
  };
  for (const auto m : kMembers) {
    const auto& s = slot(m);
    if (s.down()) continue;
    consider(s.app->next_due());
    if (s.refused_until && *s.refused_until > clock_.now()) consider(s.refused_until);
  }
  return next;
}

std::optional<Member> ModelPair::shared_ip_holder() const {
  std::optional<Member> holder;
  for (const auto m : kMembers) {
    const auto& s = slot(m);
    if (s.down() || !s.app->shared_ip_enabled()) continue;
    if (holder) return std::nullopt;  // R23: both answer it
    holder = m;
  }
  return holder;
}

bool ModelPair::shared_ip_conflict() const {
  for (const auto m : kMembers)
    if (slot(m).down() || !slot(m).app->shared_ip_enabled()) return false;
  return true;
}

bool ModelPair::serves_site(Member m) const {
  const auto& s = slot(m);
  if (s.down()) return false;
  if (s.refused_until && clock_.now() < *s.refused_until) return false;
  return s.app->serves_site();
}

std::vector<std::vector<std::uint8_t>> ModelPair::key_files(const std::string& key,
                                                            const ApplianceStatus& from) {
  try {
    return server_.files_for_key(key, sim::Version::parse(from.base),
                                 {sim::Version::parse(from.version), from.build});
  } catch (const std::exception& e) {
    throw HarnessError(std::string("update server: the Appliance Download Key was refused: ") +
                       e.what());
  }
}

std::set<std::string> ModelPair::integration_extract(Member m) {
  const auto& s = slot(m);
  const std::string who(name(m));
  if (s.down())
    throw HarnessError("R14: the Integration Client cannot extract data through " + who +
                       ": it is down (crashed)");
  if (s.refused_until && clock_.now() < *s.refused_until)
    throw HarnessError("R14: the Integration Client cannot extract data through " + who +
                       ": its site refuses connections");
  try {
    std::set<std::string> out;
    for (const auto& r : s.app->integration_extract()) out.insert(r.lsid);
    return out;
  } catch (const std::exception& e) {
    throw HarnessError(who + ": Integration Client extract failed: " + e.what());
  }
}

crypto::Bytes ModelPair::derived(std::string_view label, Member m, std::uint64_t n) const {
  return seeded(options_.seed,
                std::string(label) + "|" + std::string(name(m)) + "|" + std::to_string(n) + "|");
}

DownloadedBackup ModelPair::seal_backup(Member m, const std::string& password) {
  auto& s = slot(m);
  // The model's own export (its refusals, R04 R07, and the R06 note), with
  // salt and IV from the seed instead of the system's randomness: one seed,
  // one file. Fewer PBKDF2 rounds than bseries-sim's keep a run fast.
  sim::SealParams params;
  params.iterations = kBackupIterations;
  // The salt (seal_backup's first draw) is one per appliance, whatever the
  // seed; the IV (the second) one per backup and seed. Every backup of an
  // appliance in this process shares one derived key (PBKDF2 is remembered,
  // crypto.cpp) under distinct IVs: explore's thousands of runs derived it
  // once per run, a third of their time.
  params.random_bytes = [&, n = std::uint64_t{0}](std::size_t len) mutable {
    auto bytes = n++ == 0 ? seeded(0, "backup-salt|" + std::string(name(m)))
                          : derived("backup-random", m, s.backups * 16 + n);
    bytes.resize(len);
    return bytes;
  };
  ++s.backups;
  const auto file = s.app->export_backup(sim::BackupSecret::password(password), params);
  return {file.bytes, file.sha256_hex};
}

}  // namespace failover_hil::hil
