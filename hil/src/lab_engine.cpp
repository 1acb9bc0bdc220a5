// The lab engine: two bseries-sim processes in a fresh lab of namespaces,
// a real switch controller (netlink, BIND, nftables), captures and probes.
#include <boost/json.hpp>
#include <fstream>
#include <thread>

#include "answer_read.hpp"
#include "engines.hpp"
#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/text_file.hpp"
#include "failover_hil/hil/simulators.hpp"
#include "failover_hil/hil/site_watch.hpp"
#include "failover_hil/hil/switchers.hpp"
#include "failover_hil/netlab/analysis.hpp"
#include "failover_hil/netlab/dup_check.hpp"
#include "failover_hil/netlab/faults.hpp"
#include "failover_hil/netlab/lab.hpp"
#include "failover_hil/netlab/lab_slot.hpp"
#include "failover_hil/netlab/link.hpp"
#include "failover_hil/netlab/neighbour.hpp"
#include "failover_hil/netlab/nft.hpp"
#include "http_simulator_control.hpp"
#include "run_context.hpp"
#include "session_load.hpp"

namespace json = boost::json;
namespace fs = std::filesystem;

namespace failover_hil::hil {

using namespace std::chrono_literals;

std::vector<std::vector<std::uint8_t>> key_files(const HttpsClient& server, const std::string& key,
                                                 const ApplianceStatus& s) {
  const auto r = server.request(
      {"POST",
       "/updates/v1/key-files",
       json::serialize(json::object{{"key", key},
                                    {"base", s.base},
                                    {"software", {{"version", s.version}, {"build", s.build}}}}),
       {{"Content-Type", "application/json"}}});
  if (r.status / 100 == 4 && !answer::is_html(r))
    throw HarnessError("R09: the update server refused the key: " + answer::preview(r.body, 200));
  const auto answer = answer::Json::parse(
      {"update server (" + server.host() + ":" + std::to_string(server.port()) + ")",
       "key-files (R09)"},
      r, "JSON {files: [base64...]} from the update server");
  std::vector<std::vector<std::uint8_t>> files;
  for (const auto& f : answer.strings("files")) {
    const auto bytes = crypto::base64_decode(f);
    files.emplace_back(bytes.begin(), bytes.end());
  }
  return files;
}

namespace {

class LabEngine final : public RealTimeEngine {
 public:
  LabEngine(const Scenario& scenario, netlab::LabSpec spec, fs::path state_dir,
            const RunHooks& hooks)
      : scenario_(scenario),
        spec_(std::move(spec)),
        state_dir_(std::move(state_dir)),
        hooks_(hooks) {}

  EngineKind kind() const override { return EngineKind::lab; }

