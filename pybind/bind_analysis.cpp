#include <pybind11/stl.h>

#include "bindings.hpp"
#include "failover_hil/netlab/analysis.hpp"
#include "failover_hil/netlab/analysis_json.hpp"

namespace py = pybind11;

namespace failover_hil::pybind {

void bind_analysis(py::module_& m) {
  // The report crosses as its documented JSON (docs/analysis.md), so Python
  // sees exactly what `failover-hil analyze --json` prints.
  m.def(
      "analyze_json",
      [](const std::vector<std::string>& paths, const std::string& site_ip, int site_port,
         double rate_hz) {
        netlab::AnalysisOptions o;
        if (!site_ip.empty()) o.site_ip = netlab::IpAddress::parse(site_ip);
        if (site_port > 0) o.site_port = static_cast<std::uint16_t>(site_port);
        o.rate_hz = rate_hz;
        py::gil_scoped_release unlocked;  // reading large captures takes a while
        return netlab::to_json(netlab::analyze_files(paths, o));
      },
      py::arg("paths"), py::arg("site_ip") = "", py::arg("site_port") = 0, py::arg("rate_hz") = 0.0,
      "Analyses captures; returns the report as JSON text.");
}

}  // namespace failover_hil::pybind
