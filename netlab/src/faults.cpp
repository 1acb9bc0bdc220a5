#include "failover_hil/netlab/faults.hpp"

#include <iostream>
#include <utility>

namespace failover_hil::netlab {

namespace {

const char* family_of(FaultHook hook) {
  return hook == FaultHook::bridge ? "bridge" : "inet";
}

std::string between(Ipv4Address from, Ipv4Address to) {
  return "ip saddr " + from.str() + " ip daddr " + to.str();
}

}  // namespace

std::vector<std::string> fault_rules(const std::string& name, const FaultSpec& spec) {
  validate_nft_name(name, "fault name");
  const std::string tail = " drop comment \"fault " + name + "\"";
  return std::visit(
      [&](const auto& s) -> std::vector<std::string> {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, Partition>) {
          require_lab_address(s.a, "partition host");
          require_lab_address(s.b, "partition host");
          return {between(s.a, s.b) + tail, between(s.b, s.a) + tail};
        } else if constexpr (std::is_same_v<T, Loss>) {
          require_lab_address(s.a, "loss host");
          require_lab_address(s.b, "loss host");
          if (s.percent < 0 || s.percent > 100)
            throw NetlabError("loss of " + std::to_string(s.percent) +
                              "% is not a percentage (0..100)");
          // numgen's range is 0..99: 100 % is a plain drop.
          const std::string draw =
              s.percent == 100 ? "" : " numgen random mod 100 < " + std::to_string(s.percent);
          return {between(s.a, s.b) + draw + tail, between(s.b, s.a) + draw + tail};
        } else {
          require_lab_address(s.ip, "dropped port's host");
          if (s.port == 0) throw NetlabError("drop_port: port 0 is not a port");
          const char* proto = s.proto == L4Proto::tcp ? "tcp" : "udp";
          return {"ip daddr " + s.ip.str() + " " + proto + " dport " + std::to_string(s.port) +
                  tail};
        }
      },
      spec);
}

std::string faults_commands(FaultHook hook, const std::string& table,
                            const std::map<std::string, FaultSpec>& armed, bool table_exists) {
  const std::string where = std::string(family_of(hook)) + " " + table;
  if (armed.empty()) return table_exists ? "delete table " + where + "\n" : std::string();
  std::string commands;
  if (table_exists) {
    commands = "flush chain " + where + " forward\n";
  } else {
    // Before the default filter priority, so no other accept rule of the
    // namespace lets a faulted packet through first.
    commands = "create table " + where + "\nadd chain " + where +
               " forward { type filter hook forward priority -10; policy accept; }\n";
  }
  for (const auto& [name, spec] : armed)
    for (const auto& rule : fault_rules(name, spec))
      commands += "add rule " + where + " forward " + rule + "\n";
  return commands;
}

Faults Faults::create(const Netns& ns, const NamePrefix& prefix, FaultHook hook) {
  return Faults(Nft::open(ns), prefix.name("faults"), hook);
}

Faults::Faults(Nft nft, std::string table, FaultHook hook) noexcept
    : nft_(std::move(nft)), table_(std::move(table)), hook_(hook) {}

Faults::Faults(Faults&& other) noexcept
    : nft_(std::move(other.nft_)),
      table_(std::move(other.table_)),
      hook_(other.hook_),
      armed_(std::move(other.armed_)),
      table_exists_(std::exchange(other.table_exists_, false)) {
  other.armed_.clear();
}

Faults& Faults::operator=(Faults&& other) noexcept {
  if (this != &other) {
    Faults old(std::move(*this));
    nft_ = std::move(other.nft_);
    table_ = std::move(other.table_);
    hook_ = other.hook_;
    armed_ = std::move(other.armed_);
    other.armed_.clear();
    table_exists_ = std::exchange(other.table_exists_, false);
  }
  return *this;
}

Faults::~Faults() {
  if (!table_exists_) return;
  try {
    disarm_all();
  } catch (const std::exception& e) {
    std::cerr << "netlab: " << e.what() << "\n";
  }
}

void Faults::apply(const std::map<std::string, FaultSpec>& wanted) {
  const auto commands = faults_commands(hook_, table_, wanted, table_exists_);
  if (!commands.empty()) nft_.run(commands);
  table_exists_ = !wanted.empty();
  armed_ = wanted;
}

void Faults::arm(const std::string& name, FaultSpec spec) {
  validate_nft_name(name, "fault name");
  if (armed_.contains(name)) throw NetlabError("fault " + name + " is armed already");
  auto wanted = armed_;
  wanted.emplace(name, std::move(spec));
  apply(wanted);
}

void Faults::disarm(const std::string& name) {
  if (!armed_.contains(name)) {
    std::string names;
    for (const auto& [n, spec] : armed_) names += (names.empty() ? "" : ", ") + n;
    throw NetlabError("fault " + name +
                      " is not armed (armed: " + (names.empty() ? "none" : names) + ")");
  }
  auto wanted = armed_;
  wanted.erase(name);
  apply(wanted);
}

void Faults::disarm_all() {
  apply({});
}

std::vector<std::string> Faults::armed() const {
  std::vector<std::string> names;
  for (const auto& [name, spec] : armed_) names.push_back(name);
  return names;
}

}  // namespace failover_hil::netlab