  void setup(const fs::path& dir) override {
    dir_ = dir;
    place(dir);
    const auto appliances = spec_.with_role(netlab::HostRole::appliance);
    lab_ = netlab::Lab::up(spec_, state_dir_, hooks_.interrupted);
    const auto& ha = lab_->host(appliances[0]->name);
    const auto& hb = lab_->host(appliances[1]->name);
    const auto so = lab_simulator_options(*lab_, spec_, scenario_, scenario_.probes.clients.front(),
                                          dir / "sims");
    const auto& harness = lab_->host(scenario_.probes.clients.front());
    const auto& lay = so.layout;
    for (const auto& h : spec_.hosts)
      if (h.ip.str() == lay.ip_updates) updates_host_ = h.name;
    sims_ = std::make_unique<SimulatorSet>(so);
    auto* sims = sims_.get();
    control_a_ = std::make_unique<HttpSimulatorControl>(sims->a(), [sims] {
      wait_until([&] { return !sims->process_a().running(); }, 5s);
      sims->start_a();
    });
    control_b_ = std::make_unique<HttpSimulatorControl>(sims->b(), [sims] {
      wait_until([&] { return !sims->process_b().running(); }, 5s);
      sims->start_b();
    });
    a_ = {
        &sims->a(), control_a_.get(), lay.ip_a, 8443, 443, {{}, sims->fingerprint("appA"), false}};
    b_ = {
        &sims->b(), control_b_.get(), lay.ip_b, 8443, 443, {{}, sims->fingerprint("appB"), false}};
    std::map<Member, netlab::Ipv4Address> ips{{Member::A, ha.spec.ip}, {Member::B, hb.spec.ip}};
    switch (scenario_.switch_method) {
      case SwitchMethod::shared_ip:
        switcher_ = std::make_unique<SharedIpSwitch>(sims->a(), sims->b());
        target_ = spec_.shared_ip.str();
        site_ip_ = target_;
        break;
      case SwitchMethod::dns: {
        auto* named = lab_->dns();
        if (!named) throw HarnessError("a DNS swing needs a dns host in the lab");
        dns_ = named->address();
        auto swing = std::make_unique<DnsSwing>(
            DnsController{std::make_shared<netlab::Netns>(harness.ns.share()), named->address(),
                          named->key(), named->zone(), spec_.site_hostname + ".", spec_.dns_ttl_s},
            ips);
        dns_swing_ = swing.get();
        switcher_ = std::move(swing);
        target_ = spec_.site_hostname + ".";  // absolute: resolved by the client's own resolver
        break;
      }
      case SwitchMethod::nat:
        if (!lab_->nat()) throw HarnessError("a NAT swing needs a router host in the lab");
        auto nat = std::make_unique<NatSwitch>(*lab_->nat(), ips);
        nat_switch_ = nat.get();
        switcher_ = std::move(nat);
        target_ = spec_.vip.str();
        break;
    }
    facts_ = {{"appA_mac", netlab::link_mac(*ha.nl, ha.link).str()},
              {"appB_mac", netlab::link_mac(*hb.nl, hb.link).str()},
              {"lab", spec_.name},
              {"engine", "lab"}};
    for (const auto& c : scenario_.probes.clients) {
      const auto& h = lab_->host(c);
      // The analysis measures each capture's own client only: a bridge
      // floods other clients' frames to it while an appliance's port is down.
      facts_[c + "_ip"] = h.spec.ip.str();
      clients_.push_back({c, std::make_shared<netlab::Netns>(h.ns.share()), h.link, dns_});
    }
  }

  void seed(RunContext& ctx) override { seed_pair(ctx); }

  void teardown(RunContext& ctx) override {
    stop_measuring(ctx);
    dns_swing_ = nullptr;
    nat_switch_ = nullptr;
    switcher_.reset();
    if (sims_) sims_->stop();
    control_a_.reset();
    control_b_.reset();
    sims_.reset();
    network_.reset();
    if (lab_) {
      lab_.reset();
      ctx.event(EventType::info, op::lab_down,
                "every namespace, link and process of the run removed");
    }
  }

  Target& target(Member m) override { return m == Member::A ? a_ : b_; }
  Switcher& switcher() override { return *switcher_; }
  std::map<std::string, std::string> facts() override { return facts_; }
  std::string site_hostname() const override { return spec_.site_hostname; }
  std::string site_ip() const override { return site_ip_; }
  std::vector<std::string> clients() const override { return scenario_.probes.clients; }

  void start_measuring(RunContext& ctx, bool resumed) override {
    SiteWatchOptions wo;
    wo.target = target_;
    wo.port = 443;
    wo.host_header = spec_.site_hostname;
    wo.rate_hz = scenario_.probes.rate_hz;
    wo.deadline = std::chrono::milliseconds(scenario_.probes.deadline_ms);
    start_watch(ctx, clients_, wo, dir_, resumed,
                switcher_->current() == std::set{Member::B} ? "appB" : "appA");
    load_ = std::make_unique<SessionLoad>(ctx, sims_->a(), sims_->b(),
                                          scenario_.load.session_interval_ms);
  }
  void stop_load() override {
    if (load_) load_->stop();
  }
  void stop_measuring(RunContext& ctx) override {
    stop_load();
    stop_watch(ctx);
  }

