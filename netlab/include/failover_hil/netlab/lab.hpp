#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "failover_hil/netlab/dns_server.hpp"
#include "failover_hil/netlab/lab_journal.hpp"
#include "failover_hil/netlab/lab_spec.hpp"
#include "failover_hil/netlab/link.hpp"
#include "failover_hil/netlab/nat_swing.hpp"
#include "failover_hil/netlab/netlink_socket.hpp"
#include "failover_hil/netlab/netns.hpp"

namespace failover_hil::netlab {

/// One host of a running lab: its namespace, a netlink socket in it, and
/// its interface (cabled to the lab's switch).
struct LabHost {
  LabHostSpec spec;
  Netns ns;
  std::shared_ptr<NetlinkSocket> nl;
  std::string link;
};

/// A running lab: every host a namespace cabled to a bridge in <prefix>sw,
/// the router's DNAT of the VIP (to the first appliance) with SNAT back, and
/// BIND serving the site record (the first appliance's address). Owns every
/// kernel object and process; the destructor removes them all. Everything is
/// journalled before it is created (`undo_lab` cleans up after a crash).
class Lab {
 public:
  /// Builds the lab after undoing whatever a previous run of it left.
  /// `interrupted` is polled between steps (SIGINT during `lab up`): when it
  /// turns true, what was built is removed and LabInterrupted thrown.
  static std::unique_ptr<Lab> up(const LabSpec& spec, const std::filesystem::path& state_dir,
                                 const std::function<bool()>& interrupted = {});
  ~Lab();
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  const LabSpec& spec() const { return spec_; }
  const LabHost& host(const std::string& name) const;
  const Netns& sw() const { return sw_; }
  const NamePrefix& prefix() const { return prefix_; }
  NatSwing* nat() { return nat_ ? &*nat_ : nullptr; }
  NamedServer* dns() { return dns_ ? &*dns_ : nullptr; }
  const std::filesystem::path& journal() const { return journal_.file(); }

 private:
  Lab(LabSpec spec, const std::filesystem::path& state_dir);
  void build(const std::function<bool()>& interrupted);
  void teardown() noexcept;

  LabSpec spec_;
  NamePrefix prefix_;
  LabJournal journal_;
  Netns sw_;
  std::shared_ptr<NetlinkSocket> sw_nl_;
  std::optional<Bridge> bridge_;
  std::vector<VethPair> cables_;
  std::map<std::string, LabHost> hosts_;
  std::optional<NatSwing> nat_;
  std::optional<NamedServer> dns_;
};

class LabInterrupted : public NetlabError {
 public:
  using NetlabError::NetlabError;
};

/// The journal of a lab in `state_dir`.
std::filesystem::path lab_journal_path(const std::filesystem::path& state_dir, const LabSpec& spec);

/// What a lab looks like now, read from the kernel (works from any process).
struct LabStatus {
  struct Host {
    std::string name;
    std::string role;
    std::string ns;
    bool present = false;
    std::vector<std::string> addresses;
  };
  std::string name;
  std::vector<Host> hosts;
  std::string shared_ip_holder;  ///< host holding the shared IP, "" none, "a,b" both (R23)
  std::string nat_target;        ///< where the router sends the VIP
  std::string dns_answer;        ///< the site record as the lab's DNS answers it
  std::vector<std::string> problems;
};
LabStatus lab_status(const LabSpec& spec);
std::string render(const LabStatus& status);

}  // namespace failover_hil::netlab
