#include "failover_hil/hil/simulators.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"
#include "failover_hil/hil/install_layout.hpp"
#include "failover_hil/netlab/lab.hpp"

namespace fs = std::filesystem;

namespace failover_hil::hil {

namespace {

std::uint16_t free_port(const std::string& ip) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

void write_new(const fs::path& p, const std::string& text) {
  if (fs::exists(p)) return;  // a resumed run keeps its keys and configs
  std::ofstream(p) << text;
  fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

fs::path find_bseries_sim() {
  if (const char* env = std::getenv("FHIL_BSERIES_SIM"); env && *env) return env;
  // Installed: beside failover-hil in bindir; build tree: the sim/ beside hil/.
  const auto self = executable_dir();
  for (const auto& p : {self / "bseries-sim", self / ".." / "sim" / "bseries-sim"})
    if (!self.empty() && fs::exists(p)) return fs::weakly_canonical(p);
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    for (std::string d; std::getline(dirs, d, ':');)
      if (fs::exists(fs::path(d) / "bseries-sim")) return fs::path(d) / "bseries-sim";
  }
  throw HarnessError(
      "bseries-sim not found (next to failover-hil, in its build tree, or on PATH): build it with "
      "`cmake --build --preset release --target bseries-sim` or set FHIL_BSERIES_SIM");
}

std::pair<std::uint16_t, std::string> read_ready_file(const fs::path& file) {
  if (!wait_until([&] { return fs::exists(file); }, std::chrono::seconds(10)))
    throw HarnessError("bseries-sim did not become ready within 10 s (no " + file.string() +
                       "): see its log beside it");
  const auto v = boost::json::parse(slurp(file));
  return {static_cast<std::uint16_t>(v.at("listen").at(0).at("port").to_number<int>()),
          std::string(v.at("fingerprint").as_string())};
}

SimulatorSet::SimulatorSet(SimulatorOptions options) : options_(std::move(options)) {
  if (options_.binary.empty()) options_.binary = find_bseries_sim();
  fs::create_directories(options_.dir);
  // Keys and the simulators' states live here: its owner's alone.
  fs::permissions(options_.dir, fs::perms::owner_all, fs::perm_options::replace);
  write_files();
  const auto& lay = options_.layout;
  const auto& dir = options_.dir;
  fs::remove(dir / "updates.ready");
  updates_ = ChildProcess::spawn(
      {options_.binary.string(), "update-server", "--data-dir", (dir / "updates").string(),
       "--listen", lay.ip_updates + ":" + std::to_string(lay.management_port), "--catalogue",
       (dir / "catalogue.yaml").string(), "--signing-key", (dir / "vendor.seed").string(),
       "--write-public-key", (dir / "vendor.pub").string(), "--ready-file",
       (dir / "updates.ready").string()},
      log_file("updates"), lay.netns_updates);
  std::tie(update_port_, update_fp_) = read_ready_file(dir / "updates.ready");
  site_port_ = lay.site_port != 0 ? lay.site_port : free_port(lay.shared_ip);
  if (lay.management_port != 0) port_a_ = port_b_ = lay.management_port;
  start_a();
  start_b();
}

void SimulatorSet::write_files() {
  const auto& dir = options_.dir;
  write_new(dir / "vendor.seed", to_hex(crypto::random_bytes(32)));
  write_new(dir / "inter_a.key", to_hex(crypto::random_bytes(32)));
  if (options_.same_inter_appliance_key) {
    if (!fs::exists(dir / "inter_b.key")) fs::copy_file(dir / "inter_a.key", dir / "inter_b.key");
  } else {
    write_new(dir / "inter_b.key", to_hex(crypto::random_bytes(32)));
  }
  // The simulators' own test accounts (files, never the command line). The
  // harness's secret holds '+', '/' and '=' as a product's secret may; the
  // third is the vendor's example account from its API test scenario page.
  write_new(dir / "accounts.yaml",
            "accounts:\n"
            "  - {client_id: harness, client_secret: 'harness+secret/1=', backup: true, command: "
            "full_access, reporting: true}\n"
            "  - {client_id: reader, client_secret: reader-secret-1, command: read_only}\n"
            "  - {client_id: e52a9aa6fc0508ddf3a40601a736b230a1bebcd1, client_secret: "
            "'BU5u0fVEb1qEWuHdBK9AR6q9+O1CB26squ1susfJ0LsK', command: read_only, reporting: "
            "true}\n");
  write_new(dir / "harness.credentials",
            "client_id: harness\nclient_secret: 'harness+secret/1='\n");
  const auto& to = options_.to;
  write_new(dir / "catalogue.yaml",
            "updates:\n"
            "  - {id: base-" +
                to.base + ", kind: base, version: " + to.base + ", dependents: [sw-" + to.software +
                "], size_bytes: 943718400}\n"
                "  - {id: sw-" +
                to.software + ", kind: software, version: " + to.software + ", build: " + to.build +
                ", requires: [base-" + to.base + "], size_bytes: 1258291200}\n");
}

void SimulatorSet::start(const std::string& name, ChildProcess& proc, std::uint16_t& port,
                         std::string& fp, std::unique_ptr<HttpDriver>& driver) {
  const auto& lay = options_.layout;
  const auto& dir = options_.dir;
  const bool is_a = name == "appA";
  const std::string ip = is_a ? lay.ip_a : lay.ip_b;
  const auto config = dir / (name + ".yaml");
  if (!fs::exists(config)) {
    const auto& from = options_.from;
    const std::string software =
        !is_a && !options_.b_software.empty() ? options_.b_software : from.software;
    std::ostringstream y;
    y << "name: " << name << "\nguid: "
      << (is_a ? "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0" : "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0")
      << "\nunique_ip: " << ip << "\nhostname: " << lay.hostname << "\nshared_ip: " << lay.shared_ip
      << "\nbase: " << from.base << "\nsoftware: " << software << "\nbuild: " << from.build
      << "\ninter_appliance_key_file: inter_" << (is_a ? "a" : "b")
      << ".key\nvendor_public_key_file: vendor.pub\ncredentials_file: accounts.yaml\n"
      << "update_server: {host: " << lay.ip_updates << ", port: " << update_port_
      << ", fingerprint: " << update_fp_ << "}\n";
    if (const auto& ns = options_.api_namespace_base; !ns.empty())
      y << "command_namespace: " << ns << "/command\nreporting_namespace: " << ns << "/reporting\n";
    if (!options_.last_data_sync_time.empty())
      y << "last_data_sync_time: " << options_.last_data_sync_time << "\n";
    if (!options_.identity_headers) y << "identity_headers: false\n";
    write_new(config, y.str());
  }
  const auto ready = dir / (name + ".ready");
  fs::remove(ready);
  // The same port after a restart, so the peer's connection details stay right.
  std::vector<std::string> argv{options_.binary.string(),
                                "appliance",
                                "--config",
                                config.string(),
                                "--data-dir",
                                (dir / name).string(),
                                "--listen",
                                ip + ":" + std::to_string(port),
                                "--shared-listen",
                                lay.shared_ip + ":" + std::to_string(site_port_),
                                "--time-scale",
                                std::to_string(options_.time_scale),
                                "--ready-file",
                                ready.string()};
  // The site on the unique IP too (DNS and NAT swings reach it there).
  if (lay.site_port != 0 && lay.site_port != lay.management_port)
    argv.insert(argv.end(), {"--listen", ip + ":" + std::to_string(lay.site_port)});
  const auto iface = is_a ? lay.iface_a : lay.iface_b;
  if (!iface.empty()) argv.insert(argv.end(), {"--shared-ip-interface", iface});
  if (lay.dup_check_ms > 0)
    argv.insert(argv.end(), {"--dup-check-ms", std::to_string(lay.dup_check_ms)});
  if (lay.announce_delay_ms > 0)
    argv.insert(argv.end(), {"--announce-delay-ms", std::to_string(lay.announce_delay_ms)});
  proc = ChildProcess::spawn(argv, log_file(name), is_a ? lay.netns_a : lay.netns_b);
  std::tie(port, fp) = read_ready_file(ready);
  HttpDriverConfig c{name,
                     ip,
                     port,
                     TlsTrust{{}, fp, false},
                     ApiCredentials::from_file(dir / "harness.credentials"),
                     true,
                     lay.netns_harness};
  // The same driver object after a restart: switchers and steps hold references to it.
  if (driver)
    *driver = HttpDriver(c);
  else
    driver = std::make_unique<HttpDriver>(c);
}

void SimulatorSet::start_a() {
  start("appA", proc_a_, port_a_, fp_a_, a_);
}
void SimulatorSet::start_b() {
  start("appB", proc_b_, port_b_, fp_b_, b_);
}

HttpsClient SimulatorSet::update_server() const {
  return HttpsClient(options_.layout.ip_updates, update_port_, TlsTrust{{}, update_fp_, false},
                     std::chrono::seconds(10), options_.layout.netns_updates);
}

std::unique_ptr<HttpDriver> SimulatorSet::physical_a(std::shared_ptr<OperatorPrompt> prompt) {
  HttpDriverConfig c{"appA",
                     options_.layout.ip_a,
                     port_a_,
                     TlsTrust{{}, fp_a_, false},
                     ApiCredentials::from_file(options_.dir / "harness.credentials"),
                     false,
                     options_.layout.netns_harness};
  return std::make_unique<HttpDriver>(c, std::move(prompt));
}

fs::path SimulatorSet::log_file(const std::string& name) const {
  return options_.dir / (name + ".log");
}

std::string SimulatorSet::log(const std::string& name) const {
  return slurp(log_file(name));
}

void SimulatorSet::stop() {
  a_.reset();
  b_.reset();
  proc_a_.terminate();
  proc_b_.terminate();
  updates_.terminate();
}

SimulatorSet::~SimulatorSet() {
  stop();
}

SimulatorOptions lab_simulator_options(const netlab::Lab& lab, const netlab::LabSpec& spec,
                                       const Scenario& scenario, const std::string& harness_host,
                                       const std::filesystem::path& dir) {
  const auto appliances = spec.with_role(netlab::HostRole::appliance);
  if (appliances.size() != 2)
    throw HarnessError("lab " + spec.name + ": needs exactly two appliance hosts");
  const auto& ha = lab.host(appliances[0]->name);
  const auto& hb = lab.host(appliances[1]->name);
  const auto& harness = lab.host(harness_host);
  const auto dns_hosts = spec.with_role(netlab::HostRole::dns);
  SimulatorOptions so;
  so.dir = dir;
  so.time_scale = scenario.time_scale;
  so.from = scenario.from;
  so.to = scenario.to;
  auto& lay = so.layout;
  lay.ip_a = ha.spec.ip.str();
  lay.ip_b = hb.spec.ip.str();
  lay.shared_ip = spec.shared_ip.str();
  lay.netns_a = ha.ns.name();
  lay.netns_b = hb.ns.name();
  lay.iface_a = ha.link;
  lay.iface_b = hb.link;
  // The update server sits on the DNS host: a server of the lab, not a client.
  const auto& updates_host = dns_hosts.empty() ? harness : lab.host(dns_hosts[0]->name);
  lay.ip_updates = updates_host.spec.ip.str();
  lay.netns_updates = updates_host.ns.name();
  lay.netns_harness = harness.ns.name();
  lay.site_port = 443;
  lay.management_port = 8443;  // the API on another port: out of the site's captures
  lay.hostname = spec.site_hostname;
  // The lab's bridge answers an ARP probe within a fraction of a millisecond:
  // 2 ms of listening finds another holder and keeps the switch short.
  lay.dup_check_ms = 2;
  // A deliberately slow appliance, for a campaign that must see it
  // (ci/regress --baseline): the whole process tree's environment.
  if (const char* d = std::getenv("FHIL_SIM_ANNOUNCE_DELAY_MS"); d && *d) {
    char* end = nullptr;
    const long ms = std::strtol(d, &end, 10);
    if (*end != '\0' || ms < 0 || ms > 60000)
      throw HarnessError("FHIL_SIM_ANNOUNCE_DELAY_MS='" + std::string(d).substr(0, 20) +
                         "': expected whole milliseconds from 0 to 60000");
    lay.announce_delay_ms = static_cast<int>(ms);
  }
  return so;
}

}  // namespace failover_hil::hil
