#include "failover_hil/netlab/capture.hpp"

#include <pcap/pcap.h>
#include <poll.h>

#include <cerrno>
#include <chrono>
#include <future>
#include <mutex>
#include <system_error>

#include "failover_hil/netlab/error.hpp"
#include "failover_hil/netlab/pcap_writer.hpp"

namespace failover_hil::netlab {

std::string capture_filter(const std::optional<IpAddress>& site_ip,
                           const std::optional<std::uint16_t>& site_port) {
  std::string site;
  const std::string tcp = site_port ? "tcp port " + std::to_string(*site_port) : "tcp";
  if (site_ip)
    site = "(host " + site_ip->str() + " and (" + tcp + " or icmp or icmp6))";
  else
    site = "(" + tcp + " or icmp)";
  return site + " or arp or icmp6";
}

namespace {

[[noreturn]] void pcap_fail(const std::string& what, const std::string& reason) {
  throw KernelError(what + ": " + reason, std::make_error_code(std::errc::io_error));
}

}  // namespace

LiveSource::LiveSource(const std::string& interface, const std::string& filter, int snaplen,
                       int buffer_bytes)
    : interface_(interface) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_ = pcap_create(interface.c_str(), errbuf);
  if (pcap_ == nullptr) pcap_fail("cannot capture on " + interface, errbuf);
  const auto check = [&](int rc, const char* step) {
    if (rc != 0) {
      const std::string reason = pcap_geterr(pcap_);
      pcap_close(pcap_);
      pcap_ = nullptr;
      pcap_fail(std::string("cannot capture on ") + interface + " (" + step + ")", reason);
    }
  };
  check(pcap_set_snaplen(pcap_, snaplen), "pcap_set_snaplen");
  check(pcap_set_immediate_mode(pcap_, 1), "pcap_set_immediate_mode");
  check(pcap_set_tstamp_precision(pcap_, PCAP_TSTAMP_PRECISION_NANO), "pcap_set_tstamp_precision");
  check(pcap_set_timeout(pcap_, 100), "pcap_set_timeout");
  check(pcap_set_buffer_size(pcap_, buffer_bytes), "pcap_set_buffer_size");
  const int activated = pcap_activate(pcap_);
  if (activated < 0) {
    // PCAP_ERROR_NO_SUCH_DEVICE, PCAP_ERROR_PERM_DENIED, ...: say which.
    const std::string reason = std::string(pcap_statustostr(activated)) + ": " + pcap_geterr(pcap_);
    pcap_close(pcap_);
    pcap_ = nullptr;
    pcap_fail("cannot capture on " + interface + " (pcap_activate)", reason);
  }
  if (!filter.empty()) {
    bpf_program program{};
    check(pcap_compile(pcap_, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN), "pcap_compile");
    const int rc = pcap_setfilter(pcap_, &program);
    pcap_freecode(&program);
    check(rc, "pcap_setfilter");
  }
  // Non-blocking reads, and next() waits on the descriptor itself: libpcap
  // 1.10's blocking read never returns on an idle interface (its poll loop
  // ignores the read timeout), so a stop flag checked between reads would
  // not be seen until the next packet.
  if (pcap_setnonblock(pcap_, 1, errbuf) != 0) {
    pcap_close(pcap_);
    pcap_ = nullptr;
    pcap_fail("cannot capture on " + interface + " (pcap_setnonblock)", errbuf);
  }
  fd_ = pcap_get_selectable_fd(pcap_);
  linktype_ = static_cast<std::uint32_t>(pcap_datalink(pcap_));
}

LiveSource::~LiveSource() {
  if (pcap_ != nullptr) pcap_close(pcap_);
}

void LiveSource::stop() noexcept {
  // No pcap_breakloop: on Linux it can make the next reads return
  // PCAP_ERROR_BREAK and lose what the ring still holds; next() sees the
  // flag within its 100 ms wait instead.
  stop_.store(true);
}

