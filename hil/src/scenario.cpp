#include "failover_hil/hil/scenario.hpp"

#include <array>
#include <limits>
#include <optional>
#include <regex>

#include "failover_hil/sim/model/version.hpp"
#include "yaml_reader.hpp"

namespace failover_hil::hil {

namespace {

using yaml::Bounds;
using yaml::Reader;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Indexed by StepKind.
constexpr std::array<std::string_view, 9> kStepNames{"backup",
                                                     "sync",
                                                     "break",
                                                     "update_backup",
                                                     "verify_backup",
                                                     "switch",
                                                     "verify_production",
                                                     "update_primary",
                                                     "reestablish"};
static_assert(kStepNames.size() == static_cast<std::size_t>(StepKind::reestablish) + 1);

// ---- faults: what each takes, checked by one generic reader ---------------

enum class ParamKind { choice, number, integer, boolean, host, host_pair };

struct ParamDef {
  std::string_view key;
  ParamKind kind;
  bool required = false;
  std::string_view fallback;  ///< stored when absent; empty: nothing stored
  Bounds bounds{};
  std::vector<std::string_view> choices{};
};

enum class ApplianceUse { none, required, default_b };

struct FaultDef {
  std::string_view name;
  ApplianceUse appliance = ApplianceUse::none;
  bool install = false;  ///< takes at.progress
  std::optional<double> default_progress{};
  std::vector<ParamDef> params{};
};

const std::vector<FaultDef>& fault_defs() {
  static const ParamDef update{"update", ParamKind::choice,   false, "base",
                               {},       {"base", "software"}};
  static const std::vector<FaultDef> defs{
      {"install_fails", ApplianceUse::required, true, 0.5, {update}},
      {"install_hangs", ApplianceUse::required, true, std::nullopt, {update}},
      {"sync_slow",
       ApplianceUse::none,
       false,
       std::nullopt,
       {{"factor", ParamKind::number, true, {}, {1, kInf}}}},
      {"sync_fails"},
      {"site_refuses",
       ApplianceUse::required,
       false,
       std::nullopt,
       {{"duration_ms", ParamKind::integer, true, {}, {1, 3600000}}}},
      {"peer_silence"},
      {"appliance_crash", ApplianceUse::required},
      {"partition",
       ApplianceUse::none,
       false,
       std::nullopt,
       {{"between", ParamKind::host_pair, true}}},
      {"loss",
       ApplianceUse::none,
       false,
       std::nullopt,
       {{"host", ParamKind::host, true}, {"percent", ParamKind::number, true, {}, {0, 100, true}}}},
      {"operator_skips_backup"},
      {"operator_breaks_before_sync"},
      {"operator_restarts_after_failed_base", ApplianceUse::default_b},
      {"operator_enables_shared_ip_early",
       ApplianceUse::none,
       false,
       std::nullopt,
       {{"force", ParamKind::boolean, false, "false"}}},
      {"harness_stops"},
  };
  return defs;
}

const FaultDef* find_fault(const std::string& name) {
  for (const auto& d : fault_defs())
    if (d.name == name) return &d;
  return nullptr;
}

// ---- sections --------------------------------------------------------------

Release release(const Reader& r, const YAML::Node& n, const std::string& path, Release out) {
  r.expect_map(n, path, "{base, software, build}");
  r.check_keys(n, path, {"base", "software", "build"});
  for (const auto key : {"base", "software"}) {
    const auto v = n[key];
    if (!v) continue;
    const auto text = r.text(v, path + "." + key);
    try {
      sim::Version::parse(text);
    } catch (const std::exception&) {
      r.fail(v, "'" + path + "." + key + "' is '" + text + "'; expected a version such as 3.4.0");
    }
    (std::string_view(key) == "base" ? out.base : out.software) = text;
  }
  if (const auto v = n["build"]) {
    out.build = r.text(v, path + ".build");
    if (!std::regex_match(out.build, std::regex("[A-Za-z0-9._-]+")))
      r.fail(v, "'" + path + ".build' is '" + out.build + "'; expected letters and digits");
  }
  return out;
}

ProbePlan probes(const Reader& r, const YAML::Node& n) {
  r.expect_map(n, "probes", "{clients, rate_hz, deadline_ms}");
  r.check_keys(n, "probes", {"clients", "rate_hz", "deadline_ms"});
  ProbePlan p;
  if (const auto v = n["clients"]) p.clients = r.text_list(v, "probes.clients");
  if (const auto v = n["rate_hz"]) p.rate_hz = r.number(v, "probes.rate_hz", {1, 20000});
  if (const auto v = n["deadline_ms"])
    p.deadline_ms = r.integer(v, "probes.deadline_ms", {1, 60000});
  return p;
}

SeedPlan seed(const Reader& r, const YAML::Node& n) {
  r.expect_map(n, "seed", "of counts");
  r.check_keys(n, "seed",
               {"users", "files", "session_records", "consoles", "jump_clients", "msi_clients",
                "integration_client"});
  SeedPlan s;
  const std::pair<const char*, int*> counts[] = {{"users", &s.users},
                                                 {"files", &s.files},
                                                 {"session_records", &s.session_records},
                                                 {"consoles", &s.consoles},
                                                 {"jump_clients", &s.jump_clients},
                                                 {"msi_clients", &s.msi_clients}};
  for (const auto& [key, out] : counts)
    if (const auto v = n[key]) *out = r.integer(v, std::string("seed.") + key, {0, kInf});
  if (const auto v = n["integration_client"])
    s.integration_client = r.boolean(v, "seed.integration_client");
  return s;
}

LoadPlan load(const Reader& r, const YAML::Node& n) {
  r.expect_map(n, "load", "{session_interval_ms}");
  r.check_keys(n, "load", {"session_interval_ms"});
  LoadPlan l;
  if (const auto v = n["session_interval_ms"])
    l.session_interval_ms = r.integer(v, "load.session_interval_ms", {0, kInf});
  return l;
}

Budgets budgets(const Reader& r, const YAML::Node& n) {
  r.expect_map(n, "budgets", "{switch_downtime_ms, exposure_window_s, total_s}");
  r.check_keys(n, "budgets", {"switch_downtime_ms", "exposure_window_s", "total_s"});
  Budgets b;
  const Bounds positive{0, kInf, true};
  if (const auto v = n["switch_downtime_ms"])
    b.switch_downtime_ms = r.number(v, "budgets.switch_downtime_ms", positive);
  if (const auto v = n["exposure_window_s"])
    b.exposure_window_s = r.number(v, "budgets.exposure_window_s", positive);
  if (const auto v = n["total_s"]) b.total_s = r.number(v, "budgets.total_s", positive);
  return b;
}

Expectation expectation(const Reader& r, const YAML::Node& n) {
  r.expect_map(n, "expect", "{outcome, reason}");
  r.check_keys(n, "expect", {"outcome", "reason"});
  Expectation e;
  e.outcome = r.choice(r.required(n, "expect", "outcome", "completed or aborted_safely"),
                       "expect.outcome", {"completed", "aborted_safely"});
  if (const auto v = n["reason"]) {
    if (e.outcome != "aborted_safely")
      r.fail(v, "'expect.reason' is given with outcome " + e.outcome +
                    "; a reason belongs to outcome aborted_safely");
    e.reason = r.text(v, "expect.reason");
  } else if (e.outcome == "aborted_safely") {
    r.fail(n,
           "missing 'expect.reason' for outcome aborted_safely; expected a text the runner's "
           "reason contains, e.g. 'contact support'");
  }
  return e;
}

// ---- steps -----------------------------------------------------------------

void step_params(const Reader& r, const YAML::Node& params, const std::string& name, StepSpec& s) {
  if (!params || params.IsNull()) return;
  r.expect_map(params, name, "of the step's parameters");
  if (s.kind == StepKind::update_backup || s.kind == StepKind::update_primary) {
    r.check_keys(params, name, {"method"});
    if (const auto v = params["method"])
      s.method = r.choice(v, name + ".method", {"automatic", "manual"}) == "manual"
                     ? UpdateMethod::manual
                     : UpdateMethod::automatic;
  } else if (s.kind == StepKind::switch_primary) {
    r.check_keys(params, name, {"settle_timeout_s"});
    if (const auto v = params["settle_timeout_s"])
      s.settle_timeout_s = r.number(v, name + ".settle_timeout_s", {0, 86400, true});
  } else if (params.size() > 0) {
    r.fail(params, "step '" + name + "' takes no parameters; found " + Reader::found(params));
  }
}

StepSpec step(const Reader& r, const YAML::Node& item) {
  StepSpec s;
  s.line = Reader::line(item);
  YAML::Node params;
  if (item.IsMap() && item.size() == 1) {
    const auto kv = *item.begin();
    if (!kv.first.IsScalar()) r.fail(item, "a step's name is " + Reader::found(kv.first));
    params = kv.second;
  } else if (!item.IsScalar()) {
    r.fail(item, "a step is " + Reader::found(item) +
                     "; expected a step's name or a one-key map {name: {parameters}}");
  }
  const auto name = item.IsScalar() ? item.Scalar() : (*item.begin()).first.Scalar();
  try {
    s.kind = parse_step_kind(name);
  } catch (const std::invalid_argument& e) {
    r.fail(item, e.what());
  }
  step_params(r, params, name, s);
  return s;
}

std::vector<StepSpec> steps(const Reader& r, const YAML::Node& n) {
  if (!n.IsSequence() || n.size() == 0)
    r.fail(n, "'steps' is " + Reader::found(n) + "; expected a non-empty list of steps (" +
                  yaml::list(kStepNames) + ")");
  std::vector<StepSpec> out;
  for (const auto& item : n) {
    out.push_back(step(r, item));
    for (std::size_t i = 0; i + 1 < out.size(); ++i)
      if (out[i].kind == out.back().kind)
        r.fail(item, std::string("step '") + to_string(out.back().kind) +
                         "' appears twice (first at line " + std::to_string(out[i].line) + ")");
  }
  return out;
}

// ---- faults ----------------------------------------------------------------

FaultTrigger trigger(const Reader& r, const YAML::Node& n, const FaultDef& def,
                     const std::vector<StepSpec>& plan) {
  r.expect_map(n, "at", "{step, progress} or {step, when, after_s} or {after_s}");
  std::vector<std::string_view> keys{"step", "when", "after_s"};
  if (def.install) keys.push_back("progress");
  r.check_keys(n, "at", keys);
  FaultTrigger t;
  t.progress = def.default_progress;
  if (const auto v = n["step"]) {
    t.step = r.text(v, "at.step");
    StepKind kind{};
    try {
      kind = parse_step_kind(t.step);
    } catch (const std::invalid_argument& e) {
      r.fail(v, e.what());
    }
    bool planned = false;
    for (const auto& s : plan) planned = planned || s.kind == kind;
    if (!planned)
      r.fail(v, "fault trigger names step '" + t.step +
                    "', which is not in this scenario's steps; expected one of its steps");
  }
  if (const auto v = n["when"]) {
    if (t.step.empty()) r.fail(v, "'at.when' needs 'at.step'; expected {step: NAME, when: ...}");
    t.after_step = r.choice(v, "at.when", {"before", "after"}) == "after";
  }
  if (const auto v = n["after_s"]) t.after_s = r.number(v, "at.after_s", {0, kInf});
  if (const auto v = n["progress"]) t.progress = r.number(v, "at.progress", {0, 1});
  return t;
}

// A scalar parameter as it is stored in FaultSpec::params.
std::string fault_param(const Reader& r, const YAML::Node& v, const ParamDef& p,
                        const std::string& path) {
  switch (p.kind) {
    case ParamKind::choice:
      return r.choice(v, path, p.choices);
    case ParamKind::number:
      r.number(v, path, p.bounds);
      return v.Scalar();
    case ParamKind::integer:
      return std::to_string(r.integer(v, path, p.bounds));
    case ParamKind::boolean:
      return r.boolean(v, path) ? "true" : "false";
    case ParamKind::host:
      return r.text(v, path);
    case ParamKind::host_pair: {
      const auto hosts = r.text_list(v, path);
      if (hosts.size() != 2)
        r.fail(v, "'" + path + "' names " + std::to_string(hosts.size()) +
                      " hosts; expected a list of exactly two host names");
      return hosts[0] + "," + hosts[1];
    }
  }
  return {};
}

std::string fault_name(const Reader& r, const YAML::Node& item) {
  const auto n = r.required(item, "", "fault", "a fault's name");
  const auto name = r.text(n, "fault");
  if (!find_fault(name)) {
    std::vector<std::string_view> names;
    for (const auto& d : fault_defs()) names.push_back(d.name);
    r.fail(n, "unknown fault '" + name + "'; expected one of " + yaml::list(names));
  }
  return name;
}

FaultSpec fault(const Reader& r, const YAML::Node& item, const std::vector<StepSpec>& plan) {
  r.expect_map(item, "faults item", "{fault: NAME, appliance, at, parameters...}");
  FaultSpec f;
  f.line = Reader::line(item);
  f.name = fault_name(r, item);
  const auto& def = *find_fault(f.name);
  std::vector<std::string_view> keys{"fault", "at"};
  if (def.appliance != ApplianceUse::none) keys.push_back("appliance");
  for (const auto& p : def.params) keys.push_back(p.key);
  r.check_keys(item, "fault " + f.name, keys);

  if (def.appliance == ApplianceUse::required)
    f.appliance = r.choice(r.required(item, f.name, "appliance", "A or B"), f.name + ".appliance",
                           {"A", "B"});
  else if (def.appliance == ApplianceUse::default_b)
    f.appliance =
        item["appliance"] ? r.choice(item["appliance"], f.name + ".appliance", {"A", "B"}) : "B";
  if (const auto at = item["at"])
    f.at = trigger(r, at, def, plan);
  else
    f.at.progress = def.default_progress;
  for (const auto& p : def.params) {
    const auto path = f.name + "." + std::string(p.key);
    if (const auto v = item[std::string(p.key)])
      f.params.emplace_back(p.key, fault_param(r, v, p, path));
    else if (p.required)
      r.fail(item, "missing '" + path + "'; fault " + f.name + " needs it");
    else if (!p.fallback.empty())
      f.params.emplace_back(p.key, p.fallback);
  }
  return f;
}

std::vector<FaultSpec> faults(const Reader& r, const YAML::Node& n,
                              const std::vector<StepSpec>& plan) {
  if (n.IsNull()) return {};
  if (!n.IsSequence())
    r.fail(n, "'faults' is " + Reader::found(n) + "; expected a list of {fault: NAME, ...}");
  std::vector<FaultSpec> out;
  for (const auto& item : n) out.push_back(fault(r, item, plan));
  return out;
}

// ---- the whole file ----------------------------------------------------------

void header(const Reader& r, const YAML::Node& y, Scenario& s) {
  const auto name = r.required(y, "", "scenario", "the scenario's name ([a-z0-9-]+)");
  s.name = r.text(name, "scenario");
  if (!std::regex_match(s.name, std::regex("[a-z0-9-]+")))
    r.fail(name, "'scenario' is '" + s.name + "'; expected a name of a-z, 0-9 and '-'");
  if (const auto v = y["description"]) s.description = r.text(v, "description");
  const auto dir = r.file().parent_path();
  s.lab = dir / "labs/default.yaml";
  if (const auto v = y["lab"]) s.lab = dir / r.text(v, "lab");
  const auto sw = r.required(y, "", "switch", "shared_ip, dns or nat");
  try {
    s.switch_method = parse_switch_method(r.text(sw, "switch"));
  } catch (const std::invalid_argument& e) {
    r.fail(sw, e.what());
  }
  if (const auto v = y["time_scale"]) s.time_scale = r.number(v, "time_scale", {1, 1e6});
}

Scenario scenario(const Reader& r, const YAML::Node& y) {
  r.expect_map(y, "", "with at least scenario, switch and steps");
  r.check_keys(y, "",
               {"scenario", "description", "lab", "switch", "time_scale", "from", "to", "probes",
                "seed", "load", "budgets", "steps", "faults", "expect"});
  Scenario s;
  s.file = r.file();
  header(r, y, s);
  if (const auto v = y["from"]) s.from = release(r, v, "from", s.from);
  if (const auto v = y["to"]) s.to = release(r, v, "to", s.to);
  if (const auto v = y["probes"]) s.probes = probes(r, v);
  if (const auto v = y["seed"]) s.seed = seed(r, v);
  if (const auto v = y["load"]) s.load = load(r, v);
  if (const auto v = y["budgets"]) s.budgets = budgets(r, v);
  s.steps = steps(r, r.required(y, "", "steps", "a non-empty list of steps"));
  if (const auto v = y["faults"]) s.faults = faults(r, v, s.steps);
  if (const auto v = y["expect"]) s.expect = expectation(r, v);
  return s;
}

}  // namespace

const char* to_string(SwitchMethod m) {
  switch (m) {
    case SwitchMethod::shared_ip:
      return "shared_ip";
    case SwitchMethod::dns:
      return "dns";
    case SwitchMethod::nat:
      return "nat";
  }
  return "?";
}

SwitchMethod parse_switch_method(const std::string& name) {
  for (const auto m : {SwitchMethod::shared_ip, SwitchMethod::dns, SwitchMethod::nat})
    if (name == to_string(m)) return m;
  throw std::invalid_argument("unknown switch method '" + name +
                              "'; expected shared_ip, dns or nat");
}

const char* to_string(StepKind k) {
  return kStepNames.at(static_cast<std::size_t>(k)).data();
}

StepKind parse_step_kind(const std::string& name) {
  for (std::size_t i = 0; i < kStepNames.size(); ++i)
    if (kStepNames[i] == name) return static_cast<StepKind>(i);
  throw std::invalid_argument("unknown step '" + name + "'; expected one of " +
                              yaml::list(kStepNames));
}

const char* to_string(UpdateMethod m) {
  return m == UpdateMethod::manual ? "manual" : "automatic";
}

std::string FaultSpec::param(const std::string& key, const std::string& fallback) const {
  for (const auto& [k, v] : params)
    if (k == key) return v;
  return fallback;
}

const std::vector<std::string>& known_faults() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& d : fault_defs()) out.emplace_back(d.name);
    return out;
  }();
  return names;
}

Scenario parse_scenario(const std::string& text, const std::filesystem::path& file) {
  const Reader r(file);
  const auto y = yaml::parse_document(text, file);
  try {
    return scenario(r, y);
  } catch (const YAML::Exception& e) {
    // A conversion this loader did not foresee: still name the place.
    throw ScenarioError(file.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Scenario load_scenario(const std::filesystem::path& file) {
  return parse_scenario(yaml::read_text(file, "scenario file"), file);
}

}  // namespace failover_hil::hil
