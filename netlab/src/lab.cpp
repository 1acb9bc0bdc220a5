#include "failover_hil/netlab/lab.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "failover_hil/netlab/address_ops.hpp"
#include "failover_hil/netlab/dns_query.hpp"
#include "failover_hil/netlab/nft.hpp"

namespace failover_hil::netlab {

namespace fs = std::filesystem;

namespace {

void write_sysctl(const Netns& ns, const std::string& path, const std::string& value) {
  run_in_netns(ns, [&] {
    std::ofstream f(path);
    f << value;
    if (!f) throw NetlabError("cannot write " + path + " in netns " + ns.name());
  });
}

std::string own_program() {
  std::ifstream comm("/proc/self/comm");
  std::string name;
  std::getline(comm, name);
  return name;
}

}  // namespace

fs::path lab_journal_path(const fs::path& state_dir, const LabSpec& spec) {
  return state_dir / (spec.prefix + spec.name + ".journal");
}

Lab::Lab(LabSpec spec, const fs::path& state_dir)
    : spec_(std::move(spec)),
      prefix_(spec_.prefix),
      journal_(lab_journal_path(state_dir, spec_)),
      sw_(Netns::current()) {}

std::unique_ptr<Lab> Lab::up(const LabSpec& spec, const fs::path& state_dir,
                             const std::function<bool()>& interrupted) {
  validate(spec, "lab '" + spec.name + "'");
  undo_lab(lab_journal_path(state_dir, spec),
           NamePrefix(spec.prefix));  // a crashed run's leftovers
  std::unique_ptr<Lab> lab(new Lab(spec, state_dir));
  try {
    lab->build(interrupted ? interrupted : [] { return false; });
  } catch (...) {
    lab->teardown();
    throw;
  }
  return lab;
}

void Lab::build(const std::function<bool()>& interrupted) {
  auto check = [&](const char* step) {
    if (interrupted())
      throw LabInterrupted("lab '" + spec_.name + "' interrupted while " + step +
                           "; nothing is left");
  };
  journal_.record({"holder", own_program(), static_cast<int>(::getpid())});
  const auto sw_name = prefix_.name("sw");
  journal_.record({"netns", sw_name, 0});
  sw_ = Netns::create(sw_name);
  sw_nl_ = NetlinkSocket::open(sw_);
  bridge_.emplace(Bridge::create(sw_nl_, prefix_.name("br")));
  for (const auto& h : spec_.hosts) {
    check("cabling the hosts");
    const auto ns_name = prefix_.name(h.name);
    journal_.record({"netns", ns_name, 0});
    LabHost host{h, Netns::create(ns_name), nullptr, ns_name};
    host.nl = NetlinkSocket::open(host.ns);
    cables_.push_back(VethPair::create(sw_nl_, prefix_.name(h.name + "-s"), host.link, &host.ns));
    bridge_->enslave(cables_.back().name());
    set_link_up(*host.nl, host.link);
    set_link_up(*host.nl, "lo");
    add_address(*host.nl, host.link, {h.ip, spec_.subnet.length});
    hosts_.emplace(h.name, std::move(host));
  }
  const auto appliances = spec_.with_role(HostRole::appliance);
  if (const auto routers = spec_.with_role(HostRole::router); !routers.empty()) {
    check("setting up the NAT router");
    auto& r = hosts_.at(routers.front()->name);
    add_address(*r.nl, r.link, {spec_.vip, spec_.subnet.length});
    write_sysctl(r.ns, "/proc/sys/net/ipv4/ip_forward", "1");
    nat_.emplace(
        NatSwing::create(r.ns, prefix_, {spec_.vip, spec_.site_ports}, appliances.front()->ip));
    // Clients share the appliances' subnet: without SNAT, an appliance would
    // answer a client directly and the client would drop the reply.
    auto nft = Nft::open(r.ns);
    const auto table = prefix_.name("snat");
    nft.run("create table ip " + table + "\nadd chain ip " + table +
            " post { type nat hook postrouting priority srcnat; }\nadd rule ip " + table +
            " post ct status dnat masquerade\n");
  }
  if (const auto dnss = spec_.with_role(HostRole::dns); !dnss.empty()) {
    check("starting the DNS server");
    NamedConfig c;
    c.listen = dnss.front()->ip;
    c.zone = spec_.zone + ".";
    const auto relative =
        spec_.site_hostname.substr(0, spec_.site_hostname.size() - spec_.zone.size() - 1);
    c.records = {{relative, appliances.front()->ip, std::chrono::seconds(spec_.dns_ttl_s)}};
    c.parent_dir = journal_.file().parent_path();
    c.dir_tag = prefix_.str();
    dns_.emplace(NamedServer::start(hosts_.at(dnss.front()->name).ns, c));
    journal_.record({"process", "named", static_cast<int>(dns_->pid())});
    journal_.record({"dir", dns_->run_dir().string(), 0});
  }
  check("finishing");
}

void Lab::teardown() noexcept {
  try {
    dns_.reset();
    nat_.reset();
    cables_.clear();
    hosts_.clear();
    bridge_.reset();
    sw_nl_.reset();
    sw_ = Netns::current();
    undo_lab(journal_.file(), prefix_);  // anything RAII missed, and the journal itself
  } catch (const std::exception&) {
    // Destructors must not throw; the next `lab up` or `lab down` sweeps.
  }
}

Lab::~Lab() {
  teardown();
}

const LabHost& Lab::host(const std::string& name) const {
  const auto it = hosts_.find(name);
  if (it == hosts_.end()) spec_.host(name);  // throws naming the known hosts
  return it->second;
}

LabStatus lab_status(const LabSpec& spec) {
  const NamePrefix prefix(spec.prefix);
  LabStatus st;
  st.name = spec.name;
  const auto existing = list_netns();
  std::vector<std::string> holders;
  for (const auto& h : spec.hosts) {
    LabStatus::Host out{h.name, to_string(h.role), prefix.name(h.name), false, {}};
    out.present = std::find(existing.begin(), existing.end(), out.ns) != existing.end();
    if (out.present) {
      try {
        auto ns = Netns::open(out.ns);
        auto nl = NetlinkSocket::open(ns);
        for (const auto& a : link_addresses(*nl, out.ns)) {
          out.addresses.push_back(a.str());
          if (a.ip == InterfaceAddress{spec.shared_ip, 0}.ip) holders.push_back(h.name);
        }
      } catch (const std::exception& e) {
        st.problems.push_back(h.name + ": " + e.what());
      }
    }
    st.hosts.push_back(out);
  }
  for (const auto& h : holders) st.shared_ip_holder += (st.shared_ip_holder.empty() ? "" : ",") + h;
  if (holders.size() > 1)
    st.problems.push_back("R23: the shared IP is enabled on " + st.shared_ip_holder);
  if (const auto routers = spec.with_role(HostRole::router);
      !routers.empty() && st.hosts.front().present) {
    try {
      auto nft = Nft::open(Netns::open(prefix.name(routers.front()->name)));
      const auto rules = nft.run("list table ip " + prefix.name("nat"));
      // The address after the first "dnat to " (no std::regex on a ruleset of any size).
      if (const auto at = rules.find("dnat to "); at != std::string::npos) {
        const auto from = at + 8;
        const auto end = rules.find_first_not_of("0123456789.", from);
        st.nat_target = rules.substr(from, end == std::string::npos ? end : end - from);
      }
    } catch (const std::exception& e) {
      st.problems.push_back(std::string("NAT: ") + e.what());
    }
  }
  const auto dnss = spec.with_role(HostRole::dns);
  const auto clients = spec.with_role(HostRole::client);
  if (!dnss.empty()) {
    try {
      const auto a = query_a(Netns::open(prefix.name(clients.front()->name)),
                             {dnss.front()->ip, 53}, spec.site_hostname + ".");
      st.dns_answer = a.address.str() + " (TTL " + std::to_string(a.ttl.count()) + " s)";
    } catch (const std::exception& e) {
      st.problems.push_back(std::string("DNS: ") + e.what());
    }
  }
  return st;
}

std::string render(const LabStatus& st) {
  std::ostringstream os;
  os << "lab " << st.name << "\n";
  for (const auto& h : st.hosts) {
    os << "  " << h.name << std::string(h.name.size() < 9 ? 9 - h.name.size() : 1, ' ') << h.role
       << std::string(h.role.size() < 10 ? 10 - h.role.size() : 1, ' ')
       << (h.present ? h.ns : "(absent)");
    for (const auto& a : h.addresses) os << "  " << a;
    os << "\n";
  }
  os << "  shared IP held by: " << (st.shared_ip_holder.empty() ? "nobody" : st.shared_ip_holder)
     << "\n";
  if (!st.nat_target.empty()) os << "  NAT: VIP -> " << st.nat_target << "\n";
  if (!st.dns_answer.empty()) os << "  DNS: site -> " << st.dns_answer << "\n";
  for (const auto& p : st.problems) os << "  problem: " << p << "\n";
  return os.str();
}

}  // namespace failover_hil::netlab