std::optional<PacketView> LiveSource::next() {
  for (;;) {
    if (!draining_ && stop_.load()) {
      // Deliver what the kernel already holds, then end. TPACKET_V3 hands
      // packets over by ring block, retired after up to 1 ms in immediate
      // mode, so keep polling a little past the stop.
      draining_ = true;
      drain_until_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
    }
    pcap_pkthdr* header = nullptr;
    const std::uint8_t* data = nullptr;
    const int rc = pcap_next_ex(pcap_, &header, &data);
    if (rc == 1) {
      PacketView v;
      // With nanosecond precision, tv_usec holds nanoseconds.
      v.timestamp_ns = std::int64_t{header->ts.tv_sec} * 1'000'000'000 + header->ts.tv_usec;
      v.linktype = linktype_;
      v.original_length = header->len;
      v.bytes = std::span<const std::uint8_t>(data, header->caplen);
      return v;
    }
    if (rc == 0 || rc == PCAP_ERROR_BREAK) {
      if (draining_) {
        if (std::chrono::steady_clock::now() >= drain_until_) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      } else {
        // Nothing ready: wait for the ring, at most 100 ms so stop() is seen.
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 100) < 0 && errno != EINTR) {
          error_ = std::string("capture on ") + interface_ +
                   " failed: poll: " + std::generic_category().message(errno);
          return std::nullopt;
        }
      }
      continue;
    }
    error_ = std::string("capture on ") + interface_ + " failed: " + pcap_geterr(pcap_);
    return std::nullopt;
  }
}

std::optional<std::uint64_t> LiveSource::kernel_drops() const {
  pcap_stat stats{};
  if (pcap_stats(pcap_, &stats) != 0) return std::nullopt;
  return stats.ps_drop;
}

std::optional<std::uint64_t> LiveSource::interface_drops() const {
  pcap_stat stats{};
  if (pcap_stats(pcap_, &stats) != 0) return std::nullopt;
  return stats.ps_ifdrop;
}

struct Capture::Shared {
  std::mutex mutex;
  LiveSource* source = nullptr;  // set while the thread runs
  bool stop_requested = false;
  std::thread thread;
  CaptureResult result;
  bool stopped = false;
};

Capture Capture::start(const Netns& ns, CaptureOptions options) {
  auto shared = std::make_shared<Shared>();
  std::promise<void> ready;
  auto ready_future = ready.get_future();
  shared->thread = std::thread([shared, &ns, options = std::move(options),
                                ready = std::move(ready)]() mutable {
    std::optional<LiveSource> source;
    std::optional<PcapWriter> writer;
    try {
      NetnsGuard guard(ns);  // the handle binds to this namespace's interface
      source.emplace(options.interface, options.filter, options.snaplen, options.buffer_bytes);
      writer.emplace(options.path, static_cast<LinkType>(source->linktype()),
                     CaptureFormat::pcap_nanosecond, static_cast<std::uint32_t>(options.snaplen));
    } catch (...) {
      ready.set_exception(std::current_exception());
      return;
    }
    {
      std::lock_guard lock(shared->mutex);
      shared->source = &*source;
    }
    ready.set_value();
    std::optional<Analyzer> analyzer;
    if (options.analysis) analyzer.emplace(*options.analysis);
    // The one loop: the same packets go to the file and to the analyser.
    auto& result = shared->result;
    result.path = options.path;
    try {
      while (const auto packet = source->next()) {
        writer->write(packet->timestamp_ns, packet->bytes, packet->original_length);
        if (analyzer) analyzer->add(*packet);
        ++result.packets;
      }
      writer->close();
    } catch (const std::exception& e) {
      result.error = e.what();
    }
    if (result.error.empty()) result.error = source->error();
    result.kernel_drops = source->kernel_drops();
    result.interface_drops = source->interface_drops();
    if (analyzer) {
      result.analysis = analyzer->finish();
      result.analysis->sources = {options.path};
      result.analysis->kernel_drops = result.kernel_drops;
    }
    std::lock_guard lock(shared->mutex);
    shared->source = nullptr;
  });
  try {
    ready_future.get();
  } catch (...) {
    shared->thread.join();
    throw;
  }
  return Capture(std::move(shared));
}

Capture::Capture(Capture&&) noexcept = default;
Capture& Capture::operator=(Capture&& other) noexcept {
  if (this != &other) {
    if (shared_ && !shared_->stopped) stop();
    shared_ = std::move(other.shared_);
  }
  return *this;
}

Capture::~Capture() {
  if (shared_ && !shared_->stopped) stop();
}

CaptureResult Capture::stop() {
  if (!shared_ || shared_->stopped) throw NetlabError("capture already stopped");
  {
    std::lock_guard lock(shared_->mutex);
    if (shared_->source != nullptr) shared_->source->stop();
  }
  shared_->thread.join();
  shared_->stopped = true;
  return std::move(shared_->result);
}

}  // namespace failover_hil::netlab
