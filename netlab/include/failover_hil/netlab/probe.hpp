#pragma once

// Probes: what one probe client sends, at what rate, and what each probe's
// outcome looks like. The engine that runs them is ProbeRunner
// (probe_runner.hpp); logs and summaries are in probe_log.hpp and
// probe_stats.hpp. Formats: docs/probes.md.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "failover_hil/netlab/error.hpp"

namespace failover_hil::netlab {

class Netns;
class TtlResolver;

/// A probe spec is invalid, or the probe engine cannot start (e.g. ICMP
/// without the privilege to open an ICMP socket).
class ProbeError : public NetlabError {
 public:
  using NetlabError::NetlabError;
};

/// What a probe does.
enum class ProbeKind {
  icmp_echo,         ///< ICMP echo request / reply (IPv4), matched by id and sequence
  tcp_connect,       ///< a TCP three-way handshake on a new connection
  tls_handshake,     ///< TCP connect and a full TLS handshake on a new connection
  https_new,         ///< a GET on a new TLS connection (Connection: close)
  https_persistent,  ///< GETs on one kept-alive TLS connection, reconnected when broken
};

/// How a probe ended.
enum class ProbeOutcome {
  ok,           ///< answered in time (HTTPS: status 2xx)
  refused,      ///< TCP RST to the SYN (ECONNREFUSED) or ICMP port unreachable
  timeout,      ///< no answer before the probe's deadline
  reset,        ///< an established connection was reset or closed early
  tls_error,    ///< the TLS handshake failed (alert, bad certificate, pin mismatch)
  http_error,   ///< an answer that is not HTTP 2xx, or not HTTP at all
  unreachable,  ///< no route, host or network unreachable, or no address for the name
  skipped,      ///< not sent: too many probes in flight (the schedule did not slow down)
  error,        ///< anything else (the error text says what)
};

std::string_view to_string(ProbeKind kind);
std::string_view to_string(ProbeOutcome outcome);
/// Parses the names to_string gives; throws ProbeError otherwise.
ProbeKind parse_probe_kind(std::string_view text);
ProbeOutcome parse_probe_outcome(std::string_view text);

/// How TLS probes treat the server's certificate. Probes measure
/// availability, not authenticity, so "no verification" is allowed, but it
/// has to be asked for by name (ProbeTrust::insecure()).
struct ProbeTrust {
  /// SHA-256 of the server certificate's DER (hex, colons allowed): a
  /// mismatch is a tls_error. Empty: no pin.
  std::string pinned_sha256;
  /// True: the certificate is not checked at all.
  bool no_verification = false;

  static ProbeTrust insecure() { return {{}, true}; }
  static ProbeTrust pinned(std::string sha256) { return {std::move(sha256), false}; }
};

/// One probe client: kind, target and rate. Probe i is due at
/// t0 + i / rate_hz on the steady clock.
struct ProbeSpec {
  ProbeKind kind = ProbeKind::tcp_connect;
  /// An IPv4 or IPv6 literal, or a host name (see `resolver`).
  std::string target;
  /// TCP port; ignored by icmp_echo.
  std::uint16_t port = 443;
  /// Probes per second (> 0).
  double rate_hz = 100.0;
  /// Each probe's deadline after it was sent; also bounds a persistent
  /// connection's reconnect.
  std::chrono::milliseconds deadline{1000};
  /// Run in this namespace (sockets are created inside it); nullptr: the
  /// caller's. The runner keeps its own handle (Netns::share), so `netns`
  /// need not outlive it.
  const Netns* netns = nullptr;
  /// TLS kinds only: how the certificate is checked. Neither a pin nor
  /// no_verification: the runner refuses to start.
  ProbeTrust trust;
  /// HTTPS kinds: the request target.
  std::string http_path = "/probe";
  /// HTTPS and TLS kinds: Host header and SNI; empty: `target`.
  std::string host_header;
  /// For a host name: a resolver honouring TTLs (must outlive the runner).
  /// It is asked off the probe thread, so a slow DNS answer never delays the
  /// schedule. nullptr: the name is resolved once at start (getaddrinfo, in
  /// the namespace).
  TtlResolver* resolver = nullptr;
  /// Most probes in flight at once; 0: ceil(rate_hz * deadline) + 16.
  /// Probes due beyond it are recorded as skipped.
  std::size_t max_in_flight = 0;
  /// Stop after this many probes; 0: run until stop().
  std::uint64_t count = 0;
  /// The probe thread waits on a timer until this long before a probe is
  /// due, then polls the event loop until it is: send times within a few
  /// microseconds for some CPU. nullopt: min(period / 2, 50 us).
  std::optional<std::chrono::nanoseconds> spin;
  /// > 0: the probe thread runs SCHED_FIFO at this priority (1..99), so
  /// other work on the host (builds, the simulators) cannot push sends off
  /// schedule. Needs CAP_SYS_NICE; start() throws ProbeError without it.
  /// 0: normal scheduling.
  int realtime_priority = 0;
  /// A label for logs (the CSV's `client` column); empty: "<kind>".
  std::string label;
};

/// Throws ProbeError naming what is wrong with `spec`.
void validate(const ProbeSpec& spec);

/// The due times of a fixed-rate schedule, in nanoseconds from its start:
/// probe i is due at round(i * 1e9 / rate). Pure: unit-tested.
class ProbeSchedule {
 public:
  explicit ProbeSchedule(double rate_hz);
  double rate_hz() const noexcept { return rate_hz_; }
  /// The interval between probes, rounded to nanoseconds.
  std::chrono::nanoseconds period() const noexcept;
  /// When probe `seq` is due, from the start.
  std::chrono::nanoseconds due(std::uint64_t seq) const noexcept;
  /// How many probes are due at `elapsed` after the start (probes
  /// 0 .. n-1 have due(i) <= elapsed).
  std::uint64_t due_count(std::chrono::nanoseconds elapsed) const noexcept;

 private:
  double rate_hz_;
};

/// One probe's record. Times are nanoseconds: `*_ns` on the steady
/// (monotonic) clock, `*_realtime_ns` since the UNIX epoch (CLOCK_REALTIME,
/// comparable to pcap timestamps).
struct ProbeRecord {
  std::uint64_t seq = 0;
  ProbeKind kind = ProbeKind::tcp_connect;
  std::int64_t scheduled_ns = 0;  ///< when it was due
  std::int64_t sent_ns = 0;       ///< when it was sent; 0 when skipped
  std::int64_t sent_realtime_ns = 0;
  std::int64_t done_ns = 0;  ///< when the outcome was known
  ProbeOutcome outcome = ProbeOutcome::ok;
  std::int64_t latency_ns = 0;  ///< done - sent for an answer; 0 otherwise
  std::string served_by;        ///< X-Served-By of an HTTPS answer
  std::string error;            ///< the reason of a failure
  /// An HTTPS answer's connection: the address it went to (after DNS; before
  /// any NAT) and this end's port, to tell which appliance answered where no
  /// header says it. Not in the probe log.
  std::string peer;
  std::uint16_t local_port = 0;
};

}  // namespace failover_hil::netlab
