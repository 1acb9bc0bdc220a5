#include "failover_hil/netlab/nat_swing.hpp"

#include <iostream>
#include <utility>

#include "failover_hil/netlab/conntrack.hpp"

namespace failover_hil::netlab {

namespace {

std::string dnat_rule(const std::string& table, const std::string& chain,
                      const NatSwingConfig& config, Ipv4Address target) {
  std::string rule = "add rule ip " + table + " " + chain + " ip daddr " + config.vip.str();
  if (!config.ports.empty()) {
    rule += " meta l4proto { tcp, udp } th dport { ";
    for (std::size_t i = 0; i < config.ports.size(); ++i)
      rule += (i == 0 ? "" : ", ") + std::to_string(config.ports[i]);
    rule += " }";
  }
  return rule + " dnat to " + target.str() + "\n";
}

std::string dnat_rules(const std::string& table, const NatSwingConfig& config, Ipv4Address target) {
  return dnat_rule(table, "prerouting", config, target) +
         (config.local_output ? dnat_rule(table, "output", config, target) : "");
}

void check_addresses(const NatSwingConfig& config, Ipv4Address target) {
  if (!config.any_address) {
    require_lab_address(config.vip, "NAT VIP");
    require_lab_address(target, "NAT target");
  }
  for (const auto port : config.ports)
    if (port == 0) throw NetlabError("NAT port 0 is not a port");
}

}  // namespace

std::string nat_create_commands(const std::string& table, const NatSwingConfig& config,
                                Ipv4Address target) {
  // `create` (not `add`) fails when the table exists: a leftover must be
  // swept, not silently adopted.
  return "create table ip " + table + "\n" + "add chain ip " + table +
         " prerouting { type nat hook prerouting priority dstnat; policy accept; }\n" +
         (config.local_output ? "add chain ip " + table +
                                    " output { type nat hook output priority -100; policy "
                                    "accept; }\n"
                              : "") +
         dnat_rules(table, config, target);
}

std::string nat_switch_commands(const std::string& table, const NatSwingConfig& config,
                                Ipv4Address target) {
  return "flush chain ip " + table + " prerouting\n" +
         (config.local_output ? "flush chain ip " + table + " output\n" : "") +
         dnat_rules(table, config, target);
}

NatSwing NatSwing::create(const Netns& router, const NamePrefix& prefix, NatSwingConfig config,
                          Ipv4Address target) {
  check_addresses(config, target);
  std::string table = prefix.name("nat");
  auto nft = Nft::open(router);
  nft.run(nat_create_commands(table, config, target));
  return NatSwing(std::move(nft), router.share(), std::move(table), std::move(config), target);
}

NatSwing NatSwing::create_table(const Netns& router, std::string table, NatSwingConfig config,
                                Ipv4Address target) {
  check_addresses(config, target);
  auto nft = Nft::open(router);
  try {
    nft.run(delete_table_command({"ip", table}));  // a killed run's table
  } catch (const std::exception&) {
    // none there: the usual case
  }
  nft.run(nat_create_commands(table, config, target));
  return NatSwing(std::move(nft), router.share(), std::move(table), std::move(config), target);
}

NatSwing::NatSwing(Nft nft, Netns router, std::string table, NatSwingConfig config,
                   Ipv4Address target) noexcept
    : nft_(std::move(nft)),
      router_(std::move(router)),
      table_(std::move(table)),
      config_(std::move(config)),
      target_(target) {}

NatSwing::NatSwing(NatSwing&& other) noexcept
    : nft_(std::move(other.nft_)),
      router_(std::move(other.router_)),
      table_(std::move(other.table_)),
      config_(std::move(other.config_)),
      target_(other.target_),
      owned_(std::exchange(other.owned_, false)) {}

NatSwing& NatSwing::operator=(NatSwing&& other) noexcept {
  if (this != &other) {
    remove_quietly();
    nft_ = std::move(other.nft_);
    router_ = std::move(other.router_);
    table_ = std::move(other.table_);
    config_ = std::move(other.config_);
    target_ = other.target_;
    owned_ = std::exchange(other.owned_, false);
  }
  return *this;
}

NatSwing::~NatSwing() {
  remove_quietly();
}

void NatSwing::remove_quietly() noexcept {
  try {
    if (owned_) remove();
  } catch (const std::exception& e) {
    std::cerr << "netlab: " << e.what() << "\n";
  }
}

void NatSwing::remove() {
  if (!owned_) return;
  owned_ = false;
  nft_.run(delete_table_command({"ip", table_}));
}

std::size_t NatSwing::switch_to(Ipv4Address target, bool flush_conntrack) {
  check_addresses(config_, target);
  if (!owned_) throw NetlabError("NAT table " + table_ + " was removed");
  nft_.run(nat_switch_commands(table_, config_, target));
  target_ = target;
  return flush_conntrack ? flush_conntrack_to(router_, config_.vip) : 0;
}

}  // namespace failover_hil::netlab
