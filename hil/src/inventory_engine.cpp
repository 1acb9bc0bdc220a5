// The inventory engine: physical appliances (or simulators started
// elsewhere) named in an inventory file; this host is the one client.
#include <netinet/in.h>

#include <thread>

#include "engines.hpp"
#include "failover_hil/hil/http_driver.hpp"
#include "failover_hil/hil/inventory.hpp"
#include "failover_hil/hil/site_watch.hpp"
#include "failover_hil/hil/switchers.hpp"
#include "failover_hil/netlab/conntrack.hpp"
#include "failover_hil/netlab/dup_check.hpp"
#include "failover_hil/netlab/nat_swing.hpp"
#include "failover_hil/netlab/neighbour.hpp"
#include "http_simulator_control.hpp"
#include "run_context.hpp"

namespace fs = std::filesystem;

namespace failover_hil::hil {

using namespace std::chrono_literals;

namespace {

TlsTrust trust_of(const InventoryAppliance& a) {
  return TlsTrust{a.ca_file.string(), a.fingerprint, false};
}

std::string absolute(std::string name) {
  return name.ends_with('.') ? name : name + ".";
}

netlab::Ipv4Address ipv4_of(const Inventory& inv, const InventoryAppliance& a, const char* method) {
  try {
    return netlab::Ipv4Address::parse(a.unique_ip);
  } catch (const std::exception&) {
    throw HarnessError(inv.file.string() + ": a " + method + " needs IPv4 unique_ip of " + a.name +
                       "; it is '" + a.unique_ip + "'");
  }
}

class InventoryEngine final : public RealTimeEngine {
 public:
  InventoryEngine(const Scenario& scenario, Inventory inv, const RunHooks& hooks)
      : scenario_(scenario), inv_(std::move(inv)), hooks_(hooks) {}

  EngineKind kind() const override { return EngineKind::inventory; }

  void setup(const fs::path& dir) override {
    dir_ = dir;
    auto prompt = hooks_.prompt;
    if (!prompt && !(inv_.a.simulator && inv_.b.simulator))
      throw HarnessError(
          "an inventory of physical appliances needs an operator (RunHooks::prompt)");
    for (const auto* a : {&inv_.a, &inv_.b}) {
      HttpDriverConfig c{a->name,
                         a->host,
                         a->port,
                         trust_of(*a),
                         ApiCredentials::from_file(a->credentials_file),
                         a->simulator,
                         {}};
      drivers_.push_back(std::make_unique<HttpDriver>(c, prompt));
      // Simulators started elsewhere: their faults, but nobody here powers them on again.
      controls_.push_back(a->simulator ? std::make_unique<HttpSimulatorControl>(
                                             *drivers_.back(), std::function<void()>{})
                                       : nullptr);
    }
    // The API at the URL's port (the peer channel too); the site at site.port.
    a_ = {drivers_[0].get(), controls_[0].get(), inv_.a.unique_ip,
          inv_.a.port,       inv_.site_port,     trust_of(inv_.a)};
    b_ = {drivers_[1].get(), controls_[1].get(), inv_.b.unique_ip,
          inv_.b.port,       inv_.site_port,     trust_of(inv_.b)};
    auto addresses = [&](const char* method) {
      return std::map<Member, netlab::Ipv4Address>{{Member::A, ipv4_of(inv_, inv_.a, method)},
                                                   {Member::B, ipv4_of(inv_, inv_.b, method)}};
    };
    target_ = inv_.site_host;
    switch (inv_.switch_method) {
      case SwitchMethod::shared_ip:
        switcher_ = std::make_unique<SharedIpSwitch>(*drivers_[0], *drivers_[1]);
        site_ip_ = inv_.site_host;
        break;
      case SwitchMethod::dns:
        // This host resolves the site's name at the zone's server, caching
        // by the record's TTL as a client's resolver does.
        dns_ = netlab::DnsServerAddress{netlab::Ipv4Address::parse(inv_.dns.server), inv_.dns.port};
        switcher_ = std::make_unique<DnsSwing>(
            DnsController{std::make_shared<netlab::Netns>(netlab::Netns::current()), *dns_,
                          netlab::TsigKey::read_file(inv_.dns.tsig_key_file),
                          absolute(inv_.dns.zone), absolute(inv_.dns.record), inv_.dns.ttl_s},
            addresses("DNS swing"));
        target_ = absolute(inv_.dns.record);
        break;
      case SwitchMethod::nat: {
        // The NAT is this host's table: clients routed through it, and this
        // host's own probes (an output chain), reach the VIP at A first.
        const auto ips = addresses("NAT swing");
        netlab::NatSwingConfig c{netlab::Ipv4Address::parse(inv_.nat.vip), {inv_.site_port}};
        c.local_output = true;
        c.any_address = true;
        nat_.emplace(netlab::NatSwing::create_table(netlab::Netns::current(), inv_.nat.table, c,
                                                    ips.at(Member::A)));
        switcher_ = std::make_unique<NatSwitch>(*nat_, ips);
        target_ = inv_.nat.vip;
        // No site filter for the analysis (as in a lab's NAT swing): this
        // host's probes are DNAT'ed before any capture point, so the wire
        // shows A's and B's addresses, never the VIP, and a VIP filter left
        // no probe to measure (the switch downtime read 0 ms unmeasured).
        break;
      }
    }
    identify_ = identifier();
  }

