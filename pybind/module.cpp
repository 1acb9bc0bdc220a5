// The `failover_hil` Python package's compiled part, failover_hil._core. C++ exceptions arrive as
// Python exceptions with the same message.
#include "bindings.hpp"
#include "failover_hil/core/byte_reader.hpp"
#include "failover_hil/hil/appliance_driver.hpp"
#include "failover_hil/hil/scenario.hpp"
#include "failover_hil/netlab/error.hpp"
#include "failover_hil/sim/model/errors.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "failover-hil: drive and measure the asynchronous upgrade of a B Series failover pair";
  pybind11::register_exception<failover_hil::sim::ModelError>(m, "ModelError", PyExc_RuntimeError);
  pybind11::register_exception<failover_hil::hil::HarnessError>(m, "HarnessError",
                                                                PyExc_RuntimeError);
  pybind11::register_exception<failover_hil::netlab::NetlabError>(m, "NetlabError",
                                                                  PyExc_RuntimeError);
  pybind11::register_exception<failover_hil::MalformedInput>(m, "MalformedInput", PyExc_ValueError);
  pybind11::register_exception<failover_hil::hil::ScenarioError>(m, "ScenarioError",
                                                                 PyExc_ValueError);
  failover_hil::pybind::bind_results(m);
  failover_hil::pybind::bind_run(m);
  failover_hil::pybind::bind_analysis(m);
  failover_hil::pybind::bind_lab(m);
  failover_hil::pybind::bind_registry(m);
  failover_hil::pybind::bind_driver(m);
  failover_hil::pybind::bind_rehearsal(m);
}
