#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "failover_hil/netlab/analysis.hpp"
#include "failover_hil/netlab/decode.hpp"
#include "failover_hil/netlab/netns.hpp"
#include "failover_hil/netlab/packet_source.hpp"

typedef struct pcap pcap_t;

namespace failover_hil::netlab {

/// The BPF filter for a site's traffic plus ARP and neighbour discovery:
/// "(host S and (tcp port P or icmp or icmp6)) or arp or icmp6". With no
/// site, "tcp or icmp or arp or icmp6".
std::string capture_filter(const std::optional<IpAddress>& site_ip,
                           const std::optional<std::uint16_t>& site_port);

/// What to capture and where to write it.
struct CaptureOptions {
  std::string interface;  ///< inside the namespace ("any" for all)
  std::string path;       ///< the nanosecond pcap file written
  std::string filter;     ///< BPF filter; empty captures everything
  int snaplen = 256;      ///< enough for every header the analyser reads
  int buffer_bytes = 8 << 20;
  /// When set, the capture loop also feeds an Analyzer (the same loop and
  /// code as a file analysis) and stop() returns its report.
  std::optional<AnalysisOptions> analysis;
};

/// A live libpcap handle as a PacketSource: nanosecond timestamps, immediate
/// mode, non-blocking reads. Must be opened by a thread inside the target
/// namespace (Capture does this). next() waits (poll on the handle's
/// descriptor, 100 ms at a time) until a packet comes or stop() is called;
/// after stop() it drains what the kernel holds (polling for 20 ms) and then
/// ends, on a quiet interface too.
class LiveSource final : public PacketSource {
 public:
  /// Opens and activates `interface` in the calling thread's namespace and
  /// installs `filter`. Throws KernelError naming the interface and libpcap's reason.
  LiveSource(const std::string& interface, const std::string& filter, int snaplen,
             int buffer_bytes);
  ~LiveSource() override;
  LiveSource(const LiveSource&) = delete;
  LiveSource& operator=(const LiveSource&) = delete;

  std::optional<PacketView> next() override;
  /// pcap_stats' ps_drop (dropped for lack of buffer space).
  std::optional<std::uint64_t> kernel_drops() const override;
  /// pcap_stats' ps_ifdrop (dropped by the interface).
  std::optional<std::uint64_t> interface_drops() const;
  std::string name() const override { return "live:" + interface_; }
  std::uint32_t linktype() const noexcept { return linktype_; }
  /// Thread-safe: makes next() drain and end (within its 100 ms wait).
  void stop() noexcept;
  /// The error that ended the capture early, if any.
  const std::string& error() const noexcept { return error_; }

 private:
  std::string interface_;
  pcap_t* pcap_ = nullptr;
  int fd_ = -1;  // pcap_get_selectable_fd, polled while no packet is ready
  std::uint32_t linktype_ = 0;
  std::atomic<bool> stop_{false};
  bool draining_ = false;
  std::chrono::steady_clock::time_point drain_until_;
  std::string error_;
};

/// What a finished capture saw.
struct CaptureResult {
  std::string path;
  std::uint64_t packets = 0;
  std::optional<std::uint64_t> kernel_drops;
  std::optional<std::uint64_t> interface_drops;
  std::string error;  ///< empty unless libpcap failed during the capture
  std::optional<AnalysisReport> analysis;
};

/// A running capture: a thread that entered the namespace (NetnsGuard),
/// opened a LiveSource and writes every packet to a nanosecond pcap file.
/// start() returns once the handle is active, so probes started afterwards
/// are captured. Move-only; the destructor stops it.
class Capture {
 public:
  /// Starts capturing; throws KernelError / NetlabError when the handle or
  /// the file cannot be opened.
  static Capture start(const Netns& ns, CaptureOptions options);
  Capture(Capture&&) noexcept;
  Capture& operator=(Capture&&) noexcept;
  ~Capture();

  /// Stops (within 100 ms), drains, closes the file and reports pcap_stats
  /// drops. Call once.
  CaptureResult stop();

 private:
  struct Shared;
  explicit Capture(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
  std::shared_ptr<Shared> shared_;
};

}  // namespace failover_hil::netlab