  /// Which appliance gave an HTTPS answer, from what this host's kernel
  /// knows (a physical appliance sends no X-Served-By): after a DNS swing
  /// the address connected to; through the NAT the conntrack entry's real
  /// destination; on the shared IP the MAC the neighbour table holds for it,
  /// against each appliance's MAC, learnt by ARP on capture_interface.
  SiteWatchOptions::Identify identifier() {
    std::map<std::string, std::string> by_ip{{inv_.a.unique_ip, inv_.a.name},
                                             {inv_.b.unique_ip, inv_.b.name}};
    auto name_of = [by_ip](const std::string& ip) {
      const auto it = by_ip.find(ip);
      return it == by_ip.end() ? std::string() : it->second;
    };
    switch (inv_.switch_method) {
      case SwitchMethod::dns:
        return
            [name_of](const std::string&, const netlab::ProbeRecord& r) { return name_of(r.peer); };
      case SwitchMethod::nat: {
        const auto vip = netlab::Ipv4Address::parse(inv_.nat.vip);
        // Opened once: this runs for every answer of the HTTPS flow.
        auto here = std::make_shared<netlab::Netns>(netlab::Netns::current());
        return [name_of, vip, here](const std::string&, const netlab::ProbeRecord& r) {
          for (const auto& e : netlab::list_conntrack(*here))
            if (e.protocol == IPPROTO_TCP && e.orig_dst == vip && e.orig_src_port == r.local_port)
              return name_of(e.reply_src.str());
          return std::string();
        };
      }
      case SwitchMethod::shared_ip:
        break;
    }
    const auto& link = inv_.capture_interface;
    if (link == "any")
      throw HarnessError(inv_.file.string() +
                         ": a shared IP switch tells the appliances apart by their MACs: set "
                         "capture_interface to this host's interface on their subnet");
    const auto here = netlab::Netns::current();
    std::map<netlab::MacAddress, std::string> by_mac;
    for (const auto* a : {&inv_.a, &inv_.b}) {
      const auto ip = ipv4_of(inv_, *a, "shared IP switch");
      const auto mac = netlab::find_duplicate(here, link, ip, {3, 50ms, 300ms});
      if (!mac)
        throw HarnessError(a->name + " (" + a->unique_ip + ") does not answer ARP on " + link +
                           ": a shared IP switch needs this host on the appliances' subnet");
      by_mac[*mac] = a->name;
      facts_[a->name + "_mac"] = mac->str();  // the analysis tells answers apart by them too
    }
    auto nl = netlab::NetlinkSocket::open(here);
    const auto site = netlab::Ipv4Address::parse(inv_.site_host);
    return [nl, link, site, by_mac](const std::string&, const netlab::ProbeRecord&) {
      const auto mac = netlab::neighbour_mac(*nl, link, site);
      const auto it = mac ? by_mac.find(*mac) : by_mac.end();
      return it == by_mac.end() ? std::string() : it->second;
    };
  }

