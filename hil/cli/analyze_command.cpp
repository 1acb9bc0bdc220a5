// `failover-hil analyze CAPTURE...`: outages and a timeline from captures
// taken anywhere (the harness's, or a QA engineer's own tcpdump).
#include <algorithm>
#include <iostream>

#include "commands.hpp"
#include "failover_hil/netlab/analysis.hpp"
#include "failover_hil/netlab/analysis_json.hpp"

namespace failover_hil::cli {

namespace {

struct AnalyzeArgs {
  std::vector<std::string> captures;
  std::string site, macs;
  double rate = 0;
  bool json = false;
};

netlab::AnalysisOptions options_of(const AnalyzeArgs& a) {
  netlab::AnalysisOptions o;
  o.rate_hz = a.rate;
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
  cmd->add_flag("--json", args->json, "Print the report as JSON (schema: docs/analysis.md)");
  return [cmd, args]() -> int {
    if (!*cmd) return -1;
    const auto report = netlab::analyze_files(args->captures, options_of(*args));
    std::cout << (args->json ? netlab::to_json(report) + "\n" : netlab::render_text(report));
    // A partial analysis (a truncated or corrupt file) is reported, and is not a success.
    return report.partial ? 3 : 0;
  };
}

}  // namespace failover_hil::cli
