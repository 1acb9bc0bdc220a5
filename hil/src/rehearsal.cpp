// A rehearsal (docs/rehearsal.md): two simulators in a scenario's lab, put
// in production and reached as physical appliances through inventories.
#include "failover_hil/hil/rehearsal.hpp"

#include <fstream>

#include "failover_hil/hil/child_process.hpp"
#include "failover_hil/hil/simulators.hpp"
#include "failover_hil/netlab/lab.hpp"
#include "failover_hil/netlab/lab_journal.hpp"
#include "failover_hil/netlab/lab_slot.hpp"

namespace failover_hil::hil {

namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
  if (!out) throw HarnessError("cannot write " + p.string());
}

/// The pair in production, as a site's appliances are before an upgrade:
/// A primary with the shared IP and a few session records, B its backup,
/// one sync done.
void into_production(SimulatorSet& sims) {
  using namespace std::chrono_literals;
  auto& a = sims.a();
  const auto& from = sims.options().from;
  auto console =
      a.connect_client({"console-1", false, false, from.software, from.build, "offline", ""});
  auto jump = a.connect_client({"jump-1", true, false, from.software, from.build, "offline", ""});
  for (int i = 0; i < 3; ++i) a.end_session(a.start_session(console, jump));
  a.set_shared_ip(true);
  const auto& lay = sims.options().layout;
  a.establish(lay.ip_b, lay.management_port, lay.ip_a, lay.management_port);
  if (!wait_until(
          [&] {
            return a.status().role == Role::primary && sims.b().status().role == Role::backup;
          },
          60s))
    throw HarnessError("the simulators did not form a relationship: " + a.status().last_peer_error);
  const auto before = a.status().last_sync;
  a.sync_now();
  if (!wait_until([&] { return a.status().last_sync != before; }, 60s))
    throw HarnessError("the first sync of the simulators did not finish");
}

/// What a rehearsal writes: one inventory per switch method, reaching the
/// simulators as physical appliances (simulator: false), and the answers
/// of an operator who does every step.
void write_rehearsal(const fs::path& dir, netlab::Lab& lab, const netlab::LabSpec& spec,
                     const SimulatorSet& sims, const std::string& harness) {
  const auto& lay = sims.options().layout;
  const auto creds = fs::absolute(sims.options().dir / "harness.credentials");
  auto appliance = [&](const char* name, const std::string& ip) {
    return std::string("  ") + name[3] + ": {name: " + name + ", url: \"https://" + ip + ":" +
           std::to_string(lay.management_port) + "\", unique_ip: " + ip +
           ", credentials: " + creds.string() + ", fingerprint: \"" + sims.fingerprint(name) +
           "\", simulator: false}\n";
  };
  const std::string head =
      "# A rehearsal (docs/rehearsal.md): bseries-sim reached as physical\n"
      "# appliances. Run it from the lab's host " +
      harness + ".\nappliances:\n" + appliance("appA", lay.ip_a) + appliance("appB", lay.ip_b) +
      "capture_interface: " + lab.host(harness).link + "\n";
  write_file(dir / "inventory-shared_ip.yaml",
             head + "site: {host: " + lay.shared_ip + ", port: 443}\nswitch: shared_ip\n");
  if (auto* named = lab.dns()) {
    named->key().write_file(dir / "site.key");
    auto zone = named->zone();
    if (zone.ends_with('.')) zone.pop_back();
    write_file(dir / "inventory-dns.yaml",
               head + "site: {host: " + spec.site_hostname + ", port: 443}\nswitch: dns\n" +
                   "dns: {server: " + named->address().ip.str() +
                   ", port: " + std::to_string(named->address().port) +
                   ", tsig_key_file: " + (dir / "site.key").string() + ", zone: " + zone +
                   ", record: " + spec.site_hostname +
                   ", ttl_s: " + std::to_string(spec.dns_ttl_s) + "}\n");
  }
  write_file(dir / "inventory-nat.yaml",
             head + "site: {host: " + spec.vip.str() + ", port: 443}\nswitch: nat\n" +
                 "nat: {table: " + spec.prefix + "inventory-nat, vip: " + spec.vip.str() + "}\n");
  write_file(dir / "answers.yaml",
             "# The scripted operator of a rehearsal (docs/rehearsal.md): every prompt\n"
             "# is done on the simulators. Per action and appliance, an answer may be\n"
             "# do, confirm (say done without doing it) or abort.\n"
             "default: do\n"
             "answers: []\n");
}

}  // namespace

Rehearsal::Rehearsal(const RehearsalOptions& o) : scenario_(load_scenario(o.scenario)) {
  const auto spec = netlab::load_lab_file(scenario_.lab);
  harness_ = o.harness.empty() ? scenario_.probes.clients.front() : o.harness;
  spec.host(harness_);  // names the known hosts when it is not one
  fs::create_directories(o.dir);
  dir_ = fs::canonical(o.dir);
  fs::remove(dir_ / "ready");
  const auto state_dir = o.state_dir.empty() ? netlab::default_lab_state_dir() : o.state_dir;
  slot_ = std::make_unique<netlab::LabSlot>(netlab::LabSlot::for_spec(spec));
  lab_ = netlab::Lab::up(spec, state_dir, o.interrupted);
  try {
    // Answering as the product does: no simulator-only identity headers, and
    // the last sync time as a recorded appliance sent it (text, no `ts`).
    auto so = lab_simulator_options(*lab_, spec, scenario_, harness_, dir_ / "sims");
    so.identity_headers = false;
    so.last_data_sync_time = "recorded";
    sims_ = std::make_unique<SimulatorSet>(so);
    into_production(*sims_);
    write_rehearsal(dir_, *lab_, spec, *sims_, harness_);
    write_file(dir_ / "ready", "");
  } catch (...) {
    sims_.reset();
    lab_.reset();
    slot_.reset();
    throw;
  }
}

Rehearsal::~Rehearsal() {
  if (sims_) sims_->stop();
  sims_.reset();
  lab_.reset();
  slot_.reset();
  std::error_code ec;
  fs::remove(dir_ / "ready", ec);
}

fs::path Rehearsal::inventory(SwitchMethod method) const {
  return dir_ / ("inventory-" + std::string(to_string(method)) + ".yaml");
}

}  // namespace failover_hil::hil
