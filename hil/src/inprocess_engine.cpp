// The in-process engine: the procedure against two appliance models in
// virtual time. The network is modelled as the harness sees it: who holds the
// shared IP, a DNS record with each client's cache and its TTL, a NAT target,
// and partitions between a client and an appliance. Simulated durations
// (installs, syncs) run `time_scale` faster than the harness's time, as
// bseries-sim does in a lab, so both engines see the same procedure.
#include <algorithm>

#include "engines.hpp"
#include "failover_hil/hil/model_pair.hpp"
#include "failover_hil/hil/switchers.hpp"
#include "failover_hil/netlab/lab_spec.hpp"
#include "fault_plan.hpp"
#include "run_context.hpp"
#include "session_load.hpp"
#include "sim_network.hpp"

namespace fs = std::filesystem;

namespace failover_hil::hil {

using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kMs = 1'000'000;

/// Points the site at an appliance: a DNS record or a NAT entry, in memory.
/// `on_switch` runs after each change (the NAT flushes the site's conntrack entries).
class ModelPointer final : public Switcher {
 public:
  ModelPointer(SwitchMethod m, std::function<void()> on_switch)
      : method_(m), on_switch_(std::move(on_switch)) {}
  SwitchMethod method() const override { return method_; }
  void switch_to(Member m) override {
    reachable_or_throw();
    current_ = m;
    if (on_switch_) on_switch_();
  }
  std::set<Member> current() override {
    reachable_or_throw();
    return {current_};
  }
  Member at() const { return current_; }
  /// dns_server_down: the DNS controller does not answer.
  void set_unreachable(bool down) { unreachable_ = down; }

 private:
  void reachable_or_throw() const {
    if (unreachable_)
      throw HarnessError("DNS update of the site record: the DNS server does not answer");
  }
  SwitchMethod method_;
  std::function<void()> on_switch_;
  Member current_ = Member::A;
  bool unreachable_ = false;
};

class InProcessEngine final : public Engine {
 public:
  InProcessEngine(const Scenario& scenario, netlab::LabSpec spec)
      : scenario_(scenario), spec_(std::move(spec)) {
    // The timeline's clock starts with the model's, before anything is built.
    now_ns_ = t0_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           ManualClock::default_start().time_since_epoch())
                           .count();
  }

  EngineKind kind() const override { return EngineKind::inprocess; }

  void setup(const fs::path&) override {
    ModelPairOptions o;
    o.from = scenario_.from;
    o.to = scenario_.to;
    o.seed = scenario_.random_seed;
    o.time_scale = scenario_.time_scale;
    o.defect = scenario_.defect;
    for (const auto* h : spec_.with_role(netlab::HostRole::appliance))
      (h->name == "appA" ? o.ip_a : o.ip_b) = h->ip.str();
    o.shared_ip = spec_.shared_ip.str();
    o.hostname = spec_.site_hostname;
    pair_ = std::make_unique<ModelPair>(o);
    pair_->clock().set(ManualClock::default_start());
    // The network's one generator (ARP entry lifetimes), from the run's seed.
    rng_ = SplitMix64(scenario_.random_seed, "network");
    net_ = std::make_unique<SimNetwork>(
        NetworkParams{}, scenario_.probes.clients,
        [this](Member m) { return pair_->holds_shared_ip(m); },
        [this](const std::string& c, Member m) { return partitioned(c, m); });
    pair_->on_shared_ip_change(
        [this](Member m, bool holds) { net_->shared_ip_changed(m, holds, now_ns_); });
    start_ = pair_->clock().now();
    a_ = {&pair_->driver(Member::A), &pair_->control(Member::A), o.ip_a, 8443, 443, {}};
    b_ = {&pair_->driver(Member::B), &pair_->control(Member::B), o.ip_b, 8443, 443, {}};
    if (scenario_.switch_method == SwitchMethod::shared_ip) {
      switcher_ = std::make_unique<SharedIpSwitch>(*a_.driver, *b_.driver);
    } else {
      auto pointer =
          std::make_unique<ModelPointer>(scenario_.switch_method, [this] { net_->nat_flush(); });
      pointer_ = pointer.get();
      switcher_ = std::move(pointer);
    }
  }