  SiteAnswer reach_by_hosts_override(const std::string& client, Member m) override {
    const auto& t = target(m);
    const auto& c = lab_->host(client);
    HttpsClient site(spec_.site_hostname, t.site_port, t.trust, 5s, c.ns.name());
    site.connect_to(t.ip);  // the hosts-file override
    try {
      const auto r = site.get("/");
      return {r.status, r.header("x-served-by")};
    } catch (const HttpsError&) {
      return {0, ""};  // not reached (a partition, a dead appliance): as the model answers
    }
  }

  std::vector<Conflict> conflicts() override {
    if (site_ip_.empty() || !watch_) return {};
    // ARP probes for the shared IP from every client, then the captures so
    // far are analysed for two MACs claiming it.
    for (const auto& c : clients_)
      netlab::find_duplicate(*c.netns, c.interface, netlab::Ipv4Address::parse(site_ip_),
                             {2, 50ms, 150ms});
    netlab::AnalysisOptions o;
    o.site_port = 443;
    std::vector<Conflict> out;
    for (const auto& c : netlab::analyze_files(watch_->capture_files(), o).conflicts)
      out.push_back({c.ip.str(), c.first_appliance, c.second_appliance});
    return out;
  }

  std::set<std::string> integration_extract(const std::string& ip, Member expect) override {
    HttpDriverConfig cfg = (expect == Member::A ? sims_->a() : sims_->b()).config();
    cfg.name = "integration-client";
    cfg.host = ip;
    cfg.port = 443;
    cfg.netns = lab_->host(scenario_.probes.clients.front()).ns.name();
    HttpDriver ic(cfg);  // pinned to the expected appliance's certificate: an answer proves it
    return ic.session_lsids();
  }

  std::vector<std::vector<std::uint8_t>> update_files(const std::string& key,
                                                      const ApplianceStatus& from) override {
    return key_files(sims_->update_server(), key, from);
  }

  void arm_network(const std::string& id, const NetworkFault& given) override {
    auto f = given;
    if (f.update_server) f.second = updates_host_;
    auto ip = [&](const std::string& host) {
      try {
        return lab_->host(host).spec.ip;
      } catch (const std::exception&) {
        throw HarnessError("fault " + id + ": '" + host + "' is not a host of lab " + spec_.name);
      }
    };
    if (f.keep_conntrack) {
      if (!nat_switch_)
        throw HarnessError("fault " + id +
                           ": conntrack entries matter to a NAT swing; this run "
                           "switches by " +
                           std::string(to_string(scenario_.switch_method)));
      nat_switch_->flush_conntrack(false);
      conntrack_kept_.insert(id);
      return;
    }
    if (f.stale_arp_ms > 0) {
      ignore_gratuitous_arp(id, f.first, f.stale_arp_ms);
      return;
    }
    if (!network_) network_ = netlab::Faults::create(lab_->sw(), lab_->prefix());
    auto& ids = armed_[id];
    if (f.dns_down) {
      // The server answers nobody: every DNS packet to it is dropped on the switch.
      const auto dns = spec_.with_role(netlab::HostRole::dns);
      if (dns.empty())
        throw HarnessError("fault " + id + ": lab " + spec_.name + " has no dns host");
      for (const auto proto : {netlab::L4Proto::udp, netlab::L4Proto::tcp}) {
        const auto n = id + "-" + std::to_string(ids.size());
        network_->arm(n, netlab::DropPort{dns.front()->ip, 53, proto});
        ids.push_back(n);
      }
      return;
    }
    if (f.loss_percent >= 100 && !f.second.empty()) {
      std::vector<std::pair<netlab::Ipv4Address, netlab::Ipv4Address>> pairs{
          {ip(f.first), ip(f.second)}};
      // An appliance is also reached at the site addresses it may hold.
      for (const auto& [app, other] : {std::pair{f.first, f.second}, std::pair{f.second, f.first}})
        if (spec_.host(app).role == netlab::HostRole::appliance)
          for (const auto site : {spec_.shared_ip, spec_.vip}) pairs.emplace_back(ip(other), site);
      for (std::size_t i = 0; i < pairs.size(); ++i) {
        const auto n = id + "-" + std::to_string(i);
        network_->arm(n, netlab::Partition{pairs[i].first, pairs[i].second});
        ids.push_back(n);
      }
      return;
    }
    // Loss between the host and every address the site has in the lab.
    const auto host = ip(f.first);
    std::vector<netlab::Ipv4Address> site{spec_.shared_ip, spec_.vip};
    for (const auto* a : spec_.with_role(netlab::HostRole::appliance)) site.push_back(a->ip);
    for (std::size_t i = 0; i < site.size(); ++i) {
      const auto n = id + "-" + std::to_string(i);
      network_->arm(n, netlab::Loss{host, site[i], static_cast<int>(f.loss_percent)});
      ids.push_back(n);
    }
  }
  void disarm_network(const std::string& id) override {
    if (const auto it = garp_.find(id); it != garp_.end()) {
      const auto& h = lab_->host(it->second);
      netlab::Nft::open(h.ns).run("delete table arp " + lab_->prefix().name("garp"));
      for (const auto& [key, value] : garp_sysctls_[id]) write_neigh_sysctl(h, key, value);
      garp_.erase(it);
      garp_sysctls_.erase(id);
      return;
    }
    if (conntrack_kept_.erase(id) > 0 && nat_switch_) nat_switch_->flush_conntrack(true);
    for (const auto& n : armed_[id]) network_->disarm(n);
    armed_.erase(id);
  }

