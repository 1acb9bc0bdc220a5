#include "failover_hil/netlab/analysis_json.hpp"

#include <boost/json.hpp>
#include <cstdio>
#include <sstream>

namespace failover_hil::netlab {

namespace json = boost::json;

std::string format_ns_duration(std::int64_t ns) {
  const bool negative = ns < 0;
  const auto v = static_cast<std::uint64_t>(negative ? -ns : ns);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%llu.%09llus", negative ? "-" : "",
                static_cast<unsigned long long>(v / 1'000'000'000),
                static_cast<unsigned long long>(v % 1'000'000'000));
  return buf;
}

namespace {

json::value length_json(const OutageLength& l) {
  return {{"method", method_name(l.method)},
          {"length_ns", l.length_ns},
          {"resolution_ns", l.resolution_ns},
          {"uncertainty_ns", l.resolution_ns},
          {"probes", l.probes},
          {"bound", bound_name(l.bound)}};
}

json::value mark_json(const std::optional<ProbeMark>& m) {
  if (!m) return nullptr;
  json::object o{{"sent_ns", m->sent_ns}};
  o["answer_ns"] = m->answer_ns == 0 ? json::value(nullptr) : json::value(m->answer_ns);
  o["appliance"] = m->appliance.empty() ? json::value(nullptr) : json::value(m->appliance);
  return o;
}

json::array lengths_json(const std::vector<OutageLength>& ls) {
  json::array a;
  for (const auto& l : ls) a.push_back(length_json(l));
  return a;
}

}  // namespace

std::string to_json(const AnalysisReport& r) {
  json::object root;
  root["schema"] = "failover-hil/analysis/2";
  root["sources"] = json::value_from(r.sources);
  root["packets"] = r.packets;
  root["undecoded_packets"] = r.undecoded;
  root["first_packet_ns"] = r.first_packet_ns;
  root["last_packet_ns"] = r.last_packet_ns;
  root["kernel_drops"] = r.kernel_drops ? json::value(*r.kernel_drops) : json::value(nullptr);
  root["partial"] = r.partial;
  json::array errors;
  for (const auto& e : r.errors)
    errors.push_back({{"source", e.source}, {"offset", e.offset}, {"message", e.message}});
  root["errors"] = std::move(errors);
  json::array clocks;
  for (const auto& c : r.clock_offsets)
    clocks.push_back({{"source", c.source},
                      {"offset_ns", c.offset_ns},
                      {"method", clock_method_name(c.method)},
                      {"matched_packets", c.matched_packets},
                      {"uncertainty_ns",
                       c.uncertainty_ns ? json::value(*c.uncertainty_ns) : json::value(nullptr)}});
  root["clock_offsets"] = std::move(clocks);
  root["copies_dropped"] = r.copies_dropped;
  root["headline_method"] = method_name(r.headline_method);

  json::array clients;
  for (const auto& c : r.clients) {
    json::object o;
    o["client"] = c.client.str();
    o["site"] = c.site.str();
    o["site_port"] = c.site_port;
    o["probe_kind"] = probe_kind_name(c.kind);
    o["probes"] = c.probes;
    o["answered"] = c.answered;
    o["refused"] = c.refused;
    o["lost"] = c.lost;
    o["undecided"] = c.undecided;
    o["unanswered_at_end"] = c.unanswered_at_end;
    o["retransmissions"] = c.retransmissions;
    o["reordered_answers"] = c.reordered_answers;
    o["duplicate_answers"] = c.duplicate_answers;
    o["late_answers"] = c.late_answers;
    o["rate_hz"] = c.rate_hz;
    o["rate_inferred"] = c.rate_inferred;
    o["resolution_ns"] = c.resolution_ns;
    o["first_probe_ns"] = c.first_probe_ns;
    o["last_probe_ns"] = c.last_probe_ns;
    o["availability"] = c.availability;
    json::array timeline;
    for (const auto& t : c.timeline)
      timeline.push_back({{"state", t.up ? "up" : "down"},
                          {"start_ns", t.start_ns},
                          {"end_ns", t.end_ns},
                          {"probes", t.probes}});
    o["timeline"] = std::move(timeline);
    json::array outages;
    for (const auto& x : c.outages) {
      json::object j;
      j["last_success"] = mark_json(x.last_success);
      j["first_failure"] = mark_json(x.first_failure);
      j["last_failure"] = mark_json(x.last_failure);
      j["first_success_after"] = mark_json(x.first_success_after);
      j["lost"] = x.lost;
      j["refused"] = x.refused;
      j["unanswered_at_end"] = x.unanswered_at_end;
      j["missing"] = x.missing;
      j["open_start"] = x.open_start;
      j["open_end"] = x.open_end;
      j["open_reason"] = x.open_reason.empty() ? json::value(nullptr) : json::value(x.open_reason);
      j["partial"] = x.partial;
      j["appliance_before"] = x.last_success && !x.last_success->appliance.empty()
                                  ? json::value(x.last_success->appliance)
                                  : json::value(nullptr);
      j["appliance_after"] = x.first_success_after && !x.first_success_after->appliance.empty()
                                 ? json::value(x.first_success_after->appliance)
                                 : json::value(nullptr);
      j["headline"] = length_json(x.headline());
      j["lengths"] = lengths_json(x.lengths);
      outages.push_back(std::move(j));
    }
    o["outages"] = std::move(outages);
    o["total_downtime"] = lengths_json(c.total_downtime);
    clients.push_back(std::move(o));
  }
  root["clients"] = std::move(clients);

  json::array flows;
  for (const auto& f : r.flows) {
    json::array outages;
    for (const auto& x : f.outages)
      outages.push_back(
          {{"kind", flow_outage_kind_name(x.kind)},
           {"start_ns", x.start_ns},
           {"end_ns", x.end_ns},
           {"reset_ns",
            x.kind == FlowOutage::Kind::reset ? json::value(x.reset_ns) : json::value(nullptr)},
           {"reset_by", x.reset_by.empty() ? json::value(nullptr) : json::value(x.reset_by)},
           {"open_end", x.open_end},
           {"open_reason",
            x.open_reason.empty() ? json::value(nullptr) : json::value(x.open_reason)},
           {"length", length_json(x.length)}});
    flows.push_back({{"client", f.client.str()},
                     {"client_port", f.client_port},
                     {"site", f.site.str()},
                     {"site_port", f.site_port},
                     {"first_ns", f.first_ns},
                     {"data_segments", f.data_segments},
                     {"outages", std::move(outages)}});
  }
  root["flows"] = std::move(flows);
  root["flows_seen"] = r.flows_seen;
  root["flows_omitted"] = r.flows_omitted;

  json::array anns;
  for (const auto& a : r.announcements)
    anns.push_back({{"kind", announcement_kind_name(a.kind)},
                    {"timestamp_ns", a.timestamp_ns},
                    {"ip", a.ip.str()},
                    {"mac", a.mac.str()},
                    {"appliance", a.appliance}});
  root["announcements"] = std::move(anns);
  root["announcements_omitted"] = r.announcements_omitted;
  json::array conflicts;
  for (const auto& c : r.conflicts)
    conflicts.push_back({{"rule", c.rule},
                         {"ip", c.ip.str()},
                         {"first_mac", c.first_mac.str()},
                         {"second_mac", c.second_mac.str()},
                         {"first_appliance", c.first_appliance},
                         {"second_appliance", c.second_appliance},
                         {"first_seen_ns", c.first_seen_ns},
                         {"last_seen_ns", c.last_seen_ns},
                         {"claims", c.claims}});
  root["conflicts"] = std::move(conflicts);
  return json::serialize(root);
}

std::string render_text(const AnalysisReport& r) {
  std::ostringstream out;
  out << "capture: ";
  for (std::size_t i = 0; i < r.sources.size(); ++i) out << (i ? ", " : "") << r.sources[i];
  out << "\n  " << r.packets << " packets";
  if (r.packets > 0) out << " over " << format_ns_duration(r.last_packet_ns - r.first_packet_ns);
  out << ", kernel drops: " << (r.kernel_drops ? std::to_string(*r.kernel_drops) : "unknown");
  out << "\n";
  for (const auto& c : r.clock_offsets) {
    out << "  clock of " << c.source << ": ";
    switch (c.method) {
      case ClockOffset::Method::reference:
        out << "the time line\n";
        continue;
      case ClockOffset::Method::none:
        out << "taken as is (no packet in common with the first file, no offset given)\n";
        continue;
      case ClockOffset::Method::given:
      case ClockOffset::Method::estimated:
        break;
    }
    out << (c.offset_ns < 0 ? "-" : "+")
        << format_ns_duration(c.offset_ns < 0 ? -c.offset_ns : c.offset_ns) << " ("
        << clock_method_name(c.method);
    if (c.method == ClockOffset::Method::estimated) {
      out << " from " << c.matched_packets << " packets both captured, +/- "
          << (c.uncertainty_ns ? format_ns_duration(*c.uncertainty_ns)
                               : std::string("the one-way delay between them"));
    }
    out << ")\n";
  }
  if (r.copies_dropped > 0)
    out << "  " << r.copies_dropped
        << " copies of packets already seen (another file, mirror port) dropped\n";
  if (r.partial) {
    out << "  PARTIAL: the analysis covers only what was read before:\n";
    for (const auto& e : r.errors) out << "    " << e.message << "\n";
  }
  out << "  outage lengths: headline method " << method_name(r.headline_method)
      << " (see docs/analysis.md for the others' bias)\n";
  for (const auto& c : r.clients) {
    out << "\nclient " << c.client.str() << " -> " << c.site.str();
    if (c.kind == WireProbeKind::tcp_connect) out << ":" << c.site_port;
    out << " (" << probe_kind_name(c.kind) << ")\n";
    char rate[64];
    std::snprintf(rate, sizeof rate, "%.3f/s%s", c.rate_hz, c.rate_inferred ? " inferred" : "");
    char avail[32];
    std::snprintf(avail, sizeof avail, "%.4f%%", c.availability * 100);
    out << "  probes " << c.probes << ": answered " << c.answered << ", refused " << c.refused
        << ", lost " << c.lost << " (" << c.unanswered_at_end << " unanswered at the end)"
        << ", undecided " << c.undecided << "; rate " << rate << ", resolution "
        << format_ns_duration(c.resolution_ns) << ", availability " << avail << "\n";
    out << "  retransmissions " << c.retransmissions << ", reordered answers "
        << c.reordered_answers << ", duplicate answers " << c.duplicate_answers << ", late answers "
        << c.late_answers << "\n";
    out << "  timeline:";
    for (const auto& t : c.timeline)
      out << " " << (t.up ? "UP" : "DOWN") << "["
          << format_ns_duration(t.start_ns - r.first_packet_ns) << "+"
          << format_ns_duration(t.end_ns - t.start_ns) << "]";
    out << "\n";
    for (std::size_t i = 0; i < c.outages.size(); ++i) {
      const auto& o = c.outages[i];
      out << "  outage " << i + 1 << ": ";
      const bool open = o.open_start || o.open_end;
      for (std::size_t k = 0; k < o.lengths.size(); ++k)
        out << (k ? ", " : "") << method_name(o.lengths[k].method) << " " << (open ? ">= " : "")
            << format_ns_duration(o.lengths[k].length_ns) << " (" << o.lengths[k].probes
            << " probes)";
      out << (open ? " (lower bounds, " : " (") << "+/- " << format_ns_duration(c.resolution_ns)
          << ")";
      if (open) out << " [OPEN: " << o.open_reason << "]";
      if (o.partial)
        out << " [PARTIAL: " << o.unanswered_at_end
            << " unanswered probe(s) inside their timeout at the end]";
      out << "\n    last success "
          << (o.last_success ? format_ns_duration(o.last_success->answer_ns - r.first_packet_ns)
                             : std::string("-"))
          << ", first failure " << format_ns_duration(o.first_failure.sent_ns - r.first_packet_ns)
          << ", first success after "
          << (o.first_success_after
                  ? format_ns_duration(o.first_success_after->answer_ns - r.first_packet_ns)
                  : std::string("-"))
          << " (relative to capture start); lost " << o.lost << ", refused " << o.refused
          << ", missing from the capture " << o.missing << "; appliance "
          << (o.last_success ? o.last_success->appliance : "-") << " -> "
          << (o.first_success_after ? o.first_success_after->appliance : "-") << "\n";
    }
  }
  if (r.flows_seen > 0) {
    out << "\nestablished flows (connections that carried the client's data): " << r.flows_seen
        << " seen, " << r.flows.size() + r.flows_omitted << " with outages\n";
    for (const auto& f : r.flows) {
      out << "  " << f.client.str() << ":" << f.client_port << " -> " << f.site.str() << ":"
          << f.site_port << "\n";
      for (const auto& o : f.outages) {
        out << "    " << flow_outage_kind_name(o.kind);
        if (o.kind == FlowOutage::Kind::reset) out << " by the " << o.reset_by;
        out << " at " << format_ns_duration(o.start_ns - r.first_packet_ns) << ": "
            << (o.open_end ? ">= " : "") << format_ns_duration(o.length.length_ns);
        if (o.open_end) out << " [OPEN: " << o.open_reason << "]";
        out << "\n";
      }
    }
    if (r.flows_omitted > 0) out << "  ... " << r.flows_omitted << " more\n";
  }
  if (!r.announcements.empty()) {
    out << "\nannouncements:\n";
    for (const auto& a : r.announcements)
      out << "  " << format_ns_duration(a.timestamp_ns - r.first_packet_ns) << " "
          << announcement_kind_name(a.kind) << " " << a.ip.str() << " is-at " << a.mac.str()
          << (a.appliance != a.mac.str() ? " (" + a.appliance + ")" : "") << "\n";
    if (r.announcements_omitted > 0) out << "  ... " << r.announcements_omitted << " more\n";
  }
  for (const auto& c : r.conflicts)
    out << "\n"
        << c.rule << " VIOLATION: IP conflict on " << c.ip.str() << ": " << c.first_appliance
        << " and " << c.second_appliance << " claimed it within the window, " << c.claims
        << " time(s) from " << format_ns_duration(c.first_seen_ns - r.first_packet_ns) << " to "
        << format_ns_duration(c.last_seen_ns - r.first_packet_ns) << "\n";
  return out.str();
}

}  // namespace failover_hil::netlab
