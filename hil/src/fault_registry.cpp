// The fault catalogue: one entry per fault (name, documentation, parameters,
// how its typed struct is built and how it fires). A new fault is a struct in
// faults.hpp (and the variant) plus one entry here.
#include <stdexcept>

#include "failover_hil/hil/faults.hpp"
#include "fault_plan.hpp"

namespace failover_hil::hil {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

const ParamDef kUpdate{"update",
                       ParamKind::choice,
                       "which install it hits: base or software",
                       false,
                       std::string("base"),
                       {},
                       {"base", "software"}};

UpdateKind update_of(const ParamValues& p) {
  return p.text("update") == "software" ? UpdateKind::software : UpdateKind::base;
}

SimulatorControl& sim_of(RunContext& ctx, Member m, std::string_view fault) {
  auto* sim = ctx.target(m).sim;
  if (!sim)
    throw HarnessError("fault '" + std::string(fault) + "' needs a simulated " +
                       std::string(name(m)) + "; a physical appliance has no fault API");
  return *sim;
}

void both_sims(RunContext& ctx, std::string_view fault,
               const std::function<void(SimulatorControl&)>& f) {
  for (const auto m : {Member::A, Member::B}) f(sim_of(ctx, m, fault));
}

// Defined one by one below, listed at the end.

const FaultDef kInstallFails{
    "install_fails",
    "The appliance's next install of `update` fails at `at.progress` (default 0.5); a Base "
    "update failing leaves it base_update_failed (R07)",
    FaultClass::install,
    true,
    std::nullopt,
    {kUpdate},
    [](const ParamValues& p, std::optional<Member> m, double progress) -> Fault {
      return InstallFails{*m, update_of(p), progress};
    },
    [](RunContext& ctx, FaultPlan&, const FaultSpec& s) {
      const auto& f = std::get<InstallFails>(s.fault);
      sim_of(ctx, f.appliance, s.name()).arm_install_fault({f.progress, false});
    },
    {},
    true};

const FaultDef kInstallHangs{
    "install_hangs",
    "The appliance's next install of `update` never finishes; the update step waits its "
    "`install_timeout_s` (30 min by default), then stops the run asking for support",
    FaultClass::install,
    true,
    std::nullopt,
    {kUpdate},
    [](const ParamValues& p, std::optional<Member> m, double) -> Fault {
      return InstallHangs{*m, update_of(p)};
    },
    [](RunContext& ctx, FaultPlan&, const FaultSpec& s) {
      const auto& f = std::get<InstallHangs>(s.fault);
      sim_of(ctx, f.appliance, s.name()).arm_install_fault({std::nullopt, true});
    }};

const FaultDef kSyncSlow{
    "sync_slow",
    "Syncs take `factor` times longer on both appliances",
    FaultClass::timed,
    false,
    std::nullopt,
    {{"factor",
      ParamKind::number,
      "how many times longer a sync takes",
      true,
      std::nullopt,
      {1, kInf}}},
    [](const ParamValues& p, std::optional<Member>, double) -> Fault {
      return SyncSlow{p.number("factor")};
    },
    [](RunContext& ctx, FaultPlan&, const FaultSpec& s) {
      const auto factor = std::get<SyncSlow>(s.fault).factor;
      both_sims(ctx, s.name(), [&](SimulatorControl& c) { c.arm_sync_fault({factor, false}); });
    }};

const FaultDef kSyncFails{
    "sync_fails",
    "Every sync fails when it would finish, on both appliances",
    FaultClass::timed,
    false,
    std::nullopt,
    {},
    [](const ParamValues&, std::optional<Member>, double) -> Fault { return SyncFails{}; },
    [](RunContext& ctx, FaultPlan&, const FaultSpec& s) {
      both_sims(ctx, s.name(), [](SimulatorControl& c) { c.arm_sync_fault({1, true}); });
    }};

const FaultDef kSiteRefuses{
    "site_refuses",
    "The appliance's site refuses connections for `duration_ms` (an outage of known length)",
    FaultClass::timed,
    true,
    std::nullopt,
    {{"duration_ms",
      ParamKind::integer,
      "how long the site refuses, ms",
      true,
      std::nullopt,
      {1, 3600000}}},
    [](const ParamValues& p, std::optional<Member> m, double) -> Fault {
      return SiteRefuses{*m, static_cast<std::int64_t>(p.number("duration_ms"))};
    },
    [](RunContext& ctx, FaultPlan&, const FaultSpec& s) {
      const auto& f = std::get<SiteRefuses>(s.fault);
      sim_of(ctx, f.appliance, s.name()).refuse_site(f.duration_ms);
    }};

const FaultDef kPeerSilence{
    "peer_silence",
    "The inter-appliance channel stops answering, both ways",
    FaultClass::timed,
    false,
    std::nullopt,
    {},
    [](const ParamValues&, std::optional<Member>, double) -> Fault { return PeerSilence{}; },
    [](RunContext& ctx, FaultPlan&, const FaultSpec& s) {
      both_sims(ctx, s.name(), [](SimulatorControl& c) { c.silence_peer(); });
    }};

const FaultDef kPeerChannelDown{
    "peer_channel_down",
    "One appliance's inter-appliance channel stops answering (as an expired peer certificate "
    "would): syncs and role changes that need it fail until the appliance restarts",
    FaultClass::timed,
    true,
    std::nullopt,
    {},
    [](const ParamValues&, std::optional<Member> m, double) -> Fault {
      return PeerChannelDown{*m};
    },
    [](RunContext& ctx, FaultPlan&, const FaultSpec& s) {
      sim_of(ctx, std::get<PeerChannelDown>(s.fault).appliance, s.name()).silence_peer();
    }};

const FaultDef kApplianceCrash{
    "appliance_crash",
    "The appliance dies at once (kill -9) and is powered on again from its stored state",
    FaultClass::timed,
    true,
    std::nullopt,
    {},
    [](const ParamValues&, std::optional<Member> m, double) -> Fault { return ApplianceCrash{*m}; },
    [](RunContext& ctx, FaultPlan&, const FaultSpec& s) {
      auto& sim = sim_of(ctx, std::get<ApplianceCrash>(s.fault).appliance, s.name());
      sim.crash();
      sim.power_on();  // as an operator would: it resumes from its stored state
      ctx.event(EventType::info, op::appliance_restarted, "after the crash, from its stored state");
    }};

const FaultDef kPartition{
    "partition",
    "No traffic between two lab hosts (an appliance also at the site addresses it may hold), "
    "until the step that armed it ends",
    FaultClass::timed,
    false,
    std::nullopt,
    {{"between", ParamKind::host_pair, "the two hosts", true}},
    [](const ParamValues& p, std::optional<Member>, double) -> Fault {
      const auto& h = p.list("between");
      return Partition{h.at(0), h.at(1)};
    },
    [](RunContext&, FaultPlan& plan, const FaultSpec& s) {
      const auto& f = std::get<Partition>(s.fault);
      plan.arm_network_until_step_end("partition-" + f.first + "-" + f.second,
                                      {f.first, f.second, 100});
    }};

const FaultDef kUpdateServerUnreachable{
    "update_server_unreachable",
    "No traffic between the appliance and the vendor's update server until the step that armed "
    "it ends: Check for Updates fails and the update step stops safely, nothing installed",
    FaultClass::timed,
    true,
    Member::B,
    {},
    [](const ParamValues&, std::optional<Member> m, double) -> Fault {
      return UpdateServerUnreachable{*m};
    },
    [](RunContext&, FaultPlan& plan, const FaultSpec& s) {
      const auto who = std::string(name(std::get<UpdateServerUnreachable>(s.fault).appliance));
      plan.arm_network_until_step_end("update-server-" + who, {who, "", 100, true});
    }};

const FaultDef kLoss{
    "loss",
    "`percent` of the packets between a host and every site address are dropped, until the step "
    "that armed it ends",
    FaultClass::timed,
    false,
    std::nullopt,
    {{"host", ParamKind::host, "the host", true},
     {"percent",
      ParamKind::integer,
      "the share of packets dropped, %",
      true,
      std::nullopt,
      {1, 100}}},
    [](const ParamValues& p, std::optional<Member>, double) -> Fault {
      return Loss{p.text("host"), p.number("percent")};
    },
    [](RunContext&, FaultPlan& plan, const FaultSpec& s) {
      const auto& f = std::get<Loss>(s.fault);
      plan.arm_network_until_step_end("loss-" + f.host, {f.host, "", f.percent});
    },
    "random loss needs a real network (the lab engine); the in-process engine models no "
    "packets"};

const FaultDef kOperatorSkipsBackup{
    "operator_skips_backup",
    "The operator starts an update without the backup step's verified backup (R01: refused)",
    FaultClass::mistake,
    false,
    std::nullopt,
    {},
    [](const ParamValues&, std::optional<Member>, double) -> Fault {
      return OperatorSkipsBackup{};
    }};

const FaultDef kOperatorBreaksBeforeSync{
    "operator_breaks_before_sync",
    "The operator breaks the relationship while Sync Now still runs (R03: refused)",
    FaultClass::mistake,
    false,
    std::nullopt,
    {},
    [](const ParamValues&, std::optional<Member>, double) -> Fault {
      return OperatorBreaksBeforeSync{};
    }};

const FaultDef kOperatorRestartsAfterFailedBase{
    "operator_restarts_after_failed_base",
    "The operator wants to restart an appliance whose Base update failed (R07: refused)",
    FaultClass::mistake,
    true,
    Member::B,
    {},
    [](const ParamValues&, std::optional<Member> m, double) -> Fault {
      return OperatorRestartsAfterFailedBase{*m};
    }};

const FaultDef kOperatorEnablesSharedIpEarly{
    "operator_enables_shared_ip_early",
    "The operator enables B's shared IP while A holds it (R23): refused, or with `force` done, "
    "and the conflict is seen on the wire",
    FaultClass::mistake,
    false,
    std::nullopt,
    {{"force", ParamKind::boolean, "bypass the duplicate-IP check", false, false}},
    [](const ParamValues& p, std::optional<Member>, double) -> Fault {
      return OperatorEnablesSharedIpEarly{p.flag("force")};
    }};

const FaultDef kHarnessStops{
    "harness_stops",
    "The harness stops as if killed; the run is interrupted and resumable with --resume, which "
    "passes the same trigger without stopping again",
    FaultClass::timed,
    false,
    std::nullopt,
    {},
    [](const ParamValues&, std::optional<Member>, double) -> Fault { return HarnessStops{}; },
    [](RunContext& ctx, FaultPlan&, const FaultSpec& s) {
      // It stands for one kill: a resumed run passing the same trigger again
      // (its "armed" event is then on the timeline twice) goes on.
      const auto armed = ctx.timeline->count([&](const TimelineEvent& e) {
        return e.type == EventType::fault && e.op == "harness_stops" && e.detail == "armed" &&
               e.step == ctx.step;
      });
      if (armed > 1) return;
      throw Interrupted("the harness was stopped by the scenario (fault harness_stops at " +
                        (s.at.step.empty() ? std::string("the run") : s.at.step) + ")");
    }};

// ---- issue 13: the catalogue's further faults (each its own entry, listed
// together at the end of the registry).

const FaultDef kTamperedUpdateFile{
    "tampered_update_file",
    "The next update file handed to the appliance (the manual method's file, carried on "
    "removable storage) has one byte changed on its way: the appliance's signature check refuses "
    "it (R09), nothing is installed and the run stops safely",
    FaultClass::timed,
    true,
    Member::B,
    {},
    [](const ParamValues&, std::optional<Member> m, double) -> Fault {
      return TamperedUpdateFile{*m};
    },
    [](RunContext&, FaultPlan& plan, const FaultSpec& s) {
      plan.tamper_next_file(std::get<TamperedUpdateFile>(s.fault).appliance);
    }};

const FaultDef kOperatorUsesWrongDownloadKey{
    "operator_uses_wrong_download_key",
    "The operator submits the other appliance's Appliance Download Key for this one's manual "
    "update: the update server issues files bound to the other appliance, which this one refuses "
    "(R09); nothing is installed and the run stops safely",
    FaultClass::mistake,
    true,
    Member::B,
    {},
    [](const ParamValues&, std::optional<Member> m, double) -> Fault {
      return OperatorUsesWrongDownloadKey{*m};
    }};

const FaultDef kOperatorUpdatesPrimaryEarly{
    "operator_updates_primary_early",
    "The operator wants to update A before B was verified and confirmed in production (R16): "
    "the verification gate refuses it and A keeps serving",
    FaultClass::mistake,
    false,
    std::nullopt,
    {},
    [](const ParamValues&, std::optional<Member>, double) -> Fault {
      return OperatorUpdatesPrimaryEarly{};
    }};

const FaultDef kOperatorFailsOverBetweenUpdates{
    "operator_fails_over_between_updates",
    "The operator wants to fail over to B between its Base update and the dependent software "
    "update (R06): refused while B reports a pending dependent; the fresh backup and the software "
    "update follow at once",
    FaultClass::mistake,
    false,
    std::nullopt,
    {},
    [](const ParamValues&, std::optional<Member>, double) -> Fault {
      return OperatorFailsOverBetweenUpdates{};
    }};

const FaultDef kDiskFullDuringInstall{
    "disk_full_during_install",
    "The appliance's disk has `free_mib` MiB left when its next install of `update` starts: an "
    "update larger than that fails where the disk fills (no space left on device); a Base update "
    "failing so leaves it base_update_failed, never restarted (R07)",
    FaultClass::install,
    true,
    Member::B,
    {kUpdate,
     {"free_mib",
      ParamKind::integer,
      "the disk space left when the install starts, MiB (the Base update is 900 MiB, the "
      "software update 1200 MiB)",
      false,
      100.0,
      {0, 1048576}}},
    [](const ParamValues& p, std::optional<Member> m, double) -> Fault {
      return DiskFullDuringInstall{*m, update_of(p),
                                   static_cast<std::int64_t>(p.number("free_mib"))};
    },
    [](RunContext& ctx, FaultPlan&, const FaultSpec& s) {
      const auto& f = std::get<DiskFullDuringInstall>(s.fault);
      InstallFault fault;
      fault.disk_free_bytes = static_cast<std::uint64_t>(f.free_mib) << 20;
      sim_of(ctx, f.appliance, s.name()).arm_install_fault(fault);
    }};

const FaultDef kLinkFlap{
    "link_flap",
    "The switch port of the host's cable goes down for `down_ms`, then up again (the host loses "
    "its carrier, as with a pulled cable); the harness waits it out, so the outage falls in the "
    "step that armed it. In-process: the host cut from the site for that long",
    FaultClass::timed,
    false,
    std::nullopt,
    {{"host", ParamKind::host, "the lab host whose link flaps", true},
     {"down_ms", ParamKind::integer, "how long the link stays down, ms", false, 500.0, {1, 60000}}},
    [](const ParamValues& p, std::optional<Member>, double) -> Fault {
      return LinkFlap{p.text("host"), static_cast<std::int64_t>(p.number("down_ms"))};
    },
    [](RunContext& ctx, FaultPlan&, const FaultSpec& s) {
      const auto& f = std::get<LinkFlap>(s.fault);
      ctx.engine->flap_link(f.host, std::chrono::milliseconds(f.down_ms));
      ctx.event(EventType::info, "link_flap", f.host + "'s link is up again");
    }};

const FaultDef kStaleArpClient{
    "stale_arp_client",
    "A client ignores gratuitous ARP for the shared IP (its kernel drops them), so after a "
    "shared IP switch it keeps sending to the old holder's MAC until its neighbour entry times "
    "out after `arp_timeout_ms` and one unanswered unicast probe, until the step that armed it "
    "ends",
    FaultClass::timed,
    false,
    std::nullopt,
    {{"host", ParamKind::host, "the client that ignores gratuitous ARP", true},
     {"arp_timeout_ms",
      ParamKind::integer,
      "its neighbour entries' reachable time (base_reachable_time_ms), ms",
      false,
      1000.0,
      {100, 600000}}},
    [](const ParamValues& p, std::optional<Member>, double) -> Fault {
      return StaleArpClient{p.text("host"), static_cast<std::int64_t>(p.number("arp_timeout_ms"))};
    },
    [](RunContext&, FaultPlan& plan, const FaultSpec& s) {
      const auto& f = std::get<StaleArpClient>(s.fault);
      NetworkFault n{f.host, "", 100};
      n.stale_arp_ms = f.arp_timeout_ms;
      plan.arm_network_until_step_end("stale-arp-" + f.host, n);
    },
    {},
    false,
    SwitchMethod::shared_ip};

const FaultDef kDnsServerDown{
    "dns_server_down",
    "The site's DNS server answers nobody until the step that armed it ends: a DNS swing's "
    "signed update gets no answer, so the run stops safely with the record unchanged; clients "
    "whose cached answer expires cannot resolve the site meanwhile",
    FaultClass::timed,
    false,
    std::nullopt,
    {},
    [](const ParamValues&, std::optional<Member>, double) -> Fault { return DnsServerDown{}; },
    [](RunContext&, FaultPlan& plan, const FaultSpec&) {
      NetworkFault n;
      n.dns_down = true;
      plan.arm_network_until_step_end("dns-down", n);
    },
    {},
    false,
    SwitchMethod::dns};

const FaultDef kLongTtl{
    "long_ttl",
    "The site record's TTL is `ttl_s` (as if it had always been: every client's cache holds it "
    "so): a DNS swing reaches the clients only as their caches expire, so the switch settles "
    "after up to `ttl_s` (its `settle_timeout_s` must allow it)",
    FaultClass::timed,
    false,
    std::nullopt,
    {{"ttl_s", ParamKind::integer, "the record's TTL, seconds", false, 3600.0, {1, 604800}}},
    [](const ParamValues& p, std::optional<Member>, double) -> Fault {
      return LongTtl{static_cast<std::int64_t>(p.number("ttl_s"))};
    },
    [](RunContext& ctx, FaultPlan&, const FaultSpec& s) {
      ctx.engine->set_site_ttl(static_cast<int>(std::get<LongTtl>(s.fault).ttl_s));
    },
    {},
    false,
    SwitchMethod::dns};

const FaultDef kConntrackNotFlushed{
    "conntrack_not_flushed",
    "The NAT swing leaves the VIP's conntrack entries in place until the step that armed it "
    "ends: established flows stay with A while new connections reach B, so not every client's "
    "flow sees B and the switch stops safely before A is touched",
    FaultClass::timed,
    false,
    std::nullopt,
    {},
    [](const ParamValues&, std::optional<Member>, double) -> Fault {
      return ConntrackNotFlushed{};
    },
    [](RunContext&, FaultPlan& plan, const FaultSpec&) {
      NetworkFault n;
      n.keep_conntrack = true;
      plan.arm_network_until_step_end("conntrack-kept", n);
    },
    {},
    false,
    SwitchMethod::nat};

}  // namespace