  void flap_link(const std::string& host, std::chrono::milliseconds down) override {
    // The switch's end of the host's cable: the host loses its carrier, as
    // with a pulled cable or a rebooting switch port, and goes on sending
    // (into a dead link, seen by its capture), unlike an interface set down.
    lab_->host(host);  // names an unknown host
    const auto port = lab_->prefix().name(host + "-s");
    const auto sw = netlab::NetlinkSocket::open(lab_->sw());
    netlab::set_link_up(*sw, port, false);
    pause(down);
    netlab::set_link_up(*sw, port, true);
  }

  void set_site_ttl(int ttl_s) override {
    if (!dns_swing_)
      throw HarnessError(
          "long_ttl: the site record's TTL matters to a DNS swing; this run "
          "switches by " +
          std::string(to_string(scenario_.switch_method)));
    dns_swing_->set_ttl(ttl_s);
    if (watch_) watch_->forget_dns();  // as if every client had cached it with that TTL
  }

 private:
  static std::string read_neigh_sysctl(const netlab::LabHost& h, const std::string& key) {
    return netlab::run_in_netns(h.ns, [&] {
      std::ifstream f("/proc/sys/net/ipv4/neigh/" + h.link + "/" + key);
      std::string v;
      std::getline(f, v);
      return v;
    });
  }
  static void write_neigh_sysctl(const netlab::LabHost& h, const std::string& key,
                                 const std::string& value) {
    netlab::run_in_netns(h.ns, [&] {
      const auto path = "/proc/sys/net/ipv4/neigh/" + h.link + "/" + key;
      std::ofstream f(path);
      f << value;
      if (!f) throw HarnessError("cannot write " + path + " in " + h.ns.name());
    });
  }

