#include "packet_socket.hpp"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sys_error.hpp"

namespace failover_hil::netlab {

PacketSocket::PacketSocket(const Netns& ns, std::string_view link, std::uint16_t ethertype)
    : what_("packet socket on " + std::string(link) + " in netns " + ns.name()) {
  const std::string name(link);
  if (name.size() >= IFNAMSIZ) throw NetlabError("interface name '" + name + "' is too long");
  // Protocol 0 until bound, so no frame of another interface is queued.
  fd_ = run_in_netns(ns, [&] {
    const int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) throw_errno("opening " + what_, errno);
    return fd;
  });
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name.c_str(), name.size() + 1);
  // The socket lives in `ns`, so these ioctls look the interface up there.
  if (::ioctl(fd_, SIOCGIFHWADDR, &ifr) != 0) {
    const int err = errno;
    ::close(fd_);
    throw_errno("reading the MAC of " + name + " for " + what_, err);
  }
  std::memcpy(mac_.bytes.data(), ifr.ifr_hwaddr.sa_data, mac_.bytes.size());
  if (::ioctl(fd_, SIOCGIFINDEX, &ifr) != 0) {
    const int err = errno;
    ::close(fd_);
    throw_errno("looking up " + name + " for " + what_, err);
  }
  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(ethertype);
  addr.sll_ifindex = ifr.ifr_ifindex;
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    ::close(fd_);
    throw_errno("binding " + what_, err);
  }
}

PacketSocket::~PacketSocket() {
  ::close(fd_);
}

void PacketSocket::send(std::span<const std::uint8_t> frame) {
  const auto sent = ::send(fd_, frame.data(), frame.size(), 0);
  if (sent < 0) throw_errno("sending a frame on " + what_, errno);
  if (static_cast<std::size_t>(sent) != frame.size())
    throw NetlabError("sending a frame on " + what_ + ": short write");
}

std::vector<std::uint8_t> PacketSocket::receive(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (ready < 0) {
    if (errno == EINTR) return {};
    throw_errno("waiting for a frame on " + what_, errno);
  }
  if (ready == 0) return {};
  std::vector<std::uint8_t> frame(2048);
  const auto n = ::recv(fd_, frame.data(), frame.size(), MSG_DONTWAIT);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return {};
    throw_errno("receiving a frame on " + what_, errno);
  }
  frame.resize(static_cast<std::size_t>(n));
  return frame;
}

}  // namespace failover_hil::netlab
