#include "failover_hil/netlab/probe.hpp"

#include <array>
#include <cmath>
#include <utility>

namespace failover_hil::netlab {

namespace {

constexpr std::array<std::pair<ProbeKind, std::string_view>, 5> kKinds{{
    {ProbeKind::icmp_echo, "icmp_echo"},
    {ProbeKind::tcp_connect, "tcp_connect"},
    {ProbeKind::tls_handshake, "tls_handshake"},
    {ProbeKind::https_new, "https_new"},
    {ProbeKind::https_persistent, "https_persistent"},
}};

constexpr std::array<std::pair<ProbeOutcome, std::string_view>, 9> kOutcomes{{
    {ProbeOutcome::ok, "ok"},
    {ProbeOutcome::refused, "refused"},
    {ProbeOutcome::timeout, "timeout"},
    {ProbeOutcome::reset, "reset"},
    {ProbeOutcome::tls_error, "tls_error"},
    {ProbeOutcome::http_error, "http_error"},
    {ProbeOutcome::unreachable, "unreachable"},
    {ProbeOutcome::skipped, "skipped"},
    {ProbeOutcome::error, "error"},
}};

bool is_tls(ProbeKind k) {
  return k == ProbeKind::tls_handshake || k == ProbeKind::https_new ||
         k == ProbeKind::https_persistent;
}

}  // namespace

std::string_view to_string(ProbeKind kind) {
  for (const auto& [k, name] : kKinds)
    if (k == kind) return name;
  return "?";
}

std::string_view to_string(ProbeOutcome outcome) {
  for (const auto& [o, name] : kOutcomes)
    if (o == outcome) return name;
  return "?";
}

ProbeKind parse_probe_kind(std::string_view text) {
  for (const auto& [k, name] : kKinds)
    if (name == text) return k;
  throw ProbeError("unknown probe kind '" + std::string(text) +
                   "' (icmp_echo, tcp_connect, tls_handshake, https_new, https_persistent)");
}

ProbeOutcome parse_probe_outcome(std::string_view text) {
  for (const auto& [o, name] : kOutcomes)
    if (name == text) return o;
  throw ProbeError("unknown probe outcome '" + std::string(text) + "'");
}

void validate(const ProbeSpec& spec) {
  const std::string what =
      "probe " + std::string(to_string(spec.kind)) + " to '" + spec.target + "'";
  if (spec.target.empty()) throw ProbeError(what + ": no target (host name or IP address)");
  if (!(spec.rate_hz > 0) || !std::isfinite(spec.rate_hz) || spec.rate_hz > 1e6)
    throw ProbeError(what + ": rate must be in (0, 1e6] probes per second, not " +
                     std::to_string(spec.rate_hz));
  if (spec.deadline.count() <= 0) throw ProbeError(what + ": the deadline must be positive");
  if (spec.kind != ProbeKind::icmp_echo && spec.port == 0) throw ProbeError(what + ": no TCP port");
  if (is_tls(spec.kind) && spec.trust.pinned_sha256.empty() && !spec.trust.no_verification)
    throw ProbeError(what +
                     ": give a pinned certificate fingerprint, or ProbeTrust::insecure() to "
                     "probe without checking the certificate");
  if (spec.kind == ProbeKind::https_new || spec.kind == ProbeKind::https_persistent) {
    if (spec.http_path.empty() || spec.http_path.front() != '/')
      throw ProbeError(what + ": the HTTP path must start with '/'");
    for (const char c : spec.http_path)
      if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f)
        throw ProbeError(what + ": the HTTP path holds a space or control character");
  }
  if (spec.realtime_priority < 0 || spec.realtime_priority > 99)
    throw ProbeError(what + ": realtime priority must be 0 (off) or 1..99");
  if (spec.spin && spec.spin->count() < 0) throw ProbeError(what + ": spin must not be negative");
}

ProbeSchedule::ProbeSchedule(double rate_hz) : rate_hz_(rate_hz) {
  if (!(rate_hz > 0) || !std::isfinite(rate_hz))
    throw ProbeError("a probe schedule needs a positive rate");
}

std::chrono::nanoseconds ProbeSchedule::period() const noexcept {
  return std::chrono::nanoseconds(std::llround(1e9 / rate_hz_));
}

std::chrono::nanoseconds ProbeSchedule::due(std::uint64_t seq) const noexcept {
  // Computed from the start each time, so rounding never accumulates.
  return std::chrono::nanoseconds(std::llround(static_cast<double>(seq) * 1e9 / rate_hz_));
}

std::uint64_t ProbeSchedule::due_count(std::chrono::nanoseconds elapsed) const noexcept {
  if (elapsed.count() < 0) return 0;
  // An estimate, then corrected against due() so both agree exactly.
  auto n = static_cast<std::uint64_t>(static_cast<double>(elapsed.count()) * rate_hz_ / 1e9) + 1;
  while (n > 0 && due(n - 1) > elapsed) --n;
  while (due(n) <= elapsed) ++n;
  return n;
}

}  // namespace failover_hil::netlab
