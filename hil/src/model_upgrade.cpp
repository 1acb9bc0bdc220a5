#include "failover_hil/hil/model_upgrade.hpp"

#include <algorithm>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/sim/model/errors.hpp"
#include "failover_hil/sim/model/pair.hpp"

namespace failover_hil::hil {

using namespace std::chrono_literals;
using sim::Appliance;
using sim::FailoverRole;

ApplianceSnapshot snapshot(const Appliance& a) {
  const auto& s = a.store();
  return {a.name(),
          a.base().str(),
          a.software().str(),
          std::string(to_string(a.role())),
          std::string(to_string(a.state())),
          a.shared_ip_enabled(),
          a.serves_site(),
          s.users.size(),
          s.files.size(),
          s.recordings.size(),
          s.sessions.size(),
          s.stored_bytes()};
}

namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

// The lab's addresses (198.18.0.0/15) and the releases of the demo catalogue.
const sim::SoftwareRelease kOld{{23, 1, 2}, "b7f3a1"};
const sim::SoftwareRelease kNew{{24, 1, 0}, "c9e2d4"};

std::vector<sim::UpdateInfo> catalogue() {
  sim::UpdateInfo base{"base-3.4.0", sim::UpdateKind::base, {3, 4, 0}, {},
                       {},           {"sw-24.1.0"},         900 * kMiB};
  sim::UpdateInfo sw{"sw-24.1.0", sim::UpdateKind::software, {}, kNew, {"base-3.4.0"}, {},
                     1200 * kMiB};
  return {base, sw};
}

crypto::Bytes seeded(std::uint64_t seed, std::string_view label) {
  const auto d = crypto::sha256(crypto::as_bytes(std::string(label) + std::to_string(seed)));
  return {d.begin(), d.end()};
}

class Run {
 public:
  Run(const ModelUpgradeOptions& o, const std::function<void(const ModelStep&)>& on_step)
      : opt_(o),
        on_step_(on_step),
        server_(catalogue(), crypto::ed25519_from_seed(seeded(o.seed, "vendor"))),
        a_(config("appA", "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0", "198.18.0.11"), clock_),
        b_(config("appB", "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0", "198.18.0.12"), clock_),
        pair_(a_, b_, clock_) {}

  ModelUpgradeResult run() {
    result_.started = clock_.now();
    try {
      setup();
      step("Download a backup from A", "R01", [&] { backup(a_); });
      step("Sync Now on A and wait until the sync has finished", "R02", [&] { sync_and_wait(); });
      step("Break Failover Relationship", "R03 R22", [&] {
        a_.break_relationship();
        pair_.pump();
        broken_at_ = clock_.now();
        note("relationship broken; the exposure window starts");
      });
      step("Update B automatically: Base update, backup, dependent software update",
           "R04 R05 R06 R08 R10", [&] { update_automatic(b_); });
      step("Verify B on two clients with a hosts override", "R11 R12", [&] { verify(b_); });
      step("Make B primary: shared IP switch", "R13 R14 R23", [&] { shared_ip_switch(); });
      step("Confirm B works in production, then update A manually", "R09 R16",
           [&] { update_manual(a_); });
      step("Verify A", "R11", [&] { verify(a_); });
      step("Re-establish failover on B with A as backup; first sync", "R15 R17 R18 R19 R20 R22",
           [&] { reestablish(); });
      step(
          "Sync Now on B: every session record on both appliances", "R15 R20",
          [&] { final_sync(); }, /*with_load=*/false);
      result_.completed = true;
    } catch (const std::exception& e) {
      result_.failure = e.what();
    }
    finish();
    return std::move(result_);
  }

 private:
  sim::ApplianceConfig config(const std::string& name, const std::string& guid,
                              const std::string& ip) {
    sim::ApplianceConfig c;
    c.identity = {name, guid, ip, "support.lab.example", "198.18.0.10"};
    c.base = {3, 3, 2};
    c.software = kOld;
    c.inter_appliance_key = seeded(opt_.seed, "inter-appliance");
    c.vendor_public_key = server_.public_key();
    c.seed = opt_.seed;
    return c;
  }

  void note(const std::string& text) { current_.notes.push_back(text); }

  template <class F>
  void step(const std::string& title, const std::string& rules, F&& body, bool with_load = true) {
    current_ = {
        static_cast<int>(result_.steps.size()) + 1, title, rules, clock_.now(), {}, {}, {}, {}};
    body();
    if (with_load) load();
    current_.finished = clock_.now();
    current_.a = snapshot(a_);
    current_.b = snapshot(b_);
    result_.steps.push_back(current_);
    if (on_step_) on_step_(current_);
  }

