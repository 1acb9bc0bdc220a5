#pragma once
// Consoles and Jump Clients as JSON, for the simulator API and the site's
// client endpoints (what bseries-client sends).

#include <boost/json/value.hpp>

#include "failover_hil/sim/model/clients.hpp"

namespace failover_hil::sim::service {

boost::json::value to_json(const Client& c);
/// Throws MalformedInput naming the field.
Client client_from(const boost::json::value& v);

}  // namespace failover_hil::sim::service