  /// The pair in production, checked rather than built.
  void seed(RunContext& ctx) override {
    const auto a = ctx.observe(ctx.A());
    const auto b = ctx.observe(ctx.B());
    if (a.role != Role::primary || b.role != Role::backup)
      throw HarnessError("the inventory's pair is not in its starting state: expected " +
                         ctx.A().name() + " primary and " + ctx.B().name() + " backup, found " +
                         std::string(to_string(a.role)) + " and " + std::string(to_string(b.role)));
    ctx.event(EventType::ok, op::seeded, "the inventory's pair: primary and backup as expected");
  }

  void teardown(RunContext& ctx) override {
    stop_measuring(ctx);
    switcher_.reset();
    nat_.reset();  // the table goes with it
  }

  Target& target(Member m) override { return m == Member::A ? a_ : b_; }
  Switcher& switcher() override { return *switcher_; }
  std::map<std::string, std::string> facts() override {
    auto f = facts_;
    f["inventory"] = inv_.file.string();
    f["engine"] = "inventory";
    return f;
  }
  std::string site_hostname() const override { return inv_.site_host; }
  std::string site_ip() const override { return site_ip_; }
  std::vector<std::string> clients() const override { return {"local"}; }

  void start_measuring(RunContext& ctx, bool resumed) override {
    SiteWatchOptions wo;
    wo.target = target_;
    wo.port = inv_.site_port;
    wo.host_header = inv_.site_host;
    wo.rate_hz = scenario_.probes.rate_hz;
    wo.deadline = std::chrono::milliseconds(scenario_.probes.deadline_ms);
    wo.identify = identify_;
    // This host is the one client: it probes and captures on the given interface.
    start_watch(
        ctx, {{"local", nullptr, inv_.capture_interface, dns_}}, wo, dir_, resumed,
        switcher_->current() == std::set{Member::B} ? b_.driver->name() : a_.driver->name());
  }
  void stop_load() override {}
  void stop_measuring(RunContext& ctx) override { stop_watch(ctx); }

  SiteAnswer reach_by_hosts_override(const std::string&, Member m) override {
    const auto& t = target(m);
    HttpsClient site(inv_.site_host, t.site_port, t.trust, 5s);
    site.connect_to(t.ip);  // the hosts-file override
    const auto r = site.get("/");
    // The connection went to this appliance's own address: it answered.
    return {r.status, r.status / 100 == 2 ? t.driver->name() : std::string()};
  }
  std::vector<Conflict> conflicts() override { return {}; }
  std::set<std::string> integration_extract(const std::string& ip, Member expect) override {
    HttpDriverConfig cfg = drivers_[expect == Member::A ? 0 : 1]->config();
    cfg.name = "integration-client";
    cfg.host = ip;
    HttpDriver ic(cfg);
    return ic.session_lsids();
  }
  std::vector<std::vector<std::uint8_t>> update_files(const std::string&,
                                                      const ApplianceStatus&) override {
    throw HarnessError("manual update files come from the vendor: run the update step by operator");
  }
  void arm_network(const std::string& id, const NetworkFault&) override {
    throw HarnessError("fault " + id + " needs a lab (its switch); an inventory has none");
  }
  void disarm_network(const std::string&) override {}

 private:
  Scenario scenario_;
  Inventory inv_;
  const RunHooks& hooks_;
  fs::path dir_;
  std::vector<std::unique_ptr<HttpDriver>> drivers_;
  std::vector<std::unique_ptr<HttpSimulatorControl>> controls_;
  std::unique_ptr<Switcher> switcher_;
  Target a_, b_;
  std::string site_ip_, target_;
  std::optional<netlab::DnsServerAddress> dns_;
  std::optional<netlab::NatSwing> nat_;
  SiteWatchOptions::Identify identify_;
  std::map<std::string, std::string> facts_;
};

}  // namespace

std::unique_ptr<Engine> make_inventory_engine(const Scenario& scenario, const fs::path& inventory,
                                              const RunHooks& hooks) {
  return std::make_unique<InventoryEngine>(scenario, load_inventory(inventory), hooks);
}

}  // namespace failover_hil::hil
