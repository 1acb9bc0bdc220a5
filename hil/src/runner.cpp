#include "failover_hil/hil/runner.hpp"

#include <atomic>
#include <boost/json.hpp>
#include <fstream>
#include <thread>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"
#include "failover_hil/hil/http_driver.hpp"
#include "failover_hil/hil/inventory.hpp"
#include "failover_hil/hil/report.hpp"
#include "failover_hil/hil/simulators.hpp"
#include "failover_hil/netlab/lab.hpp"
#include "failover_hil/netlab/link.hpp"
#include "procedure.hpp"
#include "run_context.hpp"

namespace fs = std::filesystem;
namespace json = boost::json;

namespace failover_hil::hil {

using namespace std::chrono_literals;

// ---- RunContext ----------------------------------------------------------

std::int64_t RunContext::event(const std::string& type, const std::string& op,
                               const std::string& detail, std::map<std::string, std::string> data,
                               const std::string& actor) {
  TimelineEvent e{realtime_ns(), type, step, actor, op, detail, std::move(data)};
  timeline->add(e);
  if (hooks->on_event) hooks->on_event(e);
  return e.t_ns;
}

ApplianceStatus RunContext::observe(ApplianceDriver& d) {
  const auto s = d.status();
  event("observe", "status", s.state,
        {{"role", s.role},
         {"version", s.version},
         {"build", s.build},
         {"state", s.state},
         {"shared_ip", s.shared_ip_enabled ? "true" : "false"},
         {"serves_site", s.serves_site ? "true" : "false"}},
        d.name());
  return s;
}

void RunContext::check_interrupted() {
  if (hooks->interrupted && hooks->interrupted())
    throw Interrupted("interrupted (SIGINT) during " + (step.empty() ? "setup" : step));
}

bool RunContext::wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit,
                          std::chrono::milliseconds every) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (done()) return true;
    check_interrupted();
    if (tick) tick();
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(every);
  }
}

bool RunContext::happened(const std::string& op, const std::string& type) const {
  for (const auto& e : timeline->events())
    if (e.op == op && e.type == type) return true;
  return false;
}

