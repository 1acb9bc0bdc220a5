#include "failover_hil/hil/scenario.hpp"

#include <array>
#include <limits>
#include <optional>

#include "failover_hil/sim/model/version.hpp"
#include "text_checks.hpp"
#include "yaml_reader.hpp"

namespace failover_hil::hil {

namespace {

using yaml::Bounds;
using yaml::Reader;

constexpr double kInf = std::numeric_limits<double>::infinity();
// Names and identifiers that end up in file names, report titles and HTTP
// requests; generous for a person, small for a file system.
constexpr std::size_t kMaxNameLength = 64;
constexpr std::size_t kMaxVersionLength = 32;

// ---- sections --------------------------------------------------------------

Release release(const Reader& r, const YAML::Node& n, const std::string& path, Release out) {
  r.expect_map(n, path, "{base, software, build}");
  r.check_keys(n, path, {"base", "software", "build"});
  for (const auto key : {"base", "software"}) {
    const auto v = n[key];
    if (!v) continue;
    const auto text = r.text(v, path + "." + key, kMaxVersionLength);
    try {
      sim::Version::parse(text);
    } catch (const std::exception&) {
      r.fail(v, "'" + path + "." + key + "' is " + yaml::quote(text) +
                    "; expected a version such as 3.4.0");
    }
    (std::string_view(key) == "base" ? out.base : out.software) = text;
  }
  if (const auto v = n["build"]) {
    out.build = r.text(v, path + ".build", kMaxNameLength);
    if (!text::is_build_id(out.build))
      r.fail(v, "'" + path + ".build' is " + yaml::quote(out.build) +
                    "; expected letters, digits, '.', '_' and '-'");
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
  Expectation e;  // outcome defaults to completed (docs/scenarios.md), so `expect: {}` is one
  if (const auto v = n["outcome"])
    e.outcome = r.choice(v, "expect.outcome", {"completed", "aborted_safely"});
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

// ---- parameters of steps and faults: one generic reader ------------------

Bounds bounds(const Range& r) {
  return {r.lo, r.hi, r.lo_exclusive};
}

ParamValue param_value(const Reader& r, const YAML::Node& v, const ParamDef& p,
                       const std::string& path) {
  switch (p.kind) {
    case ParamKind::choice:
      return r.choice(v, path, p.choices);
    case ParamKind::number:
      return r.number(v, path, bounds(p.range));
    case ParamKind::integer:
      return static_cast<double>(r.integer(v, path, bounds(p.range)));
    case ParamKind::boolean:
      return r.boolean(v, path);
    case ParamKind::host:
      return r.text(v, path);
    case ParamKind::host_pair: {
      auto hosts = r.text_list(v, path);
      if (hosts.size() != 2)
        r.fail(v, "'" + path + "' names " + std::to_string(hosts.size()) +
                      " hosts; expected a list of exactly two host names");
      return hosts;
    }
  }
  return {};
}

/// Reads `defs` from `map` (keys already checked); `owner` names it in errors.
ParamValues params_of(const Reader& r, const YAML::Node& map, const std::vector<ParamDef>& defs,
                      const std::string& owner) {
  ParamValues out;
  for (const auto& p : defs) {
    const auto path = owner + "." + std::string(p.key);
    const YAML::Node v = map && map.IsMap() ? map[std::string(p.key)] : YAML::Node();
    if (v.IsDefined() && !v.IsNull())
      out.set(std::string(p.key), param_value(r, v, p, path));
    else if (p.required)
      r.fail(map, "missing '" + path + "'; " + owner + " needs it (" + describe(p) + ")");
    else if (p.fallback)
      out.set(std::string(p.key), *p.fallback);
  }
  return out;
}

std::vector<std::string_view> step_names() {
  std::vector<std::string_view> names;
  for (const auto* d : step_registry()) names.push_back(d->name);
  return names;
}

// ---- steps -----------------------------------------------------------------

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
  s.def = find_step(name);
  if (!s.def)
    r.fail(item,
           "unknown step " + yaml::quote(name) + "; expected one of " + yaml::list(step_names()));
  if (params && !params.IsNull()) {
    r.expect_map(params, name, "of the step's parameters");
    if (s.def->params.empty() && params.size() > 0)
      r.fail(params, "step '" + name + "' takes no parameters; found " + Reader::found(params));
    std::vector<std::string_view> keys;
    for (const auto& p : s.def->params) keys.push_back(p.key);
    r.check_keys(params, name, keys);
  }
  s.params = params_of(r, params, s.def->params, name);
  return s;
}

std::vector<StepSpec> steps(const Reader& r, const YAML::Node& n) {
  if (!n.IsSequence() || n.size() == 0)
    r.fail(n, "'steps' is " + Reader::found(n) + "; expected a non-empty list of steps (" +
                  yaml::list(step_names()) + ")");
  std::vector<StepSpec> out;
  for (const auto& item : n) {
    out.push_back(step(r, item));
    for (std::size_t i = 0; i + 1 < out.size(); ++i)
      if (out[i].def == out.back().def)
        r.fail(item, "step '" + std::string(out.back().name()) + "' appears twice (first at line " +
                         std::to_string(out[i].line) + ")");
  }
  return out;
}

// ---- faults ----------------------------------------------------------------

FaultTrigger trigger(const Reader& r, const YAML::Node& n, const FaultDef& def,
                     const std::vector<StepSpec>& plan) {
  r.expect_map(n, "at", "{step, progress} or {step, when, after_s} or {after_s}");
  std::vector<std::string_view> keys{"step", "when", "after_s"};
  if (def.takes_progress) keys.push_back("progress");
  r.check_keys(n, "at", keys);
  FaultTrigger t;
  if (const auto v = n["step"]) {
    t.step = r.text(v, "at.step");
    const auto* sd = find_step(t.step);
    if (!sd)
      r.fail(v, "unknown step " + yaml::quote(t.step) + "; expected one of " +
                    yaml::list(step_names()));
    bool planned = false;
    for (const auto& s : plan) planned = planned || s.def == sd;
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

std::string fault_name(const Reader& r, const YAML::Node& item) {
  const auto n = r.required(item, "", "fault", "a fault's name");
  const auto name = r.text(n, "fault");
  if (!find_fault(name)) {
    std::vector<std::string_view> names;
    for (const auto* d : fault_registry()) names.push_back(d->name);
    r.fail(n, "unknown fault " + yaml::quote(name) + "; expected one of " + yaml::list(names));
  }
  return name;
}

FaultSpec fault(const Reader& r, const YAML::Node& item, const std::vector<StepSpec>& plan) {
  r.expect_map(item, "faults item", "{fault: NAME, appliance, at, parameters...}");
  FaultSpec f;
  f.line = Reader::line(item);
  const auto name = fault_name(r, item);
  f.def = find_fault(name);
  const auto& def = *f.def;
  std::vector<std::string_view> keys{"fault", "at"};
  if (def.takes_appliance) keys.push_back("appliance");
  for (const auto& p : def.params) keys.push_back(p.key);
  r.check_keys(item, "fault " + name, keys);

  std::optional<Member> appliance;
  if (def.takes_appliance) {
    if (const auto v = item["appliance"])
      appliance = parse_member(r.choice(v, name + ".appliance", {"A", "B"}));
    else if (def.default_appliance)
      appliance = def.default_appliance;
    else
      r.required(item, name, "appliance", "A or B");
  }
  if (const auto at = item["at"]) f.at = trigger(r, at, def, plan);
  f.params = params_of(r, item, def.params, name);
  f.fault = def.make(f.params, appliance, f.at.progress.value_or(0.5));
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
  s.name = r.text(name, "scenario", kMaxNameLength);
  if (!text::is_plain_name(s.name))
    r.fail(name, "'scenario' is " + yaml::quote(s.name) + "; expected a name of a-z, 0-9 and '-'");
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
  throw std::invalid_argument("unknown switch method " + yaml::quote(name) +
                              "; expected shared_ip, dns or nat");
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

FaultSpec parse_fault(const std::string& yaml_text, const std::string& where) {
  const Reader r(where);
  const auto item = yaml::parse_document(yaml_text, where);
  try {
    if (item["at"]) r.fail(item["at"], "an injected fault fires when it is given; drop 'at'");
    return fault(r, item, {});
  } catch (const YAML::Exception& e) {
    throw ScenarioError(where + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Scenario load_scenario(const std::filesystem::path& file) {
  return parse_scenario(yaml::read_text(file, "scenario file"), file);
}

}  // namespace failover_hil::hil