  // The client load: support sessions on whichever appliance serves the site.
  void load() {
    Appliance* site = pair_.holder_of("198.18.0.10");
    if (!site || !site->serves_site()) return;
    site->tick();
    if (site->connect_client(console_) != sim::ClientState::online ||
        site->connect_client(jump_) != sim::ClientState::online)
      return;
    for (int i = 0; i < opt_.sessions_per_step; ++i) {
      const auto lsid = site->start_session(console_, jump_);
      pair_.run_for(4min);
      site->end_session(lsid);
      result_.sessions_created.push_back(lsid);
    }
    note("client load: " + std::to_string(opt_.sessions_per_step) + " support session(s) on " +
         site->name());
  }

  void setup() {
    step("Starting state: A primary with the shared IP, B backup, synced", "R17 R18 R19 R21", [&] {
      for (int i = 1; i <= 3; ++i)
        a_.add_user({"rep" + std::to_string(i), "Rep " + std::to_string(i)});
      a_.set_setting("site.title", "Support");
      a_.add_file({"/files/logo.png", 48 * 1024});
      a_.add_file({"/files/manual.pdf", 3 * kMiB});
      a_.set_shared_ip(true);
      console_ = {"console-1", sim::ClientKind::representative_console, sim::Deployment::installer,
                  kOld};
      jump_ = {"jump-1", sim::ClientKind::jump_client, sim::Deployment::installer, kOld};
      a_.connect_client(console_);
      a_.connect_client(jump_);
      for (int i = 0; i < 2; ++i) {
        const auto lsid = a_.start_session(console_, jump_);
        a_.end_session(lsid);
        a_.add_recording({lsid, opt_.recordings_mib * kMiB / 2});
        result_.sessions_created.push_back(lsid);
      }
      pair_.establish(a_, {{"198.18.0.12", 443}, {"198.18.0.11", 443}});
      note("established: A primary, B backup (unique IPs as connection details)");
      if (!pair_.run_until([&] { return b_.sync_status().last_sync.has_value(); }, 2h))
        throw sim::ModelError("R19", "the first sync did not finish within 2 h");
      note("first sync finished at +" +
           format_duration(*b_.sync_status().last_sync - result_.started));
    });
  }

  void backup(Appliance& x) {
    const auto secret = sim::BackupSecret::key(seeded(opt_.seed, "backup-key"));
    const auto file = x.export_backup(secret);
    const auto opened = sim::open_backup(file.bytes, secret);  // verified: it decrypts and parses
    if (opened.store.users != x.store().users)
      throw sim::ModelError("R01", "the backup of " + x.name() + " does not hold its users");
    note("backup of " + x.name() + ": " + std::to_string(file.bytes.size()) + " bytes, sha256 " +
         file.sha256_hex.substr(0, 16) + "..., verified (decrypts, " +
         std::to_string(opened.store.sessions.size()) + " session records)");
  }

  void sync_and_wait() {
    a_.sync_now();
    const auto t0 = clock_.now();
    if (!pair_.run_until([&] { return !a_.sync_status().in_progress; }, 6h))
      throw sim::ModelError("R02", "the sync did not finish within 6 h");
    if (a_.sync_status().last_status != "success")
      throw sim::ModelError("R02", "the sync failed: " + a_.sync_status().last_status);
    note("sync finished in " + format_duration(clock_.now() - t0) + "; last sync " +
         format_rfc3339(*a_.sync_status().last_sync));
  }

  void install_and_wait(Appliance& x, const std::vector<std::uint8_t>& file) {
    x.install_file(file);
    const auto in = x.install();
    note(x.name() + " installing " + in->update.target() + ": site unavailable, expected " +
         format_duration(in->duration));
    if (!pair_.run_until([&] { return x.state() != sim::OperatingState::installing; }, 6h))
      throw sim::ModelError("R05", x.name() + "'s install did not finish within 6 h");
    if (x.state() != sim::OperatingState::running)
      throw sim::ModelError("R07",
                            x.name() + "'s Base update failed: do not restart; contact support");
    note(x.name() + " now runs Base " + x.base().str() + ", " + x.software().str());
  }

  void update_automatic(Appliance& x) {
    x.set_available_updates(server_.available(x.check_for_updates()));
    note("Check for updates: " + std::to_string(x.available_updates().size()) + " available on " +
         x.name());
    for (const auto& id : {"base-3.4.0", "sw-24.1.0"}) {
      const auto file = server_.download(x.identity().guid, x.take_update_for_install(id));
      install_and_wait(x, file);
      if (!x.pending_dependents().empty()) backup(x);  // R06: a fresh backup, then at once
    }
  }

