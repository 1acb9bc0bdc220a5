// `failover-hil analyze CAPTURE...`: outages and a timeline from captures
// taken anywhere (the harness's, or a QA engineer's own tcpdump).
#include <algorithm>
#include <cmath>
#include <iostream>

#include "commands.hpp"
#include "failover_hil/netlab/analysis.hpp"
#include "failover_hil/netlab/analysis_json.hpp"
#include "failover_hil/netlab/probe_log.hpp"

namespace failover_hil::cli {

namespace {

struct AnalyzeArgs {
  std::vector<std::string> captures;
  std::string site, macs, probe_log;
  std::vector<std::string> clock_offsets;  // PATH=SECONDS
  double rate = 0;
  double answer_timeout_s = 0;  // 0: from the probe log, else the default
  bool json = false;
  bool strict = false;
  bool align_clocks = false;
  bool mirror = false;
};

netlab::AnalysisOptions options_of(const AnalyzeArgs& a) {
  netlab::AnalysisOptions o;
  o.rate_hz = a.rate;
  // The answer timeout: given, else the probes' own deadline from their log
  // (so the capture counts as lost what the prober counted as timed out),
  // else the default. Said on stderr, since every figure depends on it.
  if (a.answer_timeout_s > 0) {
    o.answer_timeout_ns = std::llround(a.answer_timeout_s * 1e9);
  } else if (!a.probe_log.empty()) {
    if (const auto t = netlab::infer_answer_timeout(a.probe_log)) {
      o.answer_timeout_ns = *t;
      std::cerr << "answer timeout " << netlab::format_ns_duration(*t)
                << " (the probes' deadline in " << a.probe_log << ")\n";
    } else {
      std::cerr << "answer timeout " << netlab::format_ns_duration(o.answer_timeout_ns)
                << " (default: no probe in " << a.probe_log << " timed out)\n";
    }
  }
  if (!a.site.empty()) {
    // IP, IP:PORT, or [IPv6]:PORT (a bare IPv6 address has several colons).
    std::string host = a.site, port;
    if (host.starts_with('[')) {
      const auto close = host.find(']');
      if (close == std::string::npos)
        throw std::invalid_argument("--site '" + a.site + "': missing ']'");
      if (host.size() > close + 1) port = host.substr(close + 2);
      host = host.substr(1, close - 1);
    } else if (std::count(host.begin(), host.end(), ':') == 1) {
      port = host.substr(host.find(':') + 1);
      host = host.substr(0, host.find(':'));
    }
    if (!port.empty()) {
      if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
          std::stoul(port) > 65535)
        throw std::invalid_argument("--site '" + a.site + "': the port must be 0..65535");
      o.site_port = static_cast<std::uint16_t>(std::stoul(port));
    }
    o.site_ip = netlab::IpAddress::parse(host);
  }
  for (const auto& item : a.clock_offsets) {
    const auto eq = item.rfind('=');
    if (eq == std::string::npos)
      throw std::invalid_argument("--clock-offset expects CAPTURE=SECONDS, got '" + item + "'");
    const auto path = item.substr(0, eq);
    if (std::find(a.captures.begin(), a.captures.end(), path) == a.captures.end())
      throw std::invalid_argument("--clock-offset names '" + path +
                                  "', which is not a capture given");
    std::size_t used = 0;
    const double s = std::stod(item.substr(eq + 1), &used);
    if (used != item.size() - eq - 1)
      throw std::invalid_argument("--clock-offset '" + item + "': SECONDS is not a number");
    o.clock_offsets_ns[path] = std::llround(s * 1e9);
  }
  o.align_clocks = a.align_clocks;
  o.mirror_port = a.mirror;
  // NAME=MAC,NAME=MAC
  for (std::size_t at = 0; at < a.macs.size();) {
    const auto comma = std::min(a.macs.find(',', at), a.macs.size());
    const auto item = a.macs.substr(at, comma - at);
    const auto eq = item.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument("--macs expects NAME=MAC[,NAME=MAC...], got '" + item + "'");
    o.appliance_macs[netlab::MacAddress::parse(item.substr(eq + 1))] = item.substr(0, eq);
    at = comma + 1;
  }
  return o;
}

}  // namespace

Action add_analyze(CLI::App& app) {
  auto args = std::make_shared<AnalyzeArgs>();
  auto* cmd = app.add_subcommand("analyze",
                                 "Measure the site's outages from packet captures (pcap, pcapng)");
  cmd->add_option("captures", args->captures, "Capture files")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--site", args->site, "The site as IP[:PORT]; only probes to it count");
  cmd->add_option("--macs", args->macs, "Appliance names by MAC: A=02:..,B=02:..");
  cmd->add_option("--rate", args->rate, "Probe rate in Hz (default: inferred per client)");
  cmd->add_option("--answer-timeout", args->answer_timeout_s,
                  "Seconds after which an unanswered probe is lost (default: the probes' deadline "
                  "from --probe-log, else 2)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--probe-log", args->probe_log,
                  "The probes' CSV log (docs/probes.md): its deadline sets the answer timeout")
      ->check(CLI::ExistingFile);
  cmd->add_option("--clock-offset", args->clock_offsets,
                  "CAPTURE=SECONDS: add this to that capture's timestamps (its host's known clock "
                  "offset from the first capture's); repeatable");
  cmd->add_flag("--align-clocks", args->align_clocks,
                "Estimate each further capture's clock offset from packets both it and the first "
                "capture saw (unless given by --clock-offset)");
  cmd->add_flag("--mirror", args->mirror,
                "The capture is from a mirror (SPAN) port: drop a packet's second copy");
  cmd->add_flag("--strict", args->strict,
                "Exit 1 when a figure is not bounded: an outage open at the capture's start or "
                "end, or counting probes whose timeout had not run out");
  cmd->add_flag("--json", args->json, "Print the report as JSON (schema: docs/analysis.md)");
  return [cmd, args]() -> int {
    if (!*cmd) return -1;
    const auto report = netlab::analyze_files(args->captures, options_of(*args));
    std::cout << (args->json ? netlab::to_json(report) + "\n" : netlab::render_text(report));
    // A partial analysis (a truncated or corrupt file) is reported, and is not a success.
    if (report.partial) return 3;
    if (args->strict) {
      const auto unbounded = netlab::unbounded_figures(report);
      for (const auto& why : unbounded) std::cerr << "not bounded: " << why << "\n";
      if (!unbounded.empty()) return 1;
    }
    return 0;
  };
}

}  // namespace failover_hil::cli
