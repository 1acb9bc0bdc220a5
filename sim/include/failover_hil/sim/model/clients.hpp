#pragma once

#include <string>
#include <string_view>

#include "failover_hil/sim/model/version.hpp"

namespace failover_hil::sim {

enum class ClientKind { representative_console, jump_client };
/// How a client was installed: by its own installer (upgrades itself on
/// connect) or by MSI on a locked-down computer (does not, R12).
enum class Deployment { installer, msi };
enum class ClientState {
  offline,
  online,
  needs_redeploy,         ///< MSI-deployed, older than the site: redeploy (R12)
  waiting_for_appliance,  ///< pre-staged newer MSI: offline until the site runs it (R12)
};

std::string_view to_string(ClientKind k);
std::string_view to_string(ClientState s);

/// A representative console or Jump Client on some computer.
struct Client {
  std::string id;
  ClientKind kind = ClientKind::representative_console;
  Deployment deployment = Deployment::installer;
  SoftwareRelease build;  ///< what Help > About reports
  ClientState state = ClientState::offline;
  std::string connected_to;  ///< name of the appliance it is online with
};

/// Replaces the installation by a new MSI (it replaces the old one in place).
void redeploy_msi(Client& client, const SoftwareRelease& msi_build);

/// Removes the installation with an MSI: only the MSI of the installed build
/// can do that; the new MSI cannot remove the old installation (R12).
void uninstall_with_msi(Client& client, const SoftwareRelease& msi_build);

/// An Integration Client, configured by the site hostname or by an IP (R14).
struct IntegrationClient {
  enum class Addressing { hostname, ip };
  std::string id;
  Addressing addressing = Addressing::hostname;
  std::string address;
};

}  // namespace failover_hil::sim