namespace {

std::string utc_stamp() {
  const auto t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

void write_private(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
  fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

/// A client load: a session record every interval on whichever appliance
/// serves client1 now (its own drivers: HttpDriver is not thread-safe).
class SessionLoad {
 public:
  SessionLoad(RunContext& ctx, int interval_ms) : ctx_(ctx), interval_(interval_ms) {
    if (interval_ms <= 0 || !ctx.simulator) return;
    for (auto* t : {&ctx.a, &ctx.b}) {
      auto* d = dynamic_cast<HttpDriver*>(t->driver);
      if (d) drivers_[d->name()] = std::make_unique<HttpDriver>(d->config());
    }
    thread_ = std::thread([this] { loop(); });
  }
  ~SessionLoad() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  void loop() {
    int n = 0;
    while (!stop_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(interval_));
      const auto served = ctx_.watch->served_by();
      if (served.empty()) continue;
      const auto who = served.begin()->second.appliance;
      const auto it = drivers_.find(who);
      if (it == drivers_.end()) continue;
      auto& d = *it->second;
      const auto id = std::to_string(++n);
      try {
        ClientSpec console{"load-console-" + id,     false,     false, ctx_.scenario.from.software,
                           ctx_.scenario.from.build, "offline", ""};
        ClientSpec jump{"load-jump-" + id,        true,      false, ctx_.scenario.from.software,
                        ctx_.scenario.from.build, "offline", ""};
        console = d.connect_client(console);
        jump = d.connect_client(jump);
        const auto lsid = d.start_session(console, jump);
        d.end_session(lsid);
        ctx_.timeline->add(
            {realtime_ns(), "ok", "load", who, "session_created", "client load", {{"lsid", lsid}}});
      } catch (const std::exception& e) {
        ctx_.timeline->add({realtime_ns(), "fail", "load", who, "session_created", e.what(), {}});
      }
    }
  }
  RunContext& ctx_;
  int interval_;
  std::map<std::string, std::unique_ptr<HttpDriver>> drivers_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

/// Data on A and the starting state: A primary with the shared IP, B backup, synced.
void seed_and_pair(RunContext& ctx) {
  auto& a = dynamic_cast<HttpDriver&>(ctx.A());
  const auto& seed = ctx.scenario.seed;
  json::array users, files;
  for (int i = 1; i <= seed.users; ++i)
    users.push_back(
        {{"id", "rep" + std::to_string(i)}, {"display_name", "Rep " + std::to_string(i)}});
  for (int i = 1; i <= seed.files; ++i)
    files.push_back(
        {{"path", "/files/doc" + std::to_string(i) + ".pdf"}, {"size_bytes", 65536 * i}});
  a.sim_post("seed",
             json::serialize(json::object{
                 {"users", users}, {"files", files}, {"settings", {{"login.banner", "lab"}}}}));
  const auto& from = ctx.scenario.from;
  auto connect = [&](const std::string& id, bool jump, bool msi) {
    ClientSpec c{id, jump, msi, from.software, from.build, "offline", ""};
    c = a.connect_client(c);
    ctx.event("ok", "client_deployed", std::string(msi ? "msi " : "") + (jump ? "jump" : "console"),
              {{"id", id}, {"state", c.state}}, "appA");
    return c;
  };
  std::vector<ClientSpec> consoles, jumps;
  for (int i = 1; i <= std::max(1, seed.consoles); ++i)
    consoles.push_back(connect("console-" + std::to_string(i), false, false));
  for (int i = 1; i <= std::max(1, seed.jump_clients); ++i)
    jumps.push_back(connect("jump-" + std::to_string(i), true, false));
  for (int i = 1; i <= seed.msi_clients; ++i) connect("msi-jump-" + std::to_string(i), true, true);
  for (int i = 0; i < seed.session_records; ++i) {
    const auto lsid = a.start_session(consoles.front(), jumps.front(), 4 << 20);
    a.end_session(lsid);
    ctx.event("ok", "session_created", "seeded with a recording", {{"lsid", lsid}}, "appA");
  }
  ctx.A().set_shared_ip(true);
  ctx.event("invoke", "establish", "on appA with appB as backup", {}, "appA");
  ctx.A().establish(ctx.b.ip, ctx.b.port, ctx.a.ip, ctx.a.port);
  if (!ctx.wait_for(
          [&] { return ctx.A().status().role == "primary" && ctx.B().status().role == "backup"; },
          60s))
    throw HarnessError("the starting relationship did not form: " +
                       ctx.A().status().last_peer_error);
  ctx.step = "setup";
  const auto before = ctx.A().status().last_sync;
  ctx.A().sync_now();
  if (!ctx.wait_for(
          [&] {
            const auto s = ctx.A().status();
            return !s.sync_in_progress && s.last_sync && s.last_sync != before;
          },
          5min))
    throw HarnessError("the starting sync did not finish");
  ctx.observe(ctx.A());
  ctx.observe(ctx.B());
  ctx.event("ok", "seeded", "appA primary with the shared IP, appB backup, synced");
}

/// What a run stands on: a lab of simulators, or an inventory's appliances.
struct Environment {
  std::unique_ptr<netlab::Lab> lab;
  std::unique_ptr<SimulatorSet> sims;
  std::vector<std::unique_ptr<HttpDriver>> drivers;  ///< an inventory's
  std::unique_ptr<Switcher> switcher;
  std::string target;  ///< what the clients probe
  std::uint16_t port = 443;
  std::map<std::string, std::string> facts;  ///< for the timeline's lab_up event
};

std::vector<std::vector<std::uint8_t>> key_files(const HttpsClient& server, const std::string& key,
                                                 const ApplianceStatus& s) {
  const auto r = server.request(
      {"POST",
       "/updates/v1/key-files",
       json::serialize(json::object{{"key", key},
                                    {"base", s.base},
                                    {"software", {{"version", s.version}, {"build", s.build}}}}),
       {{"Content-Type", "application/json"}}});
  if (r.status != 200) throw HarnessError("R09: the update server refused the key: " + r.body);
  std::vector<std::vector<std::uint8_t>> files;
  const auto answer = json::parse(r.body);  // kept alive: the loop reads into it
  for (const auto& f : answer.at("files").as_array()) {
    const auto bytes = crypto::base64_decode(std::string(f.as_string()));
    files.emplace_back(bytes.begin(), bytes.end());
  }
  return files;
}

void setup_lab(RunContext& ctx, Environment& env, const netlab::LabSpec& spec,
               const RunOptions& options) {
  const auto& scenario = ctx.scenario;
  const auto appliances = spec.with_role(netlab::HostRole::appliance);
  env.lab = netlab::Lab::up(
      spec, options.lab_state_dir.empty() ? netlab::default_lab_state_dir() : options.lab_state_dir,
      options.hooks.interrupted);
  const auto& ha = env.lab->host(appliances[0]->name);
  const auto& hb = env.lab->host(appliances[1]->name);
  const auto& harness = env.lab->host(scenario.probes.clients.front());
  const auto dns_hosts = spec.with_role(netlab::HostRole::dns);
  SimulatorOptions so;
  so.dir = ctx.dir / "sims";
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
  const auto& updates_host = dns_hosts.empty() ? harness : env.lab->host(dns_hosts[0]->name);
  lay.ip_updates = updates_host.spec.ip.str();
  lay.netns_updates = updates_host.ns.name();
  lay.netns_harness = harness.ns.name();
  lay.site_port = 443;
  lay.management_port = 8443;  // the API on another port: out of the site's captures
  lay.hostname = spec.site_hostname;
  // The lab's bridge answers an ARP probe within a fraction of a millisecond:
  // 2 ms of listening finds another holder and keeps the switch short.
  lay.dup_check_ms = 2;
  env.sims = std::make_unique<SimulatorSet>(so);
  ctx.sims = env.sims.get();
  ctx.lab = env.lab.get();
  ctx.a = {&env.sims->a(), lay.ip_a, 8443, 443, {{}, env.sims->fingerprint("appA"), false}};
  ctx.b = {&env.sims->b(), lay.ip_b, 8443, 443, {{}, env.sims->fingerprint("appB"), false}};
  ctx.site_hostname = spec.site_hostname;
  auto* sims = env.sims.get();
  ctx.update_files = [sims](const std::string& key, const ApplianceStatus& s) {
    return key_files(sims->update_server(), key, s);
  };
  std::map<std::string, netlab::Ipv4Address> ips{{"appA", ha.spec.ip}, {"appB", hb.spec.ip}};
  std::optional<netlab::DnsServerAddress> dns;
  switch (scenario.switch_method) {
    case SwitchMethod::shared_ip:
      env.switcher = std::make_unique<SharedIpSwitch>(env.sims->a(), env.sims->b());
      env.target = spec.shared_ip.str();
      ctx.site_ip = env.target;
      break;
    case SwitchMethod::dns: {
      auto* named = env.lab->dns();
      if (!named) throw HarnessError("a DNS swing needs a dns host in the lab");
      dns = named->address();
      env.switcher = std::make_unique<DnsSwing>(
          DnsController{std::make_shared<netlab::Netns>(harness.ns.share()), named->address(),
                        named->key(), named->zone(), spec.site_hostname + ".", spec.dns_ttl_s},
          ips);
      env.target = spec.site_hostname + ".";  // absolute: resolved by the client's own resolver
      break;
    }
    case SwitchMethod::nat:
      if (!env.lab->nat()) throw HarnessError("a NAT swing needs a router host in the lab");
      env.switcher = std::make_unique<NatSwitch>(*env.lab->nat(), ips);
      env.target = spec.vip.str();
      break;
  }
  env.facts = {{"appA_mac", netlab::link_mac(*ha.nl, ha.link).str()},
               {"appB_mac", netlab::link_mac(*hb.nl, hb.link).str()},
               {"lab", spec.name}};
  for (const auto& c : scenario.probes.clients) {
    const auto& h = env.lab->host(c);
    ctx.clients.push_back({c, std::make_shared<netlab::Netns>(h.ns.share()), h.link, dns});
  }
}

TlsTrust trust_of(const InventoryAppliance& a) {
  return TlsTrust{a.ca_file.string(), a.fingerprint, false};
}

void setup_inventory(RunContext& ctx, Environment& env, const Inventory& inv,
                     const RunOptions& options) {
  auto prompt = options.hooks.prompt;
  if (!prompt && !(inv.a.simulator && inv.b.simulator))
    throw HarnessError("an inventory of physical appliances needs an operator (RunHooks::prompt)");
  for (const auto* a : {&inv.a, &inv.b}) {
    HttpDriverConfig c{a->name,
                       a->host,
                       a->port,
                       trust_of(*a),
                       ApiCredentials::from_file(a->credentials_file),
                       a->simulator,
                       {}};
    env.drivers.push_back(std::make_unique<HttpDriver>(c, prompt));
  }
  ctx.simulator = inv.a.simulator && inv.b.simulator;
  // An appliance serves its site where its API is (its URL's port).
  ctx.a = {env.drivers[0].get(), inv.a.unique_ip, inv.a.port, inv.a.port, trust_of(inv.a)};
  ctx.b = {env.drivers[1].get(), inv.b.unique_ip, inv.b.port, inv.b.port, trust_of(inv.b)};
  ctx.site_hostname = inv.site_host;
  ctx.update_files = [](const std::string&,
                        const ApplianceStatus&) -> std::vector<std::vector<std::uint8_t>> {
    throw HarnessError("manual update files come from the vendor: run the update step by operator");
  };
  env.target = inv.site_host;
  env.port = inv.site_port;
  switch (inv.switch_method) {
    case SwitchMethod::shared_ip:
      env.switcher = std::make_unique<SharedIpSwitch>(*env.drivers[0], *env.drivers[1]);
      ctx.site_ip = inv.site_host;
      break;
    case SwitchMethod::dns:
      env.switcher = std::make_unique<DnsSwing>(
          DnsController{std::make_shared<netlab::Netns>(netlab::Netns::current()),
                        {netlab::Ipv4Address::parse(inv.dns.server), inv.dns.port},
                        netlab::TsigKey::read_file(inv.dns.tsig_key_file),
                        inv.dns.zone,
                        inv.dns.record,
                        inv.dns.ttl_s},
          std::map<std::string, netlab::Ipv4Address>{
              {inv.a.name, netlab::Ipv4Address::parse(inv.a.unique_ip)},
              {inv.b.name, netlab::Ipv4Address::parse(inv.b.unique_ip)}});
      break;
    case SwitchMethod::nat:
      throw HarnessError(inv.file.string() +
                         ": a NAT swing of physical appliances needs a router the harness "
                         "controls; not supported yet (use shared_ip or dns)");
  }
  env.facts = {{"inventory", inv.file.string()}};
  // This host is the one client: it probes and captures on the given interface.
  ctx.clients.push_back({"local", nullptr, inv.capture_interface, std::nullopt});
}

/// The pair in production, checked rather than built.
void check_starting_state(RunContext& ctx) {
  const auto a = ctx.observe(ctx.A());
  const auto b = ctx.observe(ctx.B());
  if (a.role != "primary" || b.role != "backup")
    throw HarnessError("the inventory's pair is not in its starting state: expected " +
                       ctx.A().name() + " primary and " + ctx.B().name() + " backup, found " +
                       a.role + " and " + b.role);
  ctx.event("ok", "seeded", "the inventory's pair: primary and backup as expected");
}

}  // namespace

int exit_status(const RunRecord& r) {
  if (r.outcome == "interrupted") return 3;
  return r.passed() ? 0 : 1;
}

RunRecord run_scenario(const RunOptions& options) {
  // ---- inputs, checked before anything is built ----
  fs::path dir = options.out;
  Scenario scenario;
  if (options.resume) {
    if (dir.empty() || !fs::exists(dir / "timeline.jsonl") || !fs::exists(dir / "scenario.yaml"))
      throw HarnessError(
          "--resume needs an existing run directory (with scenario.yaml and timeline.jsonl): " +
          dir.string());
    scenario = load_run_scenario(dir);
  } else {
    scenario = load_scenario(options.scenario);
    if (dir.empty()) dir = options.runs_root / (utc_stamp() + "-" + scenario.name);
    if (fs::exists(dir / "timeline.jsonl"))
      throw HarnessError(dir.string() +
                         " already holds a run: resume it with --resume, or choose another --out");
  }
  fs::path inventory_file = options.inventory;
  if (options.resume && fs::exists(dir / "inventory.yaml")) inventory_file = dir / "inventory.yaml";
  std::optional<Inventory> inventory;
  std::optional<netlab::LabSpec> spec;
  if (!inventory_file.empty()) {
    inventory = load_inventory(inventory_file);
    scenario.switch_method = inventory->switch_method;  // the inventory's controller decides
  } else {
    spec = netlab::load_lab_file(scenario.lab);
    for (const auto& c : scenario.probes.clients) {
      const auto clients = spec->with_role(netlab::HostRole::client);
      if (std::none_of(clients.begin(), clients.end(), [&](auto* h) { return h->name == c; }))
        throw ScenarioError(scenario.file.string() + ": probes.clients: '" + c +
                            "' is not a client host of lab " + spec->name);
    }
    if (spec->with_role(netlab::HostRole::appliance).size() != 2)
      throw ScenarioError(scenario.lab.string() +
                          ": a lab for a run needs exactly two appliance hosts");
  }
  fs::create_directories(dir);
  dir = fs::canonical(dir);
  if (!options.resume) {
    // The scenario and its lab (or inventory) as run: the directory stands alone.
    fs::copy_file(scenario.file, dir / "scenario.yaml", fs::copy_options::overwrite_existing);
    if (spec) fs::copy_file(scenario.lab, dir / "lab.yaml", fs::copy_options::overwrite_existing);
    if (inventory)
      fs::copy_file(inventory->file, dir / "inventory.yaml", fs::copy_options::overwrite_existing);
  }
  Timeline timeline(dir / "timeline.jsonl");
  RunContext ctx;
  ctx.scenario = scenario;
  ctx.dir = dir;
  ctx.timeline = &timeline;
  ctx.hooks = &options.hooks;
  fs::create_directories(dir / "secrets");
  if (!fs::exists(dir / "secrets" / "backup.password"))
    write_private(dir / "secrets" / "backup.password", to_hex(crypto::random_bytes(16)));
  ctx.backup_password = slurp(dir / "secrets" / "backup.password");

  ctx.event("info", options.resume ? "run_resumed" : "run_started", scenario.name,
            {{"scenario", scenario.name}, {"switch", to_string(scenario.switch_method)}});
  std::string outcome = "completed", reason;
  Environment env;
  std::unique_ptr<SiteWatch> watch;
  std::unique_ptr<SessionLoad> load;
  try {
    if (inventory)
      setup_inventory(ctx, env, *inventory, options);
    else
      setup_lab(ctx, env, *spec, options);
    ctx.switcher = env.switcher.get();
    auto facts = env.facts;
    facts["site_ip"] = ctx.site_ip;
    facts["site_port"] = std::to_string(env.port);
    facts["rate_hz"] = std::to_string(scenario.probes.rate_hz);
    std::string names;
    for (const auto& c : ctx.clients) names += (names.empty() ? "" : ",") + c.name;
    facts["clients"] = names;
    ctx.event("info", "lab_up", inventory ? "inventory" : spec->name, facts);

    // ---- starting state, measurement, load ----
    if (!ctx.happened("seeded")) inventory ? check_starting_state(ctx) : seed_and_pair(ctx);
    ctx.step = "";
    SiteWatchOptions wo;
    wo.target = env.target;
    wo.port = env.port;
    wo.host_header = ctx.site_hostname;
    wo.rate_hz = scenario.probes.rate_hz;
    wo.deadline = std::chrono::milliseconds(scenario.probes.deadline_ms);
    // A resumed run writes new captures beside the first part's.
    const auto part = options.resume ? "-" + utc_stamp() : std::string();
    wo.captures_dir = dir / ("captures" + part);
    wo.probes_dir = dir / ("probes" + part);
    watch = std::make_unique<SiteWatch>(ctx.clients, wo);
    ctx.watch = watch.get();
    watch->start();
    const auto serving =
        ctx.switcher->current() == ctx.B().name() ? ctx.B().name() : ctx.A().name();
    if (!ctx.wait_for([&] { return watch->all_served_by(serving, 0); }, 15s))
      throw HarnessError("the clients' HTTPS flows do not reach the site at " + env.target);
    ctx.event("ok", "measuring", "captures and probes running on every client");
    load = std::make_unique<SessionLoad>(ctx, scenario.load.session_interval_ms);
    ctx.stop_load = [&load] { load->stop(); };

    // ---- the procedure ----
    FaultPlan faults(ctx);
    ctx.tick = [&faults] { faults.tick(); };
    faults.run_started();
    for (const auto& step : scenario.steps) {
      const std::string name = to_string(step.kind);
      ctx.step = name;
      ctx.check_interrupted();
      // Steps whose result is not in the pair's state are skipped by history.
      const bool by_history = step.kind == StepKind::backup || step.kind == StepKind::sync ||
                              step.kind == StepKind::verify_backup ||
                              step.kind == StepKind::verify_production;
      if (options.resume && by_history && ctx.happened(name, "step_ok")) {
        ctx.event("step_end", name, "done before the resume", {{"status", "skipped"}});
        continue;
      }
      if (options.hooks.on_step) options.hooks.on_step(name, "before");
      ctx.event("step_start", name, "");
      faults.before_step(name);  // after the start: what a fault causes falls in its step
      try {
        const auto how = run_step(ctx, faults, step);
        ctx.event("step_ok", name, how, {{"status", "ok"}});
      } catch (const Interrupted& e) {
        ctx.event("step_end", name, e.what(), {{"status", "interrupted"}});
        throw;
      } catch (const std::exception& e) {
        ctx.event("step_end", name, e.what(), {{"status", "failed"}});
        throw;
      }
      faults.after_step(name);
      if (options.hooks.on_step) options.hooks.on_step(name, "after");
    }
  } catch (const AbortSafely& e) {
    outcome = "aborted_safely";
    reason = e.what();
  } catch (const Interrupted& e) {
    outcome = "interrupted";
    reason = std::string(e.what()) + "; continue with: failover-hil run --resume " + dir.string();
  } catch (const netlab::LabInterrupted& e) {
    outcome = "interrupted";
    reason = e.what();
  } catch (const std::exception& e) {
    outcome = "failed";
    reason = e.what();
  }
  // ---- always: stop measuring, record the end state, tear down ----
  ctx.step = "";
  if (load) load->stop();
  if (outcome == "aborted_safely" && ctx.a.driver) {
    try {
      const auto a = ctx.observe(ctx.A());
      ctx.event(a.serves_site ? "ok" : "fail", "a_still_serves",
                ctx.A().name() + " is " + a.state + ", role " + a.role);
      ctx.observe(ctx.B());
    } catch (const std::exception& e) {
      ctx.event("fail", "a_still_serves", e.what());
    }
  }
  if (watch) {
    for (const auto& [client, r] : watch->stop())
      ctx.event("info", "capture_stopped", r.path,
                {{"packets", std::to_string(r.packets)},
                 {"kernel_drops", r.kernel_drops ? std::to_string(*r.kernel_drops) : "unknown"}},
                client);
  }
  ctx.event("outcome", outcome, reason);
  env.switcher.reset();
  if (env.sims) env.sims->stop();
  env.sims.reset();
  if (env.lab) {
    env.lab.reset();
    ctx.event("info", "lab_down", "every namespace, link and process of the run removed");
  }
  auto record = evaluate_run(dir);
  write_reports(record, dir);
  return record;
}

}  // namespace failover_hil::hil
