#include "courier.hpp"

#include <boost/json.hpp>

#include "failover_hil/core/https_client.hpp"
#include "failover_hil/sim/model/peer_json.hpp"
#include "peer_auth.hpp"

namespace failover_hil::sim::service {

Courier::Courier(std::vector<std::uint8_t> key, Log& log, Post post)
    : key_(std::move(key)), log_(log), post_(std::move(post)), thread_([this] { run(); }) {}

Courier::~Courier() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Courier::send(Outbound out, Done done) {
  {
    std::lock_guard lock(mu_);
    queue_.emplace_back(std::move(out), std::move(done));
  }
  cv_.notify_all();
}

void Courier::run() {
  for (;;) {
    std::pair<Outbound, Done> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    auto response = carry(job.first);
    post_([done = std::move(job.second), id = job.first.id, r = std::move(response)]() mutable {
      done(id, std::move(r));
    });
  }
}

std::optional<PeerResponse> Courier::carry(const Outbound& out) {
  const std::string where = out.to.host + ":" + std::to_string(out.to.port);
  if (out.to.host.empty()) return std::nullopt;
  try {
    // Certificates are not checked here: every request and answer is
    // authenticated with the Inter-Appliance key instead (peer_auth.hpp).
    HttpsClient client(out.to.host, out.to.port, TlsTrust{{}, {}, true}, std::chrono::seconds(5));
    const auto challenge = client.get("/peer/v1/challenge");
    if (challenge.status != 200) {
      log_.warn("peer " + where + " gave no challenge (HTTP " + std::to_string(challenge.status) +
                ")");
      return std::nullopt;
    }
    const auto nonce = std::string(boost::json::parse(challenge.body).at("nonce").as_string());
    const std::string body = boost::json::serialize(to_json(out.request));
    const auto res = client.request({"POST",
                                     "/peer/v1/message",
                                     body,
                                     {{"Content-Type", "application/json"},
                                      {"X-Peer-Nonce", nonce},
                                      {"X-Peer-Mac", peer_mac(key_, "request", nonce, body)}}});
    if (res.status == 403) {
      const std::string why = "R17: the appliance at " + where +
                              " refused our Inter-Appliance key (the keys differ); copy one key "
                              "to the other (/login > Management > Security)";
      log_.error(why);
      return PeerError{why};
    }
    if (res.status != 200) {
      log_.warn("peer " + where + " answered HTTP " + std::to_string(res.status));
      return std::nullopt;
    }
    if (!peer_mac_ok(key_, "response", nonce, res.body, res.header("x-peer-mac"))) {
      const std::string why =
          "R17: the answer of " + where +
          " is not authenticated with our Inter-Appliance key (the keys differ)";
      log_.error(why);
      return PeerError{why};
    }
    return response_from_json(boost::json::parse(res.body));
  } catch (const std::exception& e) {
    log_.warn("peer " + where + " unreachable: " + e.what());
    return std::nullopt;
  }
}

}  // namespace failover_hil::sim::service
