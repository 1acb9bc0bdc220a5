#include <pybind11/stl.h>

#include "bindings.hpp"
#include "failover_hil/hil/runner.hpp"

namespace py = pybind11;

namespace failover_hil::pybind {

void bind_run(py::module_& m) {
  // The run crosses as a small dict; the full record is the run directory's
  // report.json (docs/reports.md). Issue "Python: scenarios and scripted
  // fault injection" brings the typed objects.
  m.def(
      "run_scenario",
      [](const std::string& scenario, const std::string& out, const std::string& engine,
         std::uint64_t seed) {
        hil::RunOptions o;
        o.scenario = scenario;
        o.out = out;
        o.engine = hil::parse_engine_kind(engine);
        o.seed = seed;
        hil::RunRecord r;
        {
          py::gil_scoped_release unlocked;  // a lab run takes seconds
          r = hil::run_scenario(o);
        }
        py::dict d;
        d["outcome"] = r.outcome;
        d["reason"] = r.reason;
        d["as_expected"] = r.as_expected;
        d["passed"] = r.passed();
        d["run_dir"] = r.run_dir;
        return d;
      },
      py::arg("scenario"), py::arg("out"), py::arg("engine") = "inprocess", py::arg("seed") = 1,
      "Runs a scenario file on an engine (inprocess, lab); returns outcome, reason, as_expected, "
      "passed and run_dir.");
}

}  // namespace failover_hil::pybind
