#pragma once

#include <optional>
#include <string>

#include "failover_hil/sim/model/update_server.hpp"
#include "http_types.hpp"
#include "log.hpp"

namespace failover_hil::sim::service {

/// The vendor's update server over HTTPS (bseries-sim update-server):
///   POST /updates/v1/available   {appliance_guid, base, software} -> [update]
///   GET  /updates/v1/download?guid=G&id=U                          -> signed file
///   POST /updates/v1/key-files   {key, base, software}             -> {files: [base64]}
///   POST /updates/v1/support/allow-redownload {guid, id}
class UpdateService {
 public:
  UpdateService(UpdateServer server, Log& log) : server_(std::move(server)), log_(log) {}
  std::optional<Response> handle(const Request& req, const std::string& remote);

 private:
  UpdateServer server_;
  Log& log_;
};

}  // namespace failover_hil::sim::service
