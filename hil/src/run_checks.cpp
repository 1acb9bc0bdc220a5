// evaluate_run(): the run's verdict from its stored history alone (the
// timeline and the captures), so `failover-hil report RUN_DIR` gives the
// same answer later.
#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "failover_hil/hil/runner.hpp"
#include "failover_hil/hil/scenario.hpp"
#include "failover_hil/hil/timeline.hpp"
#include "failover_hil/netlab/analysis.hpp"
#include "failover_hil/netlab/analysis_json.hpp"
#include "procedure.hpp"

namespace fs = std::filesystem;

namespace failover_hil::hil {

Scenario load_run_scenario(const fs::path& dir) {
  auto s = load_scenario(dir / "scenario.yaml");
  s.lab = dir / "lab.yaml";  // the copy taken when the run started
  return s;
}

namespace {

using Events = std::vector<TimelineEvent>;

const TimelineEvent* first(const Events& ev, const std::string& op, const std::string& type) {
  for (const auto& e : ev)
    if (e.op == op && e.type == type) return &e;
  return nullptr;
}
const TimelineEvent* last(const Events& ev, const std::string& op, const std::string& type) {
  for (auto it = ev.rbegin(); it != ev.rend(); ++it)
    if (it->op == op && it->type == type) return &*it;
  return nullptr;
}

std::set<std::string> split(const std::string& s) {
  std::set<std::string> out;
  std::stringstream in(s);
  for (std::string x; std::getline(in, x, ',');)
    if (!x.empty()) out.insert(x);
  return out;
}

std::string fmt(double v, int digits = 1) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(digits);
  o << v;
  return o.str();
}

struct StepWindow {
  std::string name;
  std::int64_t start = 0, end = 0;
};

std::vector<StepRecord> steps_of(const Scenario& sc, const Events& ev, std::int64_t end_ns,
                                 std::vector<StepWindow>& windows) {
  std::vector<StepRecord> out;
  for (const auto& st : sc.steps) {
    StepRecord r;
    r.name = to_string(st.kind);
    r.status = "not_run";
    r.rules = step_rules(st.kind);
    std::vector<std::string> refused;
    for (const auto& e : ev) {
      if (e.step == r.name && e.type == "refused") refused.push_back(e.detail);
      if (e.op != r.name) continue;
      if (e.type == "step_start") {
        r.start_ns = e.t_ns;
        r.status = "running";
      } else if (e.type == "step_ok") {
        r.status = "ok";
        r.end_ns = e.t_ns;
        r.message = e.detail == "ok" ? "" : e.detail;
      } else if (e.type == "step_end") {
        const auto it = e.data.find("status");
        r.status = it == e.data.end() ? "failed" : it->second;
        if (r.status == "interrupted") r.status = "failed";
        if (r.start_ns == 0) r.start_ns = e.t_ns;
        r.end_ns = e.t_ns;
        r.message = e.detail;
      }
    }
    if (r.status == "running") {
      r.status = "failed";
      r.end_ns = end_ns;
      r.message = "did not finish (the harness stopped)";
    }
    for (const auto& x : refused)
      r.message += (r.message.empty() ? "" : "; ") + std::string("operator mistake ") + x;
    if (r.start_ns != 0) windows.push_back({r.name, r.start_ns, r.end_ns ? r.end_ns : end_ns});
    out.push_back(r);
  }
  return out;
}

std::vector<std::string> capture_files(const fs::path& dir, const std::string& client) {
  std::vector<std::string> out;
  for (const auto& d : fs::directory_iterator(dir)) {
    if (!d.is_directory() || d.path().filename().string().rfind("captures", 0) != 0) continue;
    const auto f = d.path() / (client + ".pcap");
    if (fs::exists(f)) out.push_back(f.string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

RunRecord evaluate_run(const fs::path& run_dir) {
  const auto dir = fs::canonical(run_dir);
  const auto sc = load_run_scenario(dir);
  const auto ev = load_timeline(dir / "timeline.jsonl");
  RunRecord r;
  r.scenario = sc.name;
  r.description = sc.description;
  r.switch_method = to_string(sc.switch_method);
  r.run_dir = dir.string();
  r.target = "lab " + sc.lab.filename().string();
  r.started_ns = ev.empty() ? 0 : ev.front().t_ns;
  r.finished_ns = ev.empty() ? 0 : ev.back().t_ns;
  for (auto it = ev.rbegin(); it != ev.rend(); ++it)
    if (it->type == "outcome") {
      r.outcome = it->op;
      r.reason = it->detail;
      break;
    }
  if (r.outcome.empty()) {
    r.outcome = "interrupted";
    r.reason =
        "the harness stopped without finishing (killed?); continue with: failover-hil run "
        "--resume " +
        dir.string();
  }
  r.expected_outcome = sc.expect.outcome;
  r.expected_reason = sc.expect.reason;
  r.as_expected =
      r.outcome == sc.expect.outcome &&
      (sc.expect.reason.empty() || r.reason.find(sc.expect.reason) != std::string::npos);
  std::vector<StepWindow> windows;
  r.steps = steps_of(sc, ev, r.finished_ns, windows);
  for (const auto& e : ev) {
    if (e.type != "observe" || e.op != "status") continue;
    auto get = [&](const char* k) {
      const auto it = e.data.find(k);
      return it == e.data.end() ? std::string() : it->second;
    };
    r.samples.push_back(
        {e.t_ns, e.actor, get("role"), get("version"), get("state"), get("shared_ip") == "true"});
  }
  r.events = ev;

  // ---- the wire: per client, from its captures alone ----
  netlab::AnalysisOptions ao;
  ao.site_port = 443;
  std::vector<std::string> clients;
  std::vector<std::string> client_names = sc.probes.clients;
  if (const auto* lab = last(ev, "lab_up", "info")) {
    r.target = lab->data.contains("inventory") ? "inventory " + lab->data.at("inventory")
                                               : "lab " + lab->detail;
    if (lab->data.contains("clients")) {
      const auto names = split(lab->data.at("clients"));
      client_names.assign(names.begin(), names.end());
    }
    for (const auto& [k, v] : lab->data) {
      if (k == "site_port") ao.site_port = static_cast<std::uint16_t>(std::stoi(v));
      if (k == "appA_mac") ao.appliance_macs[netlab::MacAddress::parse(v)] = "appA";
      if (k == "appB_mac") ao.appliance_macs[netlab::MacAddress::parse(v)] = "appB";
      if (k == "site_ip" && !v.empty()) ao.site_ip = netlab::IpAddress::parse(v);
      if (k == "rate_hz") ao.rate_hz = std::stod(v);
    }
  }
  ao.answer_timeout_ns = static_cast<std::int64_t>(sc.probes.deadline_ms) * 1'000'000;
  const auto* switch_window = [&]() -> const StepWindow* {
    for (const auto& w : windows)
      if (w.name == "switch") return &w;
    return nullptr;
  }();
  std::vector<netlab::IpConflict> conflicts;
  std::vector<std::string> unexpected;
  for (const auto& client : client_names) {
    const auto files = capture_files(dir, client);
    if (files.empty()) continue;
    r.artifacts["captures"].insert(r.artifacts["captures"].end(), files.begin(), files.end());
    const auto report = netlab::analyze_files(files, ao);
    conflicts.insert(conflicts.end(), report.conflicts.begin(), report.conflicts.end());
    ClientLane lane;
    lane.client = client;
    std::uint64_t answered = 0, failed = 0;
    std::int64_t in_switch_ns = 0;
    std::int64_t ts_ns = 0, loss_ns = 0;
    int switch_outages = 0;
    for (const auto& cr : report.clients) {
      lane.probes += cr.probes;
      answered += cr.answered;
      failed += cr.lost + cr.refused;
      for (const auto& i : cr.timeline) lane.intervals.push_back({i.up, i.start_ns, i.end_ns});
      for (const auto& o : cr.outages) {
        OutageMark m;
        m.start_ns = o.first_failure.sent_ns;
        m.end_ns = o.first_success_after ? o.first_success_after->sent_ns : report.last_packet_ns;
        m.length_ns = o.headline().length_ns;
        m.method = netlab::method_name(o.headline().method);
        m.open_end = o.open_end;
        if (o.last_success) m.before = o.last_success->appliance;
        if (o.first_success_after) m.after = o.first_success_after->appliance;
        for (const auto& w : windows)
          if (m.start_ns >= w.start && m.start_ns <= w.end) m.step = w.name;
        m.expected = switch_window && m.step == "switch";
        if (m.expected) {
          in_switch_ns += m.length_ns;
          ++switch_outages;
          for (const auto& l : o.lengths) {
            if (l.method == netlab::OutageMethod::timestamp_based) ts_ns += l.length_ns;
            if (l.method == netlab::OutageMethod::packet_loss_based) loss_ns += l.length_ns;
          }
        } else {
          unexpected.push_back(client + ": " + fmt(static_cast<double>(m.length_ns) / 1e6, 1) +
                               " ms in " + (m.step.empty() ? "no step" : m.step));
        }
        lane.outages.push_back(m);
      }
    }
    std::sort(lane.intervals.begin(), lane.intervals.end(),
              [](const auto& x, const auto& y) { return x.start_ns < y.start_ns; });
    lane.availability = answered + failed == 0 ? 1.0
                                               : static_cast<double>(answered) /
                                                     static_cast<double>(answered + failed);
    r.clients.push_back(lane);
    if (switch_window) {
      Measurement m;
      m.name = "switch_downtime_ms." + client;
      m.value = static_cast<double>(in_switch_ns) / 1e6;
      m.unit = "ms";
      m.limit = sc.budgets.switch_downtime_ms;
      m.pass = m.value <= *m.limit;
      const double res_ms = ao.rate_hz > 0 ? 1000.0 / ao.rate_hz : 0;
      m.detail = std::to_string(switch_outages) + " outage(s) in the switch, time-based loss at " +
                 fmt(res_ms, 3) + " ms resolution; timestamp-based " +
                 fmt(static_cast<double>(ts_ns) / 1e6, 3) + " ms, packet-loss-based " +
                 fmt(static_cast<double>(loss_ns) / 1e6, 3) + " ms";
      r.measurements.push_back(m);
    }
    if (report.kernel_drops) {
      r.measurements.push_back({"capture_kernel_drops." + client,
                                static_cast<double>(*report.kernel_drops), "count", 0.0,
                                "<=", *report.kernel_drops == 0, "pcap_stats ps_drop"});
    }
  }
  // Probe and simulator logs, backups.
  for (const auto& d : fs::directory_iterator(dir)) {
    const auto name = d.path().filename().string();
    if (d.is_directory() && name.rfind("probes", 0) == 0)
      for (const auto& f : fs::directory_iterator(d.path()))
        r.artifacts["probe_logs"].push_back(f.path().string());
  }
  if (fs::exists(dir / "sims"))
    for (const auto& f : fs::directory_iterator(dir / "sims"))
      if (f.path().extension() == ".log") r.artifacts["logs"].push_back(f.path().string());
  for (auto& [k, v] : r.artifacts) {
    for (auto& p : v) p = fs::relative(p, dir).string();
    std::sort(v.begin(), v.end());
  }

  // ---- measurements from the timeline ----
  if (const auto* s = last(ev, "clients_see_appB", "ok"))
    r.measurements.push_back(
        {"switch_settle_ms", std::stod(s->data.at("settle_ms")), "ms", std::nullopt, "<=", true,
         "switch_to(appB) until every client's HTTPS flow is answered by appB"});
  if (const auto* broken = first(ev, "relationship_broken", "ok")) {
    const auto* back = last(ev, "relationship_established", "ok");
    const double s = static_cast<double>((back ? back->t_ns : r.finished_ns) - broken->t_ns) / 1e9;
    r.measurements.push_back({"exposure_window_s", s, "s", sc.budgets.exposure_window_s,
                              "<=", s <= sc.budgets.exposure_window_s,
                              std::string("R22: break to re-established") +
                                  (back ? "" : " (still open at the end)") +
                                  ", wall time at time scale " + fmt(sc.time_scale, 0) + " (" +
                                  fmt(s * sc.time_scale / 60, 0) + " simulated minutes)"});
  }
  const double total = static_cast<double>(r.finished_ns - r.started_ns) / 1e9;
  r.measurements.push_back({"total_s", total, "s", sc.budgets.total_s,
                            "<=", total <= sc.budgets.total_s, "the whole run, wall time"});
  std::set<std::string> created;
  for (const auto& e : ev)
    if (e.op == "session_created" && e.type == "ok") created.insert(e.data.at("lsid"));
  r.measurements.push_back({"session_records_created", static_cast<double>(created.size()), "count",
                            std::nullopt, "<=", true,
                            "seeded, by verification and by the client load"});

  // ---- checks over the whole run ----
  auto check = [&](std::string name, std::vector<std::string> rules, bool pass,
                   std::string detail) {
    r.checks.push_back({std::move(name), std::move(rules), pass, std::move(detail)});
  };
  const auto* backup = first(ev, "backup_verified", "ok");
  const auto* install = first(ev, "install_started", "invoke");
  check("backup_before_update", {"R01"}, !install || (backup && backup->t_ns < install->t_ns),
        !install ? "no update ran"
        : backup ? "backup sha256 " + backup->data.at("sha256").substr(0, 16) +
                       "… verified before the first install"
                 : "an update started without a verified backup");
  const auto* sync = first(ev, "sync_finished", "ok");
  const auto* brk = first(ev, "break_relationship", "invoke");
  check("sync_before_break", {"R02", "R03"}, !brk || (sync && sync->t_ns < brk->t_ns),
        !brk   ? "no break ran"
        : sync ? "Sync Now finished before the break"
               : "broken before a finished sync");
  std::string conflict_detail = "no two MACs claimed one IP on any client's wire";
  if (!conflicts.empty())
    conflict_detail = conflicts.front().ip.str() + " claimed by " +
                      conflicts.front().first_appliance + " and " +
                      conflicts.front().second_appliance + " (" +
                      std::to_string(conflicts.front().claims) + " conflicting claims)";
  check("no_ip_conflict", {"R23"}, conflicts.empty(), conflict_detail);
  check(
      "no_unexpected_outage", {"R13", "R16"}, unexpected.empty(),
      unexpected.empty() ? "outages only inside the switch" : [&] {
        std::string s;
        for (const auto& u : unexpected) s += (s.empty() ? "" : "; ") + u;
        return s;
      }());
  if (r.outcome == "completed") {
    std::map<std::string, ApplianceSample> final;
    for (const auto& s : r.samples) final[s.appliance] = s;
    const auto& a = final["appA"];
    const auto& b = final["appB"];
    check("versions_and_roles", {"R16", "R17"},
          a.version == sc.to.software && b.version == sc.to.software && b.role == "primary" &&
              a.role == "backup",
          "appA " + a.version + " " + a.role + ", appB " + b.version + " " + b.role);
    const auto* lsids = last(ev, "final_lsids", "observe");
    std::size_t missing = 0;
    if (lsids) {
      const auto la = split(lsids->data.at("appA")), lb = split(lsids->data.at("appB"));
      for (const auto& l : created) missing += (!la.contains(l)) + (!lb.contains(l));
    }
    check("no_session_record_lost", {"R15", "R20"}, lsids && missing == 0,
          !lsids ? "the final session records were not read"
                 : std::to_string(created.size()) + " records created in the run, " +
                       std::to_string(missing) + " missing from an appliance (reporting API)");
    const bool console = first(ev, "console_upgraded", "ok");
    if (r.target.rfind("inventory", 0) == 0) {
      // No simulator API: the operator verified the console, the API the build.
      check("clients_verified", {"R11"}, console,
            std::string("console verified by the operator and the build by the API: ") +
                (console ? "yes" : "no") +
                "; MSI (R12) and Integration Client (R14) checks need simulators: not run");
    } else {
      const bool msi = first(ev, "msi_client", "ok");
      const bool ic = first(ev, "integration_client", "ok");
      check("clients_verified", {"R11", "R12", "R14"}, console && msi && ic,
            std::string("console upgraded on connect: ") + (console ? "yes" : "no") +
                "; MSI client left for redeployment: " + (msi ? "yes" : "no") +
                "; Integration Client extracts from appB: " + (ic ? "yes" : "no"));
    }
  } else if (r.outcome == "aborted_safely") {
    const auto* serves = last(ev, "a_still_serves", "ok");
    check("a_still_serves", {"R07", "R16"}, serves != nullptr,
          serves ? serves->detail : "appA was not seen serving after the abort");
    bool restarted = false;
    for (const auto& e : ev) restarted |= e.op == "restart" && e.type == "invoke";
    check("failed_appliance_not_restarted", {"R07"}, !restarted,
          restarted ? "a restart was sent" : "no restart was sent");
  }
  std::size_t mistakes = 0, refused = 0;
  for (const auto& e : ev) {
    if (e.type == "fault" && e.op.rfind("operator_", 0) == 0 && e.detail != "armed") ++mistakes;
    if (e.type == "refused") ++refused;
  }
  if (mistakes > 0)
    check("operator_mistakes_refused", {"R01", "R03", "R07", "R23"},
          refused >= mistakes || r.outcome == "aborted_safely",
          std::to_string(mistakes) + " operator mistake(s), " + std::to_string(refused) +
              " refused before they happened");
  return r;
}

}  // namespace failover_hil::hil
