// A rehearsal from Python (docs/rehearsal.md): what `failover-hil lab
// rehearse` holds, as a context manager.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "failover_hil/hil/rehearsal.hpp"
#include "failover_hil/netlab/lab.hpp"

namespace py = pybind11;

namespace failover_hil::pybind {

namespace {

class PyRehearsal {
 public:
  PyRehearsal(const py::object& scenario, std::string dir, std::string harness,
              std::string state_dir) {
    const auto find = py::module_::import("failover_hil.scenarios").attr("find_scenario");
    options_.scenario = find(scenario).cast<std::string>();
    options_.dir = std::move(dir);
    options_.harness = std::move(harness);
    options_.state_dir = std::move(state_dir);
  }

  PyRehearsal& enter() {
    if (r_) throw hil::HarnessError("this rehearsal is up already");
    py::gil_scoped_release unlocked;  // a lab, two simulators, a relationship: seconds
    r_ = std::make_unique<hil::Rehearsal>(options_);
    return *this;
  }
  void exit() {
    py::gil_scoped_release unlocked;
    r_.reset();
  }
  hil::Rehearsal& up() const {
    if (!r_) throw hil::HarnessError("the rehearsal is not up: use `with Rehearsal(...) as r:`");
    return *r_;
  }

 private:
  hil::RehearsalOptions options_;
  std::unique_ptr<hil::Rehearsal> r_;
};

}  // namespace

void bind_rehearsal(py::module_& m) {
  py::class_<PyRehearsal>(
      m, "Rehearsal",
      "A scenario's lab with two simulators in production, reached as physical appliances "
      "(docs/rehearsal.md), as a context manager (root): `with Rehearsal('shared-ip-baseline', "
      "dir) as r:` writes r.inventory('shared_ip') and r.answers; leaving the block removes it all")
      .def(py::init<const py::object&, std::string, std::string, std::string>(),
           py::arg("scenario"), py::arg("dir"), py::arg("harness") = "", py::arg("state_dir") = "",
           "scenario: a Scenario, file or shipped name (its lab, versions, time scale); dir: "
           "where the inventories and answers go; harness: the lab host runs start from "
           "(default: the scenario's first client)")
      .def("__enter__", &PyRehearsal::enter, py::return_value_policy::reference)
      .def("__exit__", [](PyRehearsal& r, const py::args&) { r.exit(); })
      .def_property_readonly("dir", [](const PyRehearsal& r) { return r.up().dir().string(); })
      .def_property_readonly("harness", [](const PyRehearsal& r) { return r.up().harness(); })
      .def_property_readonly("answers",
                             [](const PyRehearsal& r) { return r.up().answers().string(); })
      .def(
          "inventory",
          [](const PyRehearsal& r, const std::string& method) {
            return r.up().inventory(hil::parse_switch_method(method)).string();
          },
          py::arg("switch_method") = "shared_ip", "The inventory file for shared_ip, dns or nat")
      .def(
          "netns",
          [](const PyRehearsal& r, const std::string& host) {
            return r.up().lab().host(host).ns.name();
          },
          py::arg("host"), "A lab host's namespace (/run/netns/NAME)")
      .def(
          "exec",
          [](const PyRehearsal& r, const std::string& host, const std::vector<std::string>& argv) {
            return exec_in_netns(r.up().lab().host(host).ns.name(), argv);
          },
          py::arg("host"), py::arg("argv"),
          "Runs a command in a lab host's namespace (runs start from r.harness); returns (exit "
          "status, output)");
}

}  // namespace failover_hil::pybind
