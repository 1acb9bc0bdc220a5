#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "courier.hpp"
#include "failover_hil/core/clock.hpp"
#include "failover_hil/sim/model/appliance.hpp"
#include "http_types.hpp"
#include "log.hpp"
#include "secret_throttle.hpp"
#include "server.hpp"
#include "service_config.hpp"
#include "state_db.hpp"
#include "tokens.hpp"

namespace failover_hil::sim::service {

/// What the network side must do besides answering (faults and the shared IP).
struct ServiceHooks {
  /// The shared IP was enabled or disabled; returns an error text or empty.
  /// `skip_check`: no duplicate-address probe first (an operator forcing it).
  std::function<std::string(bool enabled, bool skip_check)> shared_ip;
  /// Refuse site connections for `d` (real time, never scaled).
  std::function<void(std::chrono::milliseconds d)> refuse_site;
};

/// One simulated appliance behind HTTPS: owns the model, its persistence, the
/// API accounts and the peer courier. All calls on the io_context's thread.
class Service {
 public:
  Service(ServiceConfig config, const std::filesystem::path& data_dir, double time_scale,
          boost::asio::io_context& io, Log& log, ServiceHooks hooks);

  /// Before a request's body is read: refuses an unauthenticated API call
  /// or an unknown peer challenge, and gives the route's body limit (large
  /// only for an update file upload and the peer channel).
  Admission admit(const Request& header, const std::string& remote);
  /// nullopt: close the connection without an answer (a silenced peer channel).
  std::optional<Response> handle(const Request& req, const std::string& remote);
  /// Applies due work, sends peer messages, persists what changed.
  void tick();
  const std::string& name() const { return app_->name(); }
  bool serves_site() const { return app_->serves_site(); }
  bool shared_ip_enabled() const { return app_->shared_ip_enabled(); }

 private:
  using Handler = Response (Service::*)(const Call&, const Account&);
  Response route(const Call& c);
  const Account* bearer(const Request& req) const;
  /// The product's answer to an API call without a valid token.
  Response unauthorized(const std::string& path) const;
  /// Identity headers, keep-alive as the product does, Content-Length.
  void finish(Response& res, const Request& req) const;
  Response oauth_token(const Call& c);
  Response site(const Call& c);
  Response client_endpoint(const Call& c);
  Response command_xml(const Call& c, const Account& a);
  Response command_v2(const Call& c, const Account& a);
  Response reporting(const Call& c, const Account& a);
  Response backup(const Call& c, const Account& a);
  Response sim_api(const Call& c, const Account& a);
  std::optional<Response> peer(const Call& c);
  void deliver(Outbound out);
  /// Saves what changed; false when it could not (the change stays in memory
  /// and is tried again at the next tick).
  bool persist();
  /// Back to the state last committed to the database (a change that could
  /// not be saved is not acknowledged, so it is not kept either).
  void roll_back();

  ServiceConfig config_;
  boost::asio::io_context& io_;
  Log& log_;
  ServiceHooks hooks_;
  SystemClock wall_;
  std::unique_ptr<ScaledClock> clock_;
  StateDb db_;
  std::unique_ptr<Appliance> app_;
  mutable TokenStore tokens_;
  SecretThrottle throttle_{wall_};
  Courier courier_;
  std::string saved_;
  std::optional<std::string> committed_;  ///< the appliance's JSON as last in the database
  bool unsaved_ = false;                  ///< the last save failed
  bool peer_silent_ = false;
  std::map<std::string, std::chrono::steady_clock::time_point> nonces_;
  /// Command API v2 requests per account in the current second and hour.
  struct Rate {
    long long second = -1, hour = -1;
    int in_second = 0, in_hour = 0;
  };
  std::map<std::string, Rate> rate_;  // by client_id
};

}  // namespace failover_hil::sim::service
