// The step and fault registries as Python objects, and scenarios parsed from
// text: what failover_hil.build_scenario() builds on (docs/python.md).
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "failover_hil/hil/faults.hpp"
#include "failover_hil/hil/scenario.hpp"
#include "failover_hil/hil/steps.hpp"

namespace py = pybind11;

namespace failover_hil::pybind {

namespace {

std::string kind_name(hil::ParamKind k) {
  switch (k) {
    case hil::ParamKind::choice:
      return "choice";
    case hil::ParamKind::number:
      return "number";
    case hil::ParamKind::integer:
      return "integer";
    case hil::ParamKind::boolean:
      return "boolean";
    case hil::ParamKind::host:
      return "host";
    case hil::ParamKind::host_pair:
      return "host_pair";
  }
  return "";
}

std::string fires_name(hil::FaultClass c) {
  switch (c) {
    case hil::FaultClass::timed:
      return "timed";
    case hil::FaultClass::install:
      return "install";
    case hil::FaultClass::mistake:
      return "mistake";
  }
  return "";
}

py::object param_default(const hil::ParamDef& p) {
  if (!p.fallback) return py::none();
  return std::visit([](const auto& v) -> py::object { return py::cast(v); }, *p.fallback);
}

std::vector<std::string> strings(const std::vector<std::string_view>& v) {
  return {v.begin(), v.end()};
}

}  // namespace

void bind_registry(py::module_& m) {
  using hil::FaultDef;
  using hil::ParamDef;
  using hil::StepDef;
  py::class_<ParamDef>(m, "Param", "A parameter a step or fault takes, with its checks")
      .def_property_readonly("key", [](const ParamDef& p) { return std::string(p.key); })
      .def_property_readonly(
          "kind", [](const ParamDef& p) { return kind_name(p.kind); },
          "choice, number, integer, boolean, host or host_pair")
      .def_property_readonly("doc", [](const ParamDef& p) { return std::string(p.doc); })
      .def_readonly("required", &ParamDef::required)
      .def_property_readonly("default", &param_default, "its value when absent (None: none)")
      .def_property_readonly("choices", [](const ParamDef& p) { return strings(p.choices); })
      .def_property_readonly("allowed", &hil::describe, "'number in [1, inf]', 'one of ...'")
      .def("__repr__", [](const ParamDef& p) {
        return "Param(key='" + std::string(p.key) + "', allowed='" + hil::describe(p) + "'" +
               (p.required ? ", required" : "") + ")";
      });
  py::class_<StepDef>(m, "StepInfo", "A step of the procedure as the step registry has it")
      .def_property_readonly("name", [](const StepDef& s) { return std::string(s.name); })
      .def_property_readonly("summary", [](const StepDef& s) { return std::string(s.summary); })
      .def_property_readonly("rules", [](const StepDef& s) { return strings(s.rules); })
      .def_readonly("params", &StepDef::params)
      .def_property_readonly("preconditions",
                             [](const StepDef& s) { return std::string(s.preconditions); })
      .def_property_readonly("postconditions",
                             [](const StepDef& s) { return std::string(s.postconditions); })
      .def("__repr__",
           [](const StepDef& s) { return "StepInfo(name='" + std::string(s.name) + "')"; });
  py::class_<FaultDef>(m, "FaultInfo", "A fault as the fault registry has it")
      .def_property_readonly("name", [](const FaultDef& f) { return std::string(f.name); })
      .def_property_readonly("doc", [](const FaultDef& f) { return std::string(f.doc); })
      .def_property_readonly(
          "fires", [](const FaultDef& f) { return fires_name(f.cls); },
          "timed (at its trigger), install (at the appliance's next install of its kind) or "
          "mistake (an operator mistake its step acts out)")
      .def_readonly("takes_appliance", &FaultDef::takes_appliance)
      .def_readonly("takes_progress", &FaultDef::takes_progress)
      .def_readonly("params", &FaultDef::params)
      .def_property_readonly(
          "inprocess_refusal", [](const FaultDef& f) { return std::string(f.inprocess_refusal); },
          "why the in-process engine cannot run it ('' when it can)")
      .def("__repr__",
           [](const FaultDef& f) { return "FaultInfo(name='" + std::string(f.name) + "')"; });
  m.def(
      "steps", [] { return hil::step_registry(); }, py::return_value_policy::reference,
      "Every step a scenario may name, in the vendor's order");
  m.def(
      "faults", [] { return hil::fault_registry(); }, py::return_value_policy::reference,
      "Every fault a scenario may arm or Run.inject() fire");
  m.def(
      "parse_scenario",
      [](const std::string& text, const std::string& file) {
        return hil::parse_scenario(text, file);
      },
      py::arg("text"), py::arg("file"),
      "Checks a scenario given as YAML (or JSON) text; `file` names it in errors (file:line) and "
      "resolves its lab. build_scenario() writes the file after this check.");
}

}  // namespace failover_hil::pybind
