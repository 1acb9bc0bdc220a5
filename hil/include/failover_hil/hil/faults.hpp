#pragma once

// The faults a scenario (or a script) arms: one typed struct per fault, all
// of them one std::variant, and one registry entry per fault
// (hil/src/fault_registry.cpp) with its parameters, its one-line
// documentation and how it fires.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "failover_hil/hil/appliance_driver.hpp"
#include "failover_hil/hil/params.hpp"

namespace failover_hil::hil {

enum class UpdateKind { base, software };

struct InstallFails {
  Member appliance = Member::B;
  UpdateKind update = UpdateKind::base;
  double progress = 0.5;  ///< where the install fails
};
struct InstallHangs {
  Member appliance = Member::B;
  UpdateKind update = UpdateKind::base;
};
struct SyncSlow {
  double factor = 10;
};
struct SyncFails {};
struct SiteRefuses {
  Member appliance = Member::A;
  std::int64_t duration_ms = 0;
};
struct PeerSilence {};
struct PeerChannelDown {
  Member appliance = Member::B;
};
struct ApplianceCrash {
  Member appliance = Member::A;
};
struct Partition {
  std::string first, second;  ///< lab hosts
};
struct Loss {
  std::string host;  ///< a lab host, cut from every site address
  double percent = 0;
};
struct OperatorSkipsBackup {};
struct OperatorBreaksBeforeSync {};
struct OperatorRestartsAfterFailedBase {
  Member appliance = Member::B;
};
struct OperatorEnablesSharedIpEarly {
  bool force = false;
};
struct HarnessStops {};
struct UpdateServerUnreachable {
  Member appliance = Member::B;
};
struct TamperedUpdateFile {
  Member appliance = Member::B;
};
struct OperatorUsesWrongDownloadKey {
  Member appliance = Member::B;
};
struct OperatorUpdatesPrimaryEarly {};
struct LinkFlap {
  std::string host;            ///< a lab host
  std::int64_t down_ms = 500;  ///< how long its link is down
};
struct StaleArpClient {
  std::string host;                    ///< a client
  std::int64_t arp_timeout_ms = 1000;  ///< its neighbour entries' reachable time
};
struct DnsServerDown {};
struct LongTtl {
  std::int64_t ttl_s = 3600;
};
struct ConntrackNotFlushed {};
struct DiskFullDuringInstall {
  Member appliance = Member::B;
  UpdateKind update = UpdateKind::base;
  std::int64_t free_mib = 100;  ///< the disk space the install finds free
};
struct OperatorFailsOverBetweenUpdates {};

using Fault =
    std::variant<InstallFails, InstallHangs, SyncSlow, SyncFails, SiteRefuses, PeerSilence,
                 PeerChannelDown, ApplianceCrash, Partition, Loss, OperatorSkipsBackup,
                 OperatorBreaksBeforeSync, OperatorRestartsAfterFailedBase,
                 OperatorEnablesSharedIpEarly, HarnessStops, UpdateServerUnreachable,
                 TamperedUpdateFile, OperatorUsesWrongDownloadKey, OperatorUpdatesPrimaryEarly,
                 OperatorFailsOverBetweenUpdates, DiskFullDuringInstall, LinkFlap, StaleArpClient,
                 DnsServerDown, LongTtl, ConntrackNotFlushed>;

/// When a fault fires.
struct FaultTrigger {
  std::string step;         ///< a step's name; empty: `after_s` from the run's start
  bool after_step = false;  ///< true: once the step finished ("when: after")
  double after_s = 0;       ///< a delay from that moment (the step's start or end, or the run's)
  /// Install faults: the install's progress (0..1) at which it fires.
  std::optional<double> progress;
  bool operator==(const FaultTrigger&) const = default;
};

/// How a fault is armed.
enum class FaultClass {
  timed,    ///< fires at its trigger (a step's start or end, plus after_s)
  install,  ///< fires when its appliance starts the named kind of install
  mistake,  ///< an operator mistake: the step it names asks for it, and refuses it
};

struct RunContext;
class FaultPlan;
struct FaultSpec;

/// How B is made primary (scenario.hpp names and parses them); here because
/// a fault may act on one method's mechanism only.
enum class SwitchMethod { shared_ip, dns, nat };

struct FaultDef {
  std::string_view name;
  std::string_view doc;  ///< one line: what it does, in the lab and in-process
  FaultClass cls = FaultClass::timed;
  /// Whether it takes `appliance: A|B` (and which when absent; nullopt: required).
  bool takes_appliance = false;
  std::optional<Member> default_appliance{};
  std::vector<ParamDef> params{};
  /// Builds the typed fault from checked values.
  Fault (*make)(const ParamValues& params, std::optional<Member> appliance,
                double progress) = nullptr;
  /// Fires it (timed and install faults); mistakes are acted out by their step.
  void (*fire)(RunContext& ctx, FaultPlan& plan, const FaultSpec& spec) = nullptr;
  /// What the in-process engine cannot model; empty when it can.
  std::string_view inprocess_refusal{};
  /// Takes `at.progress` (the install's progress where it fires).
  bool takes_progress = false;
  /// Acts on one switch method's mechanism (the DNS server, the NAT's
  /// conntrack, the clients' ARP caches); none: on any run.
  std::optional<SwitchMethod> only_switch{};
};

/// A fault as a scenario arms it.
struct FaultSpec {
  const FaultDef* def = nullptr;
  Fault fault;
  FaultTrigger at;
  ParamValues params;  ///< as given, for the timeline
  int line = 0;
  std::string_view name() const { return def->name; }
  /// The appliance it concerns, if any.
  std::optional<Member> appliance() const;
  /// The kind of install it hits (install faults).
  std::optional<UpdateKind> update() const;
};

const std::vector<const FaultDef*>& fault_registry();
/// nullptr for an unknown name.
const FaultDef* find_fault(std::string_view name);
std::string_view to_string(UpdateKind k);

}  // namespace failover_hil::hil
