#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "failover_hil/sim/model/peer.hpp"
#include "log.hpp"

namespace failover_hil::sim::service {

/// Carries the model's peer requests to the other appliance over HTTPS on a
/// thread of its own, so the server keeps answering while a peer is slow.
/// Answers come back through `post` (onto the server's io thread).
class Courier {
 public:
  /// nullopt: the peer could not be reached.
  using Done = std::function<void(std::uint64_t id, std::optional<PeerResponse> response)>;
  using Post = std::function<void(std::function<void()>)>;

  Courier(std::vector<std::uint8_t> key, Log& log, Post post);
  ~Courier();
  Courier(const Courier&) = delete;
  Courier& operator=(const Courier&) = delete;

  void send(Outbound out, Done done);

 private:
  std::optional<PeerResponse> carry(const Outbound& out);
  void run();
  std::vector<std::uint8_t> key_;
  Log& log_;
  Post post_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<Outbound, Done>> queue_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace failover_hil::sim::service
