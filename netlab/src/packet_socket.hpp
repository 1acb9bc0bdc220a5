#pragma once

// An AF_PACKET socket bound to one interface of one namespace (private to netlab).

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "failover_hil/netlab/mac.hpp"
#include "failover_hil/netlab/netns.hpp"

namespace failover_hil::netlab {

/// Move-only owner of a raw packet socket; sends and receives whole
/// Ethernet frames of one EtherType on one interface.
class PacketSocket {
 public:
  /// Opens the socket inside `ns` (on a worker) and binds it to `link`.
  PacketSocket(const Netns& ns, std::string_view link, std::uint16_t ethertype);
  ~PacketSocket();
  PacketSocket(const PacketSocket&) = delete;
  PacketSocket& operator=(const PacketSocket&) = delete;

  const MacAddress& mac() const noexcept { return mac_; }
  /// Sends one frame; throws KernelError.
  void send(std::span<const std::uint8_t> frame);
  /// Waits up to `timeout` for a frame; returns an empty vector on timeout.
  std::vector<std::uint8_t> receive(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  MacAddress mac_;
  std::string what_;
};

}  // namespace failover_hil::netlab