  /// stale_arp_client: the client's kernel drops gratuitous ARP for the shared
  /// IP (an nft `arp` table in its namespace), and its neighbour entries go
  /// stale `ms` after their last confirmation, then are probed once by
  /// unicast (to the old holder, which no longer answers for the address)
  /// before it asks by broadcast again.
  void ignore_gratuitous_arp(const std::string& id, const std::string& client, std::int64_t ms) {
    if (site_ip_.empty())
      throw HarnessError("fault " + id +
                         ": gratuitous ARP matters to a shared IP switch; this "
                         "run switches by " +
                         std::string(to_string(scenario_.switch_method)));
    const netlab::LabHost* h = nullptr;
    try {
      h = &lab_->host(client);
    } catch (const std::exception&) {
      throw HarnessError("fault " + id + ": '" + client + "' is not a host of lab " + spec_.name);
    }
    const auto table = lab_->prefix().name("garp");
    netlab::Nft::open(h->ns).run("add table arp " + table + "\n" + "add chain arp " + table +
                                 " input { type filter hook input priority 0; policy accept; }\n" +
                                 "add rule arp " + table + " input arp saddr ip " + site_ip_ +
                                 " arp daddr ip " + site_ip_ + " drop\n");
    auto& saved = garp_sysctls_[id];
    const std::vector<std::pair<std::string, std::string>> wanted{
        {"base_reachable_time_ms", std::to_string(ms)},
        {"delay_first_probe_time", "1"},
        {"retrans_time_ms", "100"},
        {"ucast_solicit", "1"}};
    for (const auto& [key, value] : wanted) {
      saved.emplace_back(key, read_neigh_sysctl(*h, key));
      write_neigh_sysctl(*h, key, value);
    }
    // The entry it holds runs on the old timers (Linux's 15 to 45 s): asked
    // again at once, it lives by the new ones.
    netlab::forget_neighbour(*h->nl, h->link, netlab::Ipv4Address::parse(site_ip_));
    garp_[id] = client;
  }

  /// Runs side by side: this run's own lab slot (prefix, subnet), recorded
  /// in the run directory so that a resumed run takes the same one again.
  void place(const fs::path& dir) {
    const auto slot_file = dir / "lab-slot";
    if (fs::exists(slot_file)) {
      slot_.emplace(netlab::LabSlot::take(std::stoi(read_text(slot_file))));
      return;  // the run directory's lab.yaml is placed already
    }
    slot_.emplace(netlab::LabSlot::acquire(state_dir_));
    spec_ = slot_->place(spec_);
    write_text(dir / "lab.yaml", netlab::to_lab_yaml(spec_));
    write_text(slot_file, std::to_string(slot_->index()) + "\n");
  }

  Scenario scenario_;
  netlab::LabSpec spec_;
  fs::path state_dir_;
  std::optional<netlab::LabSlot> slot_;  ///< released after the lab is down
  const RunHooks& hooks_;
  fs::path dir_;
  std::unique_ptr<netlab::Lab> lab_;
  std::unique_ptr<SimulatorSet> sims_;
  std::unique_ptr<HttpSimulatorControl> control_a_, control_b_;
  std::unique_ptr<Switcher> switcher_;
  Target a_, b_;
  std::string target_, site_ip_;
  std::string updates_host_;  ///< the lab host the update server runs on
  std::optional<netlab::DnsServerAddress> dns_;
  std::map<std::string, std::string> facts_;
  std::vector<WatchedClient> clients_;
  std::unique_ptr<SessionLoad> load_;
  std::optional<netlab::Faults> network_;
  std::map<std::string, std::vector<std::string>> armed_;
  DnsSwing* dns_swing_ = nullptr;            ///< the switcher, when it swings DNS
  NatSwitch* nat_switch_ = nullptr;          ///< the switcher, when it swings NAT
  std::set<std::string> conntrack_kept_;     ///< conntrack_not_flushed faults armed
  std::map<std::string, std::string> garp_;  ///< stale_arp_client faults: id -> client
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> garp_sysctls_;
};

}  // namespace

std::unique_ptr<Engine> make_lab_engine(const Scenario& scenario, const fs::path& lab_state_dir,
                                        const RunHooks& hooks) {
  auto spec = netlab::load_lab_file(scenario.lab);
  for (const auto& c : scenario.probes.clients) {
    const auto clients = spec.with_role(netlab::HostRole::client);
    if (std::none_of(clients.begin(), clients.end(), [&](auto* h) { return h->name == c; }))
      throw ScenarioError(scenario.file.string() + ": probes.clients: '" + c +
                          "' is not a client host of lab " + spec.name);
  }
  if (spec.with_role(netlab::HostRole::appliance).size() != 2)
    throw ScenarioError(scenario.lab.string() +
                        ": a lab for a run needs exactly two appliance hosts");
  return std::make_unique<LabEngine>(
      scenario, std::move(spec),
      lab_state_dir.empty() ? netlab::default_lab_state_dir() : lab_state_dir, hooks);
}

}  // namespace failover_hil::hil
