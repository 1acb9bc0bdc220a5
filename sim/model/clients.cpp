#include "failover_hil/sim/model/clients.hpp"

#include "failover_hil/sim/model/errors.hpp"

namespace failover_hil::sim {

std::string_view to_string(ClientKind k) {
  return k == ClientKind::representative_console ? "representative console" : "Jump Client";
}

std::string_view to_string(ClientState s) {
  switch (s) {
    case ClientState::offline:
      return "offline";
    case ClientState::online:
      return "online";
    case ClientState::needs_redeploy:
      return "needs_redeploy";
    case ClientState::waiting_for_appliance:
      return "waiting_for_appliance";
  }
  return "?";
}

void redeploy_msi(Client& client, const SoftwareRelease& msi_build) {
  client.deployment = Deployment::msi;
  client.build = msi_build;
  client.state = ClientState::offline;
  client.connected_to.clear();
}

void uninstall_with_msi(Client& client, const SoftwareRelease& msi_build) {
  if (!(client.build == msi_build))
    throw ModelError(
        "R12", "the MSI of " + msi_build.str() + " cannot remove " + client.id + ", which runs " +
                   client.build.str() +
                   "; use the MSI of the installed version (keep a copy of the old MSI)");
  client.state = ClientState::offline;
  client.connected_to.clear();
  client.build = {};
}

}  // namespace failover_hil::sim