  void seed(RunContext& ctx) override { seed_pair(ctx); }
  void teardown(RunContext&) override { load_on_ = false; }

  Target& target(Member m) override { return m == Member::A ? a_ : b_; }
  Switcher& switcher() override { return *switcher_; }
  std::map<std::string, std::string> facts() override {
    return {{"engine", "inprocess"},
            {"lab", spec_.name},
            {"seed", std::to_string(scenario_.random_seed)},
            {"time_scale", std::to_string(scenario_.time_scale)}};
  }
  std::string site_hostname() const override { return spec_.site_hostname; }
  std::string site_ip() const override {
    return scenario_.switch_method == SwitchMethod::shared_ip ? spec_.shared_ip.str() : "";
  }
  std::vector<std::string> clients() const override { return scenario_.probes.clients; }

  // ---- virtual time
  std::int64_t now_ns() override { return now_ns_; }
  bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit,
                std::chrono::milliseconds every, const std::function<void()>& between) override {
    const auto deadline = now_ns_ + limit.count() * kMs;
    for (;;) {
      if (done()) return true;
      between();
      if (now_ns_ >= deadline) return false;
      advance_to(std::min(deadline, now_ns_ + std::max<std::int64_t>(every.count(), 1) * kMs));
      // What fell due while time passed acts before the next look, as in a
      // lab, where time passes during the look itself.
      between();
    }
  }
  void pause(std::chrono::milliseconds d) override { advance_to(now_ns_ + d.count() * kMs); }

  // ---- the clients
  void start_measuring(RunContext& ctx, bool) override {
    ctx_ = &ctx;
    for (const auto& c : scenario_.probes.clients) resolve(c);
    sample();
    load_on_ = scenario_.load.session_interval_ms > 0;
    next_load_ns_ = now_ns_ + scenario_.load.session_interval_ms * kMs;
    ctx.event(EventType::ok, op::measuring,
              "the model's availability for every client (in-process: no packets)");
  }
  void stop_load() override { load_on_ = false; }
  void stop_measuring(RunContext&) override {
    load_on_ = false;
    ctx_ = nullptr;
  }
  std::map<std::string, ServedBy> served_by() override {
    std::map<std::string, ServedBy> out;
    for (const auto& c : scenario_.probes.clients)
      if (const auto m = reached(c)) out[c] = {std::string(name(*m)), now_ns_};
    // A client cut off keeps its last answer, as a real flow does.
    for (const auto& [c, s] : last_served_)
      if (!out.contains(c)) out[c] = s;
    for (const auto& [c, s] : out) last_served_[c] = s;
    return out;
  }

  SiteAnswer reach_by_hosts_override(const std::string& client, Member m) override {
    if (partitioned(client, m) || !pair_->serves_site(m)) return {0, ""};
    return {200, std::string(name(m))};
  }

  std::vector<Conflict> conflicts() override {
    std::vector<Conflict> out;
    for (const auto& c : net_->conflicts())
      out.push_back(
          {spec_.shared_ip.str(), std::string(name(c.first)), std::string(name(c.second))});
    return out;
  }

  std::set<std::string> integration_extract(const std::string& ip, Member expect) override {
    std::optional<Member> at;
    if (ip == a_.ip) at = Member::A;
    if (ip == b_.ip) at = Member::B;
    if (ip == spec_.shared_ip.str()) at = pair_->shared_ip_holder();
    if (at != expect)
      throw HarnessError("integration client: " + ip + " is not answered by " +
                         std::string(name(expect)));
    return pair_->integration_extract(expect);
  }

  std::vector<std::vector<std::uint8_t>> update_files(const std::string& key,
                                                      const ApplianceStatus& from) override {
    return pair_->key_files(key, from);
  }

  void arm_network(const std::string& id, const NetworkFault& f) override {
    if (f.dns_down || f.keep_conntrack || f.stale_arp_ms > 0) {
      const auto needs = f.dns_down         ? SwitchMethod::dns
                         : f.keep_conntrack ? SwitchMethod::nat
                                            : SwitchMethod::shared_ip;
      if (scenario_.switch_method != needs)
        throw HarnessError("fault " + id + " acts on a " + std::string(to_string(needs)) +
                           " switch; this run switches by " +
                           std::string(to_string(scenario_.switch_method)));
      if (f.dns_down) pointer_->set_unreachable(dns_down_ = true);
      if (f.keep_conntrack) keep_flows_ = true;
      if (f.stale_arp_ms > 0) stale_arp_[f.first] = {f.stale_arp_ms * kMs, std::nullopt, 0};
      model_faults_[id] = f;
      sample();
      return;
    }
    if (f.update_server) {
      const auto m = parse_member(f.first);
      pair_->cut_update_server(m, true);
      update_cuts_[id] = m;
      return;
    }
    const auto appliance = [](const std::string& h) -> std::optional<Member> {
      if (h == "appA") return Member::A;
      if (h == "appB") return Member::B;
      return std::nullopt;
    };
    const auto a = appliance(f.first), b = appliance(f.second);
    if (f.loss_percent < 100 || (a && b) || (!a && !b))
      throw HarnessError("fault " + id +
                         ": the in-process engine models a partition between a client and an "
                         "appliance only; run it on the lab engine");
    partitions_[id] = {a ? f.second : f.first, a ? *a : *b};
    sample();
  }
  void disarm_network(const std::string& id) override {
    if (const auto it = model_faults_.find(id); it != model_faults_.end()) {
      if (it->second.dns_down) pointer_->set_unreachable(dns_down_ = false);
      if (it->second.keep_conntrack) {
        keep_flows_ = false;
        flow_pin_.clear();
      }
      if (it->second.stale_arp_ms > 0) stale_arp_.erase(it->second.first);
      model_faults_.erase(it);
    }
    if (const auto it = update_cuts_.find(id); it != update_cuts_.end()) {
      pair_->cut_update_server(it->second, false);
      update_cuts_.erase(it);
    }
    partitions_.erase(id);
    sample();
  }

  void flap_link(const std::string& host, std::chrono::milliseconds down) override {
    // Modelled as the host cut from the site: a client from both appliances,
    // an appliance from every client.
    const auto id = "link-flap-" + host;
    if (host == "appA" || host == "appB") {
      for (const auto& c : scenario_.probes.clients)
        partitions_[id + "-" + c] = {c, parse_member(host)};
    } else {
      for (const auto m : {Member::A, Member::B})
        partitions_[id + "-" + std::string(name(m))] = {host, m};
    }
    sample();
    pause(down);
    for (auto it = partitions_.begin(); it != partitions_.end();)
      it = it->first.rfind(id, 0) == 0 ? partitions_.erase(it) : std::next(it);
    sample();
  }

  void set_site_ttl(int ttl_s) override {
    if (scenario_.switch_method != SwitchMethod::dns)
      throw HarnessError(
          "long_ttl: the site record's TTL matters to a DNS swing; this run "
          "switches by " +
          std::string(to_string(scenario_.switch_method)));
    ttl_s_ = ttl_s;
    // As if every client had cached the record with that TTL.
    for (const auto& c : scenario_.probes.clients)
      dns_cache_[c] = {pointer_->at(), now_ns_ + ttl_ns()};
    sample();
  }

 private:
  /// Harness time to the model's (simulated durations run time_scale faster).
  TimePoint model_time(std::int64_t ns) const {
    const double ms = static_cast<double>(ns - t0_ns_) / 1e6 * scenario_.time_scale;
    return start_ + Duration(static_cast<std::int64_t>(ms));
  }
  std::int64_t harness_ns(TimePoint t) const {
    const double ms = static_cast<double>((t - start_).count()) / scenario_.time_scale;
    return t0_ns_ + static_cast<std::int64_t>(ms * 1e6) + 1;
  }

  void advance_to(std::int64_t until) {
    // What driver calls and faults changed at this instant counts from now,
    // not from the next tick.
    sample();
    while (now_ns_ < until) {
      auto next = until;
      if (load_on_) next = std::min(next, next_load_ns_);
      if (const auto due = pair_->next_due())
        next = std::min(next, std::max(now_ns_ + 1, harness_ns(*due)));
      // An answer that expired while the DNS server was down stays expired:
      // waking at it again would creep a nanosecond at a time (explore).
      for (const auto& [c, cache] : dns_cache_)
        if (cache.second > now_ns_) next = std::min(next, cache.second);
      if (const auto due = net_->next_due(now_ns_)) next = std::min(next, *due);
      if (ctx_ && ctx_->faults)
        if (const auto due = ctx_->faults->next_due_ns())
          next = std::min(next, std::max(now_ns_ + 1, *due));
      now_ns_ = next;
      pair_->run_until(model_time(now_ns_));
      net_->advance(now_ns_);
      for (const auto& c : scenario_.probes.clients) resolve(c);
      if (load_on_ && now_ns_ >= next_load_ns_) {
        next_load_ns_ += scenario_.load.session_interval_ms * kMs;
        load();
      }
      sample();
      // A timed fault fires at its instant: time stopped there for it, and
      // stepping on without firing it would creep a nanosecond at a time.
      if (ctx_ && ctx_->faults)
        if (const auto due = ctx_->faults->next_due_ns(); due && *due <= now_ns_)
          ctx_->faults->tick();
    }
  }

  std::int64_t ttl_ns() const {
    return std::int64_t{ttl_s_ ? ttl_s_ : spec_.dns_ttl_s} * 1000 * kMs;
  }

  /// DNS swing: a client re-resolves when its cached answer expires (and
  /// has no answer while the DNS server is down).
  void resolve(const std::string& client) {
    if (scenario_.switch_method != SwitchMethod::dns) return;
    auto& cache = dns_cache_[client];
    if (cache.second != 0 && now_ns_ < cache.second) return;
    if (dns_down_) {
      unresolved_.insert(client);
      return;
    }
    unresolved_.erase(client);
    cache = {pointer_->at(), now_ns_ + ttl_ns()};
  }

  /// stale_arp_client: the shared IP's holder as the client's stale
  /// neighbour entry has it. A new holder's gratuitous ARP is ignored; the
  /// old entry is given up `timeout` after the last answer through it.
  std::optional<Member> arp_holder(const std::string& client, std::optional<Member> holder) {
    const auto it = stale_arp_.find(client);
    if (it == stale_arp_.end()) return holder;
    auto& s = it->second;
    if (!s.cached || !holder) {
      if (holder) s.cached = holder;
      s.confirmed_ns = now_ns_;
      return holder;
    }
    if (*s.cached == *holder) {
      s.confirmed_ns = now_ns_;
      return holder;
    }
    if (now_ns_ - s.confirmed_ns < s.timeout_ns) return s.cached;  // the old holder: no answer
    s.cached = holder;
    s.confirmed_ns = now_ns_;
    return holder;
  }

  bool partitioned(const std::string& client, Member m) const {
    return std::any_of(partitions_.begin(), partitions_.end(), [&](const auto& p) {
      return p.second.first == client && p.second.second == m;
    });
  }

  /// The appliance a client's flow reaches now, if any answers.
  std::optional<Member> reached(const std::string& client) {
    std::optional<Member> m;
    switch (scenario_.switch_method) {
      case SwitchMethod::shared_ip: {
        m = net_->shared_ip_reaches(client, now_ns_, rng_);
        if (stale_arp_.contains(client)) {
          // stale_arp_client: its entry ignores gratuitous ARP until it times out.
          const auto holder = pair_->shared_ip_holder();
          if (arp_holder(client, holder) != holder) return std::nullopt;
        }
        break;
      }
      case SwitchMethod::dns: {
        resolve(client);
        if (unresolved_.contains(client)) return std::nullopt;
        m = dns_cache_[client].first;
        break;
      }
      case SwitchMethod::nat:
        if (keep_flows_) {
          // conntrack_not_flushed: the flow keeps the appliance it reached.
          m = pointer_->at();
          auto& pin = flow_pin_[client];
          if (pin && pair_->serves_site(*pin) && !partitioned(client, *pin)) return pin;
          pin = m;
        } else {
          m = net_->nat_reaches(client, pointer_->at());
        }
        break;
    }
    if (!m || partitioned(client, *m) || !pair_->serves_site(*m)) return std::nullopt;
    return m;
  }

  /// Records every change of a client's availability on the timeline, and
  /// every IP conflict a client saw (R23).
  void sample() {
    if (!ctx_) return;
    for (const auto& c : net_->take_new_conflicts())
      ctx_->event(EventType::observe, op::ip_conflict,
                  "R23: " + std::string(name(c.second)) + " claimed the shared IP while " +
                      std::string(name(c.first)) + " held it",
                  {{"ip", spec_.shared_ip.str()},
                   {"first", std::string(name(c.first))},
                   {"second", std::string(name(c.second))}},
                  c.client);
    for (const auto& c : scenario_.probes.clients) {
      const auto m = reached(c);
      const std::string now = m ? std::string(name(*m)) : "";
      const auto it = state_.find(c);
      if (it != state_.end() && it->second == now) continue;
      state_[c] = now;
      ctx_->event(EventType::observe, op::availability, m ? "up" : "down",
                  {{"up", m ? "true" : "false"}, {"appliance", now}}, c);
    }
  }

  /// The client load: a session record on whichever appliance serves the first client.
  void load() {
    const auto m = reached(scenario_.probes.clients.front());
    if (!m || !ctx_) return;
    auto e = load_session(*target(*m).driver, scenario_.from, ++load_n_);
    e.t_ns = now_ns_;
    ctx_->timeline->add(e);
  }

  Scenario scenario_;
  netlab::LabSpec spec_;
  std::unique_ptr<ModelPair> pair_;
  SplitMix64 rng_{1, "network"};
  std::unique_ptr<SimNetwork> net_;
  std::unique_ptr<Switcher> switcher_;
  ModelPointer* pointer_ = nullptr;
  Target a_, b_;
  TimePoint start_;
  std::int64_t t0_ns_ = 0, now_ns_ = 0;
  RunContext* ctx_ = nullptr;
  bool load_on_ = false;
  std::int64_t next_load_ns_ = 0;
  int load_n_ = 0;
  std::map<std::string, std::pair<Member, std::int64_t>> dns_cache_;  ///< answer, expiry
  std::map<std::string, std::pair<std::string, Member>> partitions_;  ///< client, appliance
  std::map<std::string, Member> update_cuts_;         ///< who cannot reach the update server
  std::map<std::string, NetworkFault> model_faults_;  ///< dns_down, keep_conntrack, stale ARP
  bool dns_down_ = false;
  std::set<std::string> unresolved_;  ///< clients whose cache expired while DNS was down
  int ttl_s_ = 0;                     ///< long_ttl: the record's TTL (0: the lab's)
  bool keep_flows_ = false;           ///< conntrack_not_flushed
  std::map<std::string, std::optional<Member>> flow_pin_;  ///< client: its flow's appliance
  struct StaleArp {
    std::int64_t timeout_ns = 0;
    std::optional<Member> cached;  ///< the holder the client's entry names
    std::int64_t confirmed_ns = 0;
  };
  std::map<std::string, StaleArp> stale_arp_;
  std::map<std::string, std::string> state_;  ///< client: who answers
  std::map<std::string, ServedBy> last_served_;
};

}  // namespace

std::unique_ptr<Engine> make_inprocess_engine(const Scenario& scenario) {
  for (const auto& f : scenario.faults)
    if (!f.def->inprocess_refusal.empty())
      throw ScenarioError(scenario.file.string() + ":" + std::to_string(f.line) + ": fault " +
                          std::string(f.name()) +
                          " cannot run in-process: " + std::string(f.def->inprocess_refusal));
  return std::make_unique<InProcessEngine>(scenario, netlab::load_lab_file(scenario.lab));
}

}  // namespace failover_hil::hil
