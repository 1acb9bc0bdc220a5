#include "failover_hil/hil/catalogue.hpp"

#include <sstream>

#include "failover_hil/hil/faults.hpp"
#include "failover_hil/hil/steps.hpp"

namespace failover_hil::hil {

namespace {

std::string params_text(const std::vector<ParamDef>& params) {
  if (params.empty()) return "—";
  std::string out;
  for (const auto& p : params) {
    out += (out.empty() ? "" : "; ") + ("`" + std::string(p.key) + "`: ") + describe(p);
    if (p.required) {
      out += ", required";
    } else if (p.fallback) {
      ParamValues v;
      v.set("x", *p.fallback);
      out += ", default " + v.as_text().at("x");
    }
    out += " — " + std::string(p.doc);
  }
  return out;
}

std::string rules_text(const std::vector<std::string_view>& rules) {
  std::string out;
  for (const auto r : rules) out += (out.empty() ? "" : ", ") + std::string(r);
  return out;
}

const char* class_text(FaultClass c) {
  switch (c) {
    case FaultClass::timed:
      return "at its trigger";
    case FaultClass::install:
      return "at the appliance's next install of that kind";
    case FaultClass::mistake:
      return "operator mistake, acted out by its step";
  }
  return "";
}

}  // namespace

std::string catalogue_markdown() {
  std::ostringstream o;
  o << "### Steps\n\n"
    << "| step | what it does | parameters | rules | checks before | holds after | resume |\n"
    << "|------|--------------|------------|-------|---------------|-------------|--------|\n";
  for (const auto* s : step_registry())
    o << "| `" << s->name << "` | " << s->summary << " | " << params_text(s->params) << " | "
      << rules_text(s->rules) << " | " << s->preconditions << " | " << s->postconditions << " | "
      << (s->resume == Resume::by_history ? "skipped when its step_ok is on the timeline"
                                          : "reads the pair's state, does what is left")
      << " |\n";
  o << "\n### Faults\n\n"
    << "| fault | fires | appliance | parameters | effect | in-process |\n"
    << "|-------|-------|-----------|------------|--------|------------|\n";
  for (const auto* f : fault_registry()) {
    std::string appliance = "—";
    if (f->takes_appliance)
      appliance = f->default_appliance
                      ? "A or B, default " + std::string(letter(*f->default_appliance))
                      : "A or B, required";
    o << "| `" << f->name << "` | " << class_text(f->cls) << " | " << appliance << " | "
      << params_text(f->params) << (f->takes_progress ? "; `at.progress` 0..1, default 0.5" : "")
      << " | " << f->doc << " | "
      << (f->inprocess_refusal.empty() ? "modelled"
                                       : "refused: " + std::string(f->inprocess_refusal))
      << " |\n";
  }
  return o.str();
}

}  // namespace failover_hil::hil
