#pragma once

#include <boost/json/value.hpp>

#include "failover_hil/sim/model/peer.hpp"

namespace failover_hil::sim {

/// The inter-appliance channel's wire format: {"type": "...", ...}.
boost::json::value to_json(const PeerRequest& request);
boost::json::value to_json(const PeerResponse& response);
/// Throw MalformedInput naming the field when the JSON is not a message.
PeerRequest request_from_json(const boost::json::value& v);
PeerResponse response_from_json(const boost::json::value& v);

boost::json::value to_json(const SoftwareRelease& r);
SoftwareRelease release_from_json(const boost::json::value& v);

}  // namespace failover_hil::sim
