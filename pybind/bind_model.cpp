#include <pybind11/chrono.h>
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "failover_hil/hil/model_upgrade.hpp"

namespace py = pybind11;

namespace failover_hil::pybind {

void bind_model(py::module_& m) {
  using hil::ApplianceSnapshot;
  using hil::ModelStep;
  using hil::ModelUpgradeOptions;
  using hil::ModelUpgradeResult;
  py::class_<ApplianceSnapshot>(m, "ApplianceSnapshot")
      .def_readonly("name", &ApplianceSnapshot::name)
      .def_readonly("base", &ApplianceSnapshot::base)
      .def_readonly("software", &ApplianceSnapshot::software)
      .def_readonly("role", &ApplianceSnapshot::role)
      .def_readonly("state", &ApplianceSnapshot::state)
      .def_readonly("shared_ip", &ApplianceSnapshot::shared_ip)
      .def_readonly("serves", &ApplianceSnapshot::serves)
      .def_readonly("sessions", &ApplianceSnapshot::sessions);
  py::class_<ModelStep>(m, "ModelStep")
      .def_readonly("number", &ModelStep::number)
      .def_readonly("title", &ModelStep::title)
      .def_readonly("rules", &ModelStep::rules)
      .def_readonly("notes", &ModelStep::notes)
      .def_readonly("a", &ModelStep::a)
      .def_readonly("b", &ModelStep::b);
  py::class_<sim::Violation>(m, "Violation")
      .def_readonly("rule", &sim::Violation::rule)
      .def_readonly("text", &sim::Violation::text);
  py::class_<ModelUpgradeOptions>(m, "ModelUpgradeOptions")
      .def(py::init<>())
      .def_readwrite("seed", &ModelUpgradeOptions::seed)
      .def_readwrite("recordings_mib", &ModelUpgradeOptions::recordings_mib)
      .def_readwrite("sessions_per_step", &ModelUpgradeOptions::sessions_per_step);
  py::class_<ModelUpgradeResult>(m, "ModelUpgradeResult")
      .def_readonly("steps", &ModelUpgradeResult::steps)
      .def_readonly("completed", &ModelUpgradeResult::completed)
      .def_readonly("failure", &ModelUpgradeResult::failure)
      .def_readonly("sessions_created", &ModelUpgradeResult::sessions_created)
      .def_readonly("missing_on_a", &ModelUpgradeResult::missing_on_a)
      .def_readonly("missing_on_b", &ModelUpgradeResult::missing_on_b)
      .def_readonly("violations", &ModelUpgradeResult::violations)
      .def_readonly("exposure_window", &ModelUpgradeResult::exposure_window);
  m.def("run_model_upgrade", &hil::run_model_upgrade, py::arg("options") = ModelUpgradeOptions{},
        py::arg("on_step") = std::function<void(const ModelStep&)>{},
        "Runs the vendor's asynchronous upgrade on two model appliances; on_step(step) after each "
        "step.");
}

}  // namespace failover_hil::pybind
