// evaluate_run(): the run's verdict from its stored history alone (the
// timeline and the captures), so `failover-hil report RUN_DIR` gives the
// same answer later.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <set>
#include <sstream>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"
#include "failover_hil/core/text_file.hpp"
#include "failover_hil/hil/runner.hpp"
#include "failover_hil/hil/scenario.hpp"
#include "failover_hil/hil/timeline.hpp"
#include "failover_hil/netlab/analysis.hpp"
#include "failover_hil/netlab/analysis_json.hpp"
#include "run_context.hpp"

namespace fs = std::filesystem;

namespace failover_hil::hil {

Scenario load_run_scenario(const fs::path& dir) {
  auto s = load_scenario(dir / "scenario.yaml");
  s.lab = dir / "lab.yaml";  // the copy taken when the run started
  // Run by another method than the file's (run --switch).
  if (fs::exists(dir / "switch")) {
    auto m = read_text(dir / "switch");
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    try {
      s.switch_method = parse_switch_method(m);
    } catch (const std::invalid_argument&) {
      throw ScenarioError((dir / "switch").string() + ":1: '" + m.substr(0, 40) +
                          "' is not a switch method (shared_ip, dns or nat)");
    }
  }
  return s;
}

namespace {

using Events = std::vector<TimelineEvent>;

const TimelineEvent* first(const Events& ev, std::string_view op, EventType type) {
  for (const auto& e : ev)
    if (e.op == op && e.type == type) return &e;
  return nullptr;
}
const TimelineEvent* last(const Events& ev, std::string_view op, EventType type) {
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

/// One attempt at a step: from its step_start to its step_ok or step_end.
/// A resumed run runs some steps again, so a step can have several.
struct StepWindow {
  std::string name;
  std::int64_t start = 0, end = 0;
};

/// The step an instant falls in: the latest-starting attempt that holds it.
std::string step_at(const std::vector<StepWindow>& windows, std::int64_t t) {
  const StepWindow* best = nullptr;
  for (const auto& w : windows)
    if (t >= w.start && t <= w.end && (!best || w.start >= best->start)) best = &w;
  return best ? best->name : std::string();
}

/// Every attempt's window, in timeline order. An attempt the harness never
/// finished (killed) ends where the run was resumed, or at the run's end.
/// A step skipped on resume ("done before the resume") adds no window: its
/// window is the attempt that did it.
std::vector<StepWindow> step_windows(const Events& ev, std::int64_t end_ns) {
  std::vector<StepWindow> out;
  std::map<std::string, std::size_t> open;
  auto close_all = [&](std::int64_t t) {
    for (const auto& [name, i] : open) out[i].end = t;
    open.clear();
  };
  for (const auto& e : ev) {
    if (e.type == EventType::info && e.op == op::run_resumed) {
      close_all(e.t_ns);
    } else if (e.type == EventType::step_start) {
      if (const auto it = open.find(e.op); it != open.end()) out[it->second].end = e.t_ns;
      open[e.op] = out.size();
      out.push_back({e.op, e.t_ns, end_ns});
    } else if (e.type == EventType::step_ok || e.type == EventType::step_end) {
      if (const auto it = open.find(e.op); it != open.end()) {
        out[it->second].end = e.t_ns;
        open.erase(it);
      }
    }
  }
  close_all(end_ns);
  return out;
}

std::vector<StepRecord> steps_of(const Scenario& sc, const Events& ev, std::int64_t end_ns,
                                 std::vector<StepWindow>& windows) {
  windows = step_windows(ev, end_ns);
  std::vector<StepRecord> out;
  for (const auto& st : sc.steps) {
    StepRecord r;
    r.name = st.name();
    r.status = "not_run";
    r.rules.assign(st.def->rules.begin(), st.def->rules.end());
    std::vector<std::string> refused;
    for (const auto& e : ev) {
      if (e.step == r.name && e.type == EventType::refused) refused.push_back(e.detail);
      if (e.op != r.name) continue;
      if (e.type == EventType::step_start) {
        r.start_ns = e.t_ns;
        r.status = "running";
      } else if (e.type == EventType::step_ok) {
        r.status = "ok";
        r.end_ns = e.t_ns;
        r.message = e.detail == "ok" ? "" : e.detail;
      } else if (e.type == EventType::step_end) {
        const auto it = e.data.find("status");
        r.status = it == e.data.end() ? "failed" : it->second;
        if (r.status == "interrupted") r.status = "failed";
        r.message = e.detail;
        // Skipped on resume: the times stay those of the attempt that did it.
        if (r.status == "skipped" && r.start_ns != 0) continue;
        if (r.start_ns == 0) r.start_ns = e.t_ns;
        r.end_ns = e.t_ns;
      }
    }
    if (r.status == "running") {
      r.status = "failed";
      r.end_ns = end_ns;
      r.message = "did not finish (the harness stopped)";
    }
    for (const auto& x : refused)
      r.message += (r.message.empty() ? "" : "; ") + std::string("operator mistake ") + x;
    out.push_back(r);
  }
  return out;
}

/// A client's lane from the in-process engine's availability events.
std::optional<ClientLane> modelled_lane(const Events& ev, const std::string& client,
                                        const std::vector<StepWindow>& windows,
                                        std::int64_t end_ns) {
  ClientLane lane;
  lane.client = client;
  std::optional<ClientLane::Interval> open;
  std::string last_appliance;
  for (const auto& e : ev) {
    if (e.op != op::availability || e.actor != client) continue;
    const bool up = e.data.at("up") == "true";
    if (open) {
      open->end_ns = e.t_ns;
      lane.intervals.push_back(*open);
      if (!open->up) {
        OutageMark m{open->start_ns, e.t_ns, e.t_ns - open->start_ns, "modelled"};
        m.step = step_at(windows, m.start_ns);
        m.before = last_appliance;
        m.after = e.data.at("appliance");
        m.expected = m.step == "switch";
        if (m.length_ns > 0) lane.outages.push_back(m);
      }
    }
    if (up) last_appliance = e.data.at("appliance");
    open = ClientLane::Interval{up, e.t_ns, e.t_ns};
  }
  if (!open) return std::nullopt;
  open->end_ns = end_ns;
  lane.intervals.push_back(*open);
  if (!open->up && end_ns > open->start_ns) {
    OutageMark m{open->start_ns, end_ns, end_ns - open->start_ns, "modelled"};
    m.open_end = true;
    m.before = last_appliance;
    m.step = step_at(windows, m.start_ns);
    lane.outages.push_back(m);
  }
  std::int64_t up_ns = 0, all_ns = 0;
  for (const auto& i : lane.intervals) {
    all_ns += i.end_ns - i.start_ns;
    if (i.up) up_ns += i.end_ns - i.start_ns;
  }
  lane.availability = all_ns ? static_cast<double>(up_ns) / static_cast<double>(all_ns) : 1.0;
  return lane;
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

/// Clients the run directory holds evidence of: capture files, stopped
/// captures and availability events on the timeline.
std::vector<std::string> evidence_clients(const fs::path& dir, const Events& ev) {
  std::set<std::string> out;
  for (const auto& d : fs::directory_iterator(dir)) {
    if (!d.is_directory() || d.path().filename().string().rfind("captures", 0) != 0) continue;
    for (const auto& f : fs::directory_iterator(d.path()))
      if (f.path().extension() == ".pcap") out.insert(f.path().stem().string());
  }
  for (const auto& e : ev)
    if ((e.op == op::capture_stopped || e.op == op::availability) && !e.actor.empty())
      out.insert(e.actor);
  return {out.begin(), out.end()};
}

/// The engine the run was started with: the timeline's, else the file's.
std::string engine_of(const fs::path& dir, const Events& ev) {
  if (const auto* started = first(ev, op::run_started, EventType::info))
    if (const auto it = started->data.find("engine"); it != started->data.end()) return it->second;
  if (fs::exists(dir / "engine")) {
    auto k = read_text(dir / "engine");
    while (!k.empty() && (k.back() == '\n' || k.back() == ' ')) k.pop_back();
    return k;
  }
  return "";
}

/// "captures-X/client1.pcap": a capture's name inside its run directory,
/// whichever directory the run was written in.
std::string capture_key(const fs::path& p) {
  return (p.parent_path().filename() / p.filename()).string();
}

/// What is wrong with a client's captures, "" when nothing: one file per
/// measured part; each capture the harness stopped still has the packets
/// and digest it recorded; the reader ended early only where the harness
/// was killed (a cut last record); every switch attempt is covered.
std::string capture_damage(const fs::path& dir, const Events& ev, const std::string& client,
                           const std::vector<std::string>& files, std::size_t measured_parts,
                           const netlab::AnalysisReport& report,
                           const std::vector<StepWindow>& windows) {
  std::vector<std::string> why;
  if (files.size() < measured_parts)
    why.push_back(std::to_string(files.size()) + " capture(s) for " +
                  std::to_string(measured_parts) + " measured part(s) of the run");
  std::set<std::string> stopped;
  for (const auto& e : ev) {
    if (e.op != op::capture_stopped || e.actor != client || e.detail.empty()) continue;
    const auto key = capture_key(e.detail);
    stopped.insert(key);
    const auto file = dir / key;
    if (!fs::exists(file)) {
      why.push_back(key + " is gone (the run stopped it with " +
                    (e.data.contains("packets") ? e.data.at("packets") : std::string("?")) +
                    " packets)");
      continue;
    }
    if (const auto it = e.data.find("sha256"); it != e.data.end() && it->second.size() == 64) {
      std::string now;
      try {
        now = to_hex(crypto::sha256_file(file.string()));
      } catch (const std::exception& x) {
        now = x.what();
      }
      if (now != it->second)
        why.push_back(key + " changed since the run stopped it (sha256 " +
                      it->second.substr(0, 16) + "… recorded, " + now.substr(0, 16) + "… now)");
    }
  }
  for (const auto& err : report.errors) {
    const auto key = capture_key(err.source);
    std::error_code ec;
    const auto size = fs::file_size(err.source, ec);
    // A capture the harness never stopped (killed) may end in a cut record;
    // anything else the reader stopped at is damage.
    const bool cut_tail =
        !stopped.contains(key) && !ec && size >= err.offset && size - err.offset <= 65'535 + 24;
    if (!cut_tail)
      why.push_back(key + " is damaged at byte " + std::to_string(err.offset) + ": " +
                    err.message.substr(0, 120));
  }
  std::int64_t first_probe = 0, last_probe = 0;
  for (const auto& cr : report.clients) {
    if (cr.probes == 0) continue;
    if (first_probe == 0 || cr.first_probe_ns < first_probe) first_probe = cr.first_probe_ns;
    last_probe = std::max(last_probe, cr.last_probe_ns);
  }
  for (const auto& w : windows) {
    if (w.name != "switch") continue;
    // Slack of 100 ms: the probes start and stop with the measuring, not the step.
    constexpr std::int64_t kSlack = 100'000'000;
    if (first_probe == 0 || first_probe > w.start + kSlack || last_probe + kSlack < w.end) {
      why.push_back("its probes do not cover the switch (" +
                    (first_probe ? "probes from " + std::to_string(first_probe) + " to " +
                                       std::to_string(last_probe) + " ns"
                                 : std::string("no probe")) +
                    ", switch from " + std::to_string(w.start) + " to " + std::to_string(w.end) +
                    " ns)");
      break;
    }
  }
  std::string s;
  for (const auto& w : why) s += (s.empty() ? "" : "; ") + w;
  return s;
}

// ---- the checks -----------------------------------------------------------

/// `x` happened before `y`: by time, and at one instant (virtual time) by
/// the order they were written in.
bool before(const TimelineEvent& x, const TimelineEvent& y, bool written_first) {
  return x.t_ns < y.t_ns || (x.t_ns == y.t_ns && written_first);
}

struct CheckInput {
  const Scenario& sc;
  const Events& ev;
  const RunRecord& r;
  const std::vector<netlab::IpConflict>& conflicts;
  const std::vector<std::string>& unexpected;
  const std::set<std::string>& created;
  const std::vector<std::string>& damaged;  ///< clients whose evidence is missing or damaged
};

struct Verdict {
  bool pass = false;
  std::string detail;
};

/// A check returns nothing where it does not apply to the run.
/// Whether an expected abort may break the check: `safety` checks (data,
/// order of the procedure, A untouched) hold in every run; `service` checks
/// measure what clients saw, which the scenario's expected fault breaks.
enum class CheckKind { safety, service };

struct CheckDef {
  std::string name;
  std::vector<std::string> rules;
  std::optional<Verdict> (*run)(const CheckInput& in);
  CheckKind kind = CheckKind::safety;
};

std::optional<Verdict> backup_before_update(const CheckInput& in) {
  const auto* backup = first(in.ev, op::backup_verified, EventType::ok);
  const auto* install = first(in.ev, op::install_started, EventType::invoke);
  return Verdict{!install || (backup && before(*backup, *install, backup < install)),
                 !install ? "no update ran"
                 : backup ? "backup sha256 " + backup->data.at("sha256").substr(0, 16) +
                                "… verified before the first install"
                          : "an update started without a verified backup"};
}

std::optional<Verdict> sync_before_break(const CheckInput& in) {
  const auto* sync = first(in.ev, op::sync_finished, EventType::ok);
  const auto* brk = first(in.ev, op::break_relationship, EventType::invoke);
  return Verdict{!brk || (sync && before(*sync, *brk, sync < brk)),
                 !brk   ? "no break ran"
                 : sync ? "Sync Now finished before the break"
                        : "broken before a finished sync"};
}

/// Evidence that is missing or damaged proves nothing: a check over the
/// wire cannot pass on it.
std::string no_evidence(const CheckInput& in) {
  std::string s;
  for (const auto& d : in.damaged) s += (s.empty() ? "" : "; ") + d;
  return s.empty() ? s : "evidence missing or damaged: " + s;
}

std::optional<Verdict> evidence_intact(const CheckInput& in) {
  const auto why = no_evidence(in);
  return Verdict{why.empty(), why.empty() ? "every client's captures are there, whole, and cover "
                                            "the steps measured"
                                          : why};
}

std::optional<Verdict> no_ip_conflict(const CheckInput& in) {
  if (const auto why = no_evidence(in); !why.empty() && in.conflicts.empty())
    return Verdict{false, why};
  if (in.conflicts.empty()) return Verdict{true, "no two MACs claimed one IP on any client's wire"};
  const auto& c = in.conflicts.front();
  return Verdict{false, c.ip.str() + " claimed by " + c.first_appliance + " and " +
                            c.second_appliance + " (" + std::to_string(c.claims) +
                            " conflicting claims)"};
}

std::optional<Verdict> no_unexpected_outage(const CheckInput& in) {
  if (const auto why = no_evidence(in); !why.empty() && in.unexpected.empty())
    return Verdict{false, why};
  std::string s;
  for (const auto& u : in.unexpected) s += (s.empty() ? "" : "; ") + u;
  return Verdict{in.unexpected.empty(),
                 in.unexpected.empty() ? "outages only inside the switch" : s};
}

std::optional<Verdict> versions_and_roles(const CheckInput& in) {
  if (in.r.outcome != "completed") return std::nullopt;
  std::map<std::string, ApplianceSample> final;
  for (const auto& s : in.r.samples) final[s.appliance] = s;
  const auto& a = final["appA"];
  const auto& b = final["appB"];
  return Verdict{a.version == in.sc.to.software && b.version == in.sc.to.software &&
                     b.role == "primary" && a.role == "backup",
                 "appA " + a.version + " " + a.role + ", appB " + b.version + " " + b.role};
}

std::optional<Verdict> no_session_record_lost(const CheckInput& in) {
  if (in.r.outcome != "completed") return std::nullopt;
  const auto* lsids = last(in.ev, op::final_lsids, EventType::observe);
  std::size_t missing = 0;
  if (lsids) {
    const auto la = split(lsids->data.at("appA")), lb = split(lsids->data.at("appB"));
    for (const auto& l : in.created) missing += (!la.contains(l)) + (!lb.contains(l));
  }
  return Verdict{lsids && missing == 0,
                 !lsids
                     ? "the final session records were not read"
                     : std::to_string(in.created.size()) + " records created in the run, " +
                           std::to_string(missing) + " missing from an appliance (reporting API)"};
}

std::optional<Verdict> clients_verified(const CheckInput& in) {
  if (in.r.outcome != "completed") return std::nullopt;
  const bool console = first(in.ev, op::console_upgraded, EventType::ok);
  if (in.r.target.rfind("inventory", 0) == 0)
    // No simulator API: the operator verified the console, the API the build.
    return Verdict{console,
                   std::string("console verified by the operator and the build by the API: ") +
                       (console ? "yes" : "no") +
                       "; MSI (R12) and Integration Client (R14) checks need simulators: not run"};
  const bool msi = first(in.ev, op::msi_client, EventType::ok);
  // With no Integration Client in the scenario (seed.integration_client: false) R14 is not asked.
  const bool ic =
      !in.sc.seed.integration_client || first(in.ev, op::integration_client, EventType::ok);
  return Verdict{console && msi && ic,
                 std::string("console upgraded on connect: ") + (console ? "yes" : "no") +
                     "; MSI client left for redeployment: " + (msi ? "yes" : "no") +
                     "; Integration Client extracts from appB: " + (ic ? "yes" : "no")};
}

std::optional<Verdict> a_still_serves(const CheckInput& in) {
  if (in.r.outcome != "aborted_safely") return std::nullopt;
  const auto* serves = last(in.ev, op::a_still_serves, EventType::ok);
  return Verdict{serves != nullptr,
                 serves ? serves->detail
                        : "the site (appA, or appB after the switch) was not seen served after "
                          "the abort"};
}

std::optional<Verdict> failed_appliance_not_restarted(const CheckInput& in) {
  if (in.r.outcome != "aborted_safely") return std::nullopt;
  bool restarted = false;
  for (const auto& e : in.ev) restarted |= e.op == op::restart && e.type == EventType::invoke;
  return Verdict{!restarted, restarted ? "a restart was sent" : "no restart was sent"};
}

std::optional<Verdict> operator_mistakes_refused(const CheckInput& in) {
  std::size_t mistakes = 0, refused = 0;
  for (const auto& e : in.ev) {
    if (e.type == EventType::fault && e.op.rfind("operator_", 0) == 0 && e.detail != "armed")
      ++mistakes;
    if (e.type == EventType::refused) ++refused;
  }
  if (mistakes == 0) return std::nullopt;
  return Verdict{refused >= mistakes || in.r.outcome == "aborted_safely",
                 std::to_string(mistakes) + " operator mistake(s), " + std::to_string(refused) +
                     " refused before they happened"};
}

const std::vector<CheckDef>& check_table() {
  static const std::vector<CheckDef> checks{
      {"evidence_intact", {"R13", "R22", "R23"}, evidence_intact},
      {"backup_before_update", {"R01"}, backup_before_update},
      {"sync_before_break", {"R02", "R03"}, sync_before_break},
      {"no_ip_conflict", {"R23"}, no_ip_conflict, CheckKind::service},
      {"no_unexpected_outage", {"R13", "R16"}, no_unexpected_outage, CheckKind::service},
      {"versions_and_roles", {"R16", "R17"}, versions_and_roles},
      {"no_session_record_lost", {"R15", "R20"}, no_session_record_lost},
      {"clients_verified", {"R11", "R12", "R14"}, clients_verified},
      {"a_still_serves", {"R07", "R16"}, a_still_serves},
      {"failed_appliance_not_restarted", {"R07"}, failed_appliance_not_restarted},
      {"operator_mistakes_refused", {"R01", "R03", "R07", "R23"}, operator_mistakes_refused},
  };
  return checks;
}

}  // namespace

RunRecord evaluate_run(const fs::path& run_dir) {
  const auto dir = fs::canonical(run_dir);
  auto sc = load_run_scenario(dir);
  std::vector<std::string> timeline_warnings;
  auto ev = load_timeline(dir / "timeline.jsonl", &timeline_warnings);
  for (const auto& w : timeline_warnings) std::cerr << "warning: " << w << "\n";
  return evaluate_run(dir, std::move(ev), sc);
}

RunRecord evaluate_run(const fs::path& run_dir, std::vector<TimelineEvent> events,
                       const Scenario& sc) {
  const auto dir = fs::canonical(run_dir);
  const auto& ev = events;
  RunRecord r;
  r.scenario = sc.name;
  r.description = sc.description;
  r.switch_method = to_string(sc.switch_method);
  // An inventory's controller decides the method, whatever the scenario says.
  if (const auto* started = first(ev, op::run_started, EventType::info))
    if (const auto it = started->data.find("switch"); it != started->data.end())
      r.switch_method = it->second;
  r.run_dir = dir.string();
  r.target = "lab " + sc.lab.filename().string();
  r.started_ns = ev.empty() ? 0 : ev.front().t_ns;
  r.finished_ns = ev.empty() ? 0 : ev.back().t_ns;
  for (auto it = ev.rbegin(); it != ev.rend(); ++it)
    if (it->type == EventType::outcome) {
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
    if (e.type != EventType::observe || e.op != op::status) continue;
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
  std::map<std::string, std::string> client_ips;  ///< client: its address, where the lab named it
  if (const auto* lab = last(ev, op::lab_up, EventType::info)) {
    r.target = lab->data.contains("inventory") ? "inventory " + lab->data.at("inventory")
                                               : "lab " + lab->detail;
    if (lab->data.contains("clients")) {
      const auto names = split(lab->data.at("clients"));
      client_names.assign(names.begin(), names.end());
    }
    // Every part of a resumed run built its lab anew, with new MACs.
    for (const auto& e : ev)
      if (e.op == op::lab_up && e.type == EventType::info)
        for (const auto& [k, v] : e.data) {
          if (k == "appA_mac") ao.appliance_macs[netlab::MacAddress::parse(v)] = "appA";
          if (k == "appB_mac") ao.appliance_macs[netlab::MacAddress::parse(v)] = "appB";
          if (k.size() > 3 && k.ends_with("_ip") && k != "site_ip")
            client_ips[k.substr(0, k.size() - 3)] = v;
        }
    for (const auto& [k, v] : lab->data) {
      if (k == "site_port") ao.site_port = static_cast<std::uint16_t>(std::stoi(v));
      if (k == "site_ip" && !v.empty()) ao.site_ip = netlab::IpAddress::parse(v);
      if (k == "rate_hz") ao.rate_hz = std::stod(v);
    }
  }
  ao.answer_timeout_ns = static_cast<std::int64_t>(sc.probes.deadline_ms) * 1'000'000;
  // A client with evidence is measured whether or not the lab record names it.
  for (const auto& c : evidence_clients(dir, ev))
    if (std::find(client_names.begin(), client_names.end(), c) == client_names.end())
      client_names.push_back(c);
  const auto* switch_window = [&]() -> const StepWindow* {
    for (const auto& w : windows)
      if (w.name == "switch") return &w;
    return nullptr;
  }();
  // The switch ran (its step_ok or step_end is there) but its start is not:
  // no window to measure in, which must not read as no downtime.
  const bool switch_unplaced =
      !switch_window && std::any_of(ev.begin(), ev.end(), [](const TimelineEvent& e) {
        return e.op == "switch" && (e.type == EventType::step_ok ||
                                    (e.type == EventType::step_end && e.data.contains("status") &&
                                     e.data.at("status") != "skipped"));
      });
  // Captures (or, in-process, availability events) were started this many times.
  std::size_t measured_parts = 0;
  for (const auto& e : ev) measured_parts += e.op == op::measuring && e.type == EventType::ok;
  const bool inprocess = engine_of(dir, ev) == "inprocess";
  std::vector<netlab::IpConflict> conflicts;
  std::vector<std::string> unexpected;
  std::vector<std::string> damaged;         // per client: what is wrong with its evidence
  std::set<std::string> evidence_failures;  // measurements failed for want of evidence
  auto evidence_failed = [&](const std::string& client, const std::string& why) {
    damaged.push_back(client + ": " + why);
    if (!switch_window && !switch_unplaced) return;
    const auto name = "switch_downtime_ms." + client;
    r.measurements.erase(std::remove_if(r.measurements.begin(), r.measurements.end(),
                                        [&](const Measurement& m) { return m.name == name; }),
                         r.measurements.end());
    r.measurements.push_back(
        {name, 0.0, "ms", sc.budgets.switch_downtime_ms, "<=", false, "not measured: " + why});
    evidence_failures.insert(name);
  };
  for (const auto& client : client_names) {
    const auto files = capture_files(dir, client);
    if (files.empty() && (inprocess || measured_parts == 0)) {
      // An in-process run: the model's availability events are the evidence.
      if (auto lane = modelled_lane(ev, client, windows, r.finished_ns)) {
        std::int64_t in_switch = 0;
        for (const auto& o : lane->outages) {
          if (o.expected) in_switch += o.length_ns;
          if (!o.expected)
            unexpected.push_back(client + ": " + fmt(static_cast<double>(o.length_ns) / 1e6, 1) +
                                 " ms in " + (o.step.empty() ? "no step" : o.step));
        }
        if (switch_window) {
          const double v = static_cast<double>(in_switch) / 1e6;
          r.measurements.push_back({"switch_downtime_ms." + client, v, "ms",
                                    sc.budgets.switch_downtime_ms,
                                    "<=", v <= sc.budgets.switch_downtime_ms,
                                    "modelled (in-process): the model's availability, no packets"});
        }
        r.clients.push_back(*lane);
        if (switch_unplaced)
          evidence_failed(client, "the switch has no step_start on the timeline to measure in");
      } else if (measured_parts > 0) {
        evidence_failed(client, "no availability events on the timeline");
      }
      continue;
    }
    if (files.empty()) {
      evidence_failed(client, "no capture in the run directory (captures*/" + client +
                                  ".pcap), although the run captured " +
                                  std::to_string(measured_parts) + " time(s)");
      continue;
    }
    r.artifacts["captures"].insert(r.artifacts["captures"].end(), files.begin(), files.end());
    netlab::AnalysisReport report;
    try {
      report = netlab::analyze_files(files, ao);
    } catch (const std::exception& e) {
      evidence_failed(client, std::string("capture unreadable: ") + e.what());
      continue;
    }
    conflicts.insert(conflicts.end(), report.conflicts.begin(), report.conflicts.end());
    ClientLane lane;
    lane.client = client;
    std::uint64_t answered = 0, failed = 0;
    std::int64_t in_switch_ns = 0;
    std::int64_t ts_ns = 0, loss_ns = 0;
    std::optional<netlab::IpAddress> own_ip;
    if (const auto it = client_ips.find(client); it != client_ips.end()) try {
        own_ip = netlab::IpAddress::parse(it->second);
      } catch (const std::exception&) {
        // Not an address: every client in the capture counts, as before.
      }
    int switch_outages = 0;
    for (const auto& cr : report.clients) {
      // Another client's probes in this capture (flooded to it by the
      // bridge while an appliance's port was down) are that client's.
      if (own_ip && cr.client != *own_ip) continue;
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
        m.step = step_at(windows, m.start_ns);
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
    if (const auto why = capture_damage(dir, ev, client, files, measured_parts, report, windows);
        !why.empty())
      evidence_failed(client, why);
    else if (switch_unplaced)
      evidence_failed(client, "the switch has no step_start on the timeline to measure in");
    if (report.kernel_drops) {
      r.measurements.push_back({"capture_kernel_drops." + client,
                                static_cast<double>(*report.kernel_drops), "count", 0.0,
                                "<=", *report.kernel_drops == 0, "pcap_stats ps_drop"});
    }
  }
  // In-process: the conflicts the simulated clients saw (R23), from the timeline.
  if (inprocess)
    for (const auto& e : ev) {
      if (e.type != EventType::observe || e.op != op::ip_conflict || !e.data.contains("ip"))
        continue;
      netlab::IpConflict c;
      c.ip = netlab::IpAddress::parse(e.data.at("ip"));
      c.first_appliance = e.data.contains("first") ? e.data.at("first") : "";
      c.second_appliance = e.data.contains("second") ? e.data.at("second") : "";
      c.first_seen_ns = c.last_seen_ns = e.t_ns;
      c.claims = 1;
      conflicts.push_back(c);
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
  if (const auto* s = last(ev, op::clients_see_appB, EventType::ok))
    r.measurements.push_back(
        {"switch_settle_ms", std::stod(s->data.at("settle_ms")), "ms", std::nullopt, "<=", true,
         "switch_to(appB) until every client's HTTPS flow is answered by appB"});
  if (const auto* broken = first(ev, op::relationship_broken, EventType::ok)) {
    const auto* back = last(ev, op::relationship_established, EventType::ok);
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
    if (e.op == op::session_created && e.type == EventType::ok) created.insert(e.data.at("lsid"));
  r.measurements.push_back({"session_records_created", static_cast<double>(created.size()), "count",
                            std::nullopt, "<=", true,
                            "seeded, by verification and by the client load"});

  // ---- checks over the whole run: one function each, with the rules it proves ----
  const CheckInput in{sc, ev, r, conflicts, unexpected, created, damaged};
  // A run that aborted safely, as its scenario expects, is judged on safety:
  // what clients saw (outages, conflicts, downtime budgets) is the expected
  // fault's doing and is reported as waived, not as a failure.
  const bool expected_abort = r.as_expected && r.outcome == "aborted_safely";
  // A run that failed before its first step proved nothing: no check passes.
  const bool any_step = std::any_of(
      ev.begin(), ev.end(), [](const TimelineEvent& e) { return e.type == EventType::step_start; });
  for (const auto& c : any_step ? check_table() : std::vector<CheckDef>{}) {
    if (auto result = c.run(in))
      r.checks.push_back({c.name, c.rules, result->pass, result->detail,
                          !result->pass && expected_abort && c.kind == CheckKind::service});
  }
  // Kernel drops are the evidence's quality, which no expected fault excuses.
  for (auto& m : r.measurements)
    m.waived = !m.pass && expected_abort && m.name.rfind("capture_kernel_drops.", 0) != 0 &&
               !evidence_failures.contains(m.name);
  return r;
}

}  // namespace failover_hil::hil