  void update_manual(Appliance& x) {
    // R16: A is updated only after B was confirmed working in production.
    Appliance* site = pair_.holder_of("198.18.0.10");
    if (site != &b_ || !b_.serves_site() || !(b_.software() == kNew))
      throw sim::ModelError("R16", "B is not confirmed serving the site on the new version");
    note("gate R16: B serves the shared IP on " + b_.software().str());
    backup(x);
    const auto key = x.download_key();
    auto files = server_.files_for_key(key, x.base(), x.software());
    note("Appliance Download Key " + key.substr(0, 14) + "... yielded " +
         std::to_string(files.size()) + " signed file(s)");
    for (const auto& f : files) {
      install_and_wait(x, f);
      if (!x.pending_dependents().empty()) backup(x);
    }
  }

  void verify(Appliance& x) {
    // Two client machines whose hosts file points the site hostname at x.
    for (int machine = 1; machine <= 2; ++machine) {
      sim::Client console{"verify-console-" + std::to_string(machine),
                          sim::ClientKind::representative_console, sim::Deployment::installer,
                          kOld};
      if (x.connect_client(console) != sim::ClientState::online)
        throw sim::ModelError("R11", "a console cannot connect to " + x.name());
      note("machine " + std::to_string(machine) + ": support.lab.example -> " +
           x.identity().unique_ip + "; console upgraded, Help > About: " + console.build.str());
      if (machine == 1) {
        sim::Client jump{"verify-jump", sim::ClientKind::jump_client, sim::Deployment::installer,
                         kOld};
        x.connect_client(jump);
        const auto lsid = x.start_session(console, jump);
        pair_.run_for(2min);
        x.end_session(lsid);
        result_.sessions_created.push_back(lsid);
        note("session " + lsid + " to a remote computer through " + x.name() + " succeeded");
      }
    }
    sim::Client locked{"locked-console", sim::ClientKind::representative_console,
                       sim::Deployment::msi, kOld};
    note("MSI-deployed console on a locked-down computer: " +
         std::string(to_string(x.connect_client(locked))) + " (R12: redeploy it)");
  }

  void shared_ip_switch() {
    a_.set_shared_ip(false);
    b_.set_shared_ip(true);  // at once (R13); never both (R23)
    Appliance* site = pair_.holder_of("198.18.0.10");
    if (site != &b_) throw sim::ModelError("R13", "the shared IP does not lead to B");
    note("shared IP 198.18.0.10 disabled on A, then enabled on B");
    const auto extracted = site->integration_extract();  // R14, configured by IP
    note("Integration Client configured by IP extracted " + std::to_string(extracted.size()) +
         " session records from B");
  }

  void reestablish() {
    const auto warnings = pair_.establish(b_, {{"198.18.0.11", 443}, {"198.18.0.12", 443}});
    for (const auto& w : warnings) note("warning: " + w);
    result_.exposure_window = clock_.now() - broken_at_;
    note("re-established: B primary, A backup; exposure window " +
         format_duration(result_.exposure_window));
    const auto since = clock_.now();
    if (!pair_.run_until([&] { return b_.sync_status().last_sync > since; }, 6h))
      throw sim::ModelError("R19", "the first sync did not finish");
    note("first sync finished " + format_rfc3339(*b_.sync_status().last_sync) +
         "; sessions merged both ways (R15)");
  }

  void final_sync() {
    b_.sync_now();
    if (!pair_.run_until([&] { return !b_.sync_status().in_progress; }, 6h) ||
        b_.sync_status().last_status != "success")
      throw sim::ModelError("R19",
                            "the last sync did not succeed: " + b_.sync_status().last_status);
    note("synced; A holds " + std::to_string(a_.store().sessions.size()) + " and B " +
         std::to_string(b_.store().sessions.size()) + " session records");
  }

  void finish() {
    result_.finished = clock_.now();
    for (const auto& lsid : result_.sessions_created) {
      if (!a_.store().sessions.contains(lsid)) result_.missing_on_a.push_back(lsid);
      if (!b_.store().sessions.contains(lsid)) result_.missing_on_b.push_back(lsid);
    }
    for (const Appliance* x : {&a_, &b_})
      result_.violations.insert(result_.violations.end(), x->violations().begin(),
                                x->violations().end());
  }

  ModelUpgradeOptions opt_;
  std::function<void(const ModelStep&)> on_step_;
  ManualClock clock_;
  sim::UpdateServer server_;
  Appliance a_;
  Appliance b_;
  sim::Pair pair_;
  sim::Client console_;
  sim::Client jump_;
  ModelStep current_;
  TimePoint broken_at_;
  ModelUpgradeResult result_;
};

}  // namespace

ModelUpgradeResult run_model_upgrade(const ModelUpgradeOptions& options,
                                     const std::function<void(const ModelStep&)>& on_step) {
  return Run(options, on_step).run();
}

}  // namespace failover_hil::hil