const std::vector<const FaultDef*>& fault_registry() {
  static const std::vector<const FaultDef*> faults{
      &kInstallFails, &kInstallHangs, &kSyncSlow, &kSyncFails, &kSiteRefuses, &kPeerSilence,
      &kPeerChannelDown, &kApplianceCrash, &kPartition, &kLoss, &kUpdateServerUnreachable,
      &kOperatorSkipsBackup, &kOperatorBreaksBeforeSync, &kOperatorRestartsAfterFailedBase,
      &kOperatorEnablesSharedIpEarly, &kHarnessStops,
      // issue 13
      &kTamperedUpdateFile, &kOperatorUsesWrongDownloadKey, &kOperatorUpdatesPrimaryEarly,
      &kOperatorFailsOverBetweenUpdates, &kDiskFullDuringInstall, &kLinkFlap, &kStaleArpClient,
      &kDnsServerDown, &kLongTtl, &kConntrackNotFlushed};
  return faults;
}

const FaultDef* find_fault(std::string_view name) {
  for (const auto* d : fault_registry())
    if (d->name == name) return d;
  return nullptr;
}

std::string_view to_string(UpdateKind k) {
  return k == UpdateKind::base ? "base" : "software";
}

std::optional<UpdateKind> FaultSpec::update() const {
  return std::visit(
      [](const auto& f) -> std::optional<UpdateKind> {
        if constexpr (requires { f.update; })
          return f.update;
        else
          return std::nullopt;
      },
      fault);
}

std::optional<Member> FaultSpec::appliance() const {
  return std::visit(
      [](const auto& f) -> std::optional<Member> {
        if constexpr (requires { f.appliance; })
          return f.appliance;
        else
          return std::nullopt;
      },
      fault);
}

}  // namespace failover_hil::hil
