// A run's verdict as typed, read-only Python objects (hil/run_record.hpp).
#include <pybind11/stl.h>

#include <sstream>

#include "bindings.hpp"
#include "failover_hil/hil/run_record.hpp"

namespace py = pybind11;

namespace failover_hil::pybind {

namespace {

template <class T>
std::string repr(const char* type, const T& fields) {
  std::ostringstream out;
  out << type << "(";
  bool first = true;
  for (const auto& [k, v] : fields) {
    out << (first ? "" : ", ") << k << "=" << v;
    first = false;
  }
  out << ")";
  return out.str();
}

std::string quoted(const std::string& s) {
  return "'" + s + "'";
}

}  // namespace

void bind_results(py::module_& m) {
  using namespace hil;
  py::class_<StepRecord>(m, "Step", "One step as it ran")
      .def_readonly("name", &StepRecord::name)
      .def_readonly("status", &StepRecord::status, "ok, failed, refused, skipped or not_run")
      .def_readonly("start_ns", &StepRecord::start_ns)
      .def_readonly("end_ns", &StepRecord::end_ns)
      .def_readonly("message", &StepRecord::message)
      .def_readonly("rules", &StepRecord::rules)
      .def("__repr__", [](const StepRecord& s) {
        return repr("Step", std::vector<std::pair<std::string, std::string>>{
                                {"name", quoted(s.name)}, {"status", quoted(s.status)}});
      });
  py::class_<Measurement>(m, "Measurement", "A figure with its unit and, where it has one, a limit")
      .def_readonly("name", &Measurement::name)
      .def_readonly("value", &Measurement::value)
      .def_readonly("unit", &Measurement::unit)
      .def_readonly("limit", &Measurement::limit)
      .def_readonly("op", &Measurement::op)
      .def_readonly("passed", &Measurement::pass)
      .def_readonly("waived", &Measurement::waived)
      .def_readonly("detail", &Measurement::detail)
      .def("__repr__", [](const Measurement& x) {
        std::ostringstream v;
        v << x.value;
        return repr("Measurement", std::vector<std::pair<std::string, std::string>>{
                                       {"name", quoted(x.name)},
                                       {"value", v.str()},
                                       {"unit", quoted(x.unit)},
                                       {"passed", x.pass ? "True" : "False"}});
      });
  py::class_<CheckRecord>(m, "Check", "An invariant over the whole run, with the rules it proves")
      .def_readonly("name", &CheckRecord::name)
      .def_readonly("rules", &CheckRecord::rules)
      .def_readonly("passed", &CheckRecord::pass)
      .def_readonly("waived", &CheckRecord::waived)
      .def_readonly("detail", &CheckRecord::detail)
      .def("__repr__", [](const CheckRecord& c) {
        return repr("Check", std::vector<std::pair<std::string, std::string>>{
                                 {"name", quoted(c.name)}, {"passed", c.pass ? "True" : "False"}});
      });
  py::class_<OutageMark>(m, "Outage", "An outage one client saw, from its capture")
      .def_readonly("start_ns", &OutageMark::start_ns)
      .def_readonly("end_ns", &OutageMark::end_ns)
      .def_readonly("length_ns", &OutageMark::length_ns)
      .def_readonly("step", &OutageMark::step)
      .def_readonly("before", &OutageMark::before)
      .def_readonly("after", &OutageMark::after)
      .def_readonly("expected", &OutageMark::expected)
      .def_readonly("open_end", &OutageMark::open_end)
      .def("__repr__", [](const OutageMark& o) {
        return repr("Outage", std::vector<std::pair<std::string, std::string>>{
                                  {"length_ms", std::to_string(o.length_ns / 1'000'000)},
                                  {"step", quoted(o.step)}});
      });
  py::class_<ClientLane>(m, "ClientLane", "What one client saw")
      .def_readonly("client", &ClientLane::client)
      .def_readonly("outages", &ClientLane::outages)
      .def_readonly("probes", &ClientLane::probes)
      .def_readonly("availability", &ClientLane::availability)
      .def("__repr__", [](const ClientLane& c) {
        std::ostringstream a;
        a << c.availability;
        return repr("ClientLane", std::vector<std::pair<std::string, std::string>>{
                                      {"client", quoted(c.client)},
                                      {"probes", std::to_string(c.probes)},
                                      {"outages", std::to_string(c.outages.size())},
                                      {"availability", a.str()}});
      });
  py::class_<TimelineEvent>(m, "Event", "One line of the run's timeline")
      .def_readonly("t_ns", &TimelineEvent::t_ns)
      .def_property_readonly("type",
                             [](const TimelineEvent& e) { return std::string(to_string(e.type)); })
      .def_readonly("step", &TimelineEvent::step)
      .def_readonly("actor", &TimelineEvent::actor)
      .def_readonly("op", &TimelineEvent::op)
      .def_readonly("detail", &TimelineEvent::detail)
      .def_readonly("data", &TimelineEvent::data)
      .def("__repr__", [](const TimelineEvent& e) {
        return repr("Event", std::vector<std::pair<std::string, std::string>>{
                                 {"type", quoted(std::string(to_string(e.type)))},
                                 {"actor", quoted(e.actor)},
                                 {"op", quoted(e.op)},
                                 {"detail", quoted(e.detail)}});
      });
  py::class_<RunRecord>(m, "RunResult", "What a run proved (report.json as objects)")
      .def_readonly("scenario", &RunRecord::scenario)
      .def_readonly("switch_method", &RunRecord::switch_method)
      .def_readonly("run_dir", &RunRecord::run_dir)
      .def_readonly("target", &RunRecord::target)
      .def_readonly("outcome", &RunRecord::outcome)
      .def_readonly("reason", &RunRecord::reason)
      .def_readonly("as_expected", &RunRecord::as_expected)
      .def_property_readonly("passed", &RunRecord::passed,
                             "as expected, every check and limit passed or waived")
      .def_readonly("steps", &RunRecord::steps)
      .def_readonly("measurements", &RunRecord::measurements)
      .def_readonly("checks", &RunRecord::checks)
      .def_readonly("clients", &RunRecord::clients)
      .def_readonly("events", &RunRecord::events)
      .def(
          "measurement",
          [](const RunRecord& r, const std::string& name) -> py::object {
            for (const auto& x : r.measurements)
              if (x.name == name) return py::cast(x);
            return py::none();
          },
          py::arg("name"), "The measurement of that name, or None")
      .def(
          "check",
          [](const RunRecord& r, const std::string& name) -> py::object {
            for (const auto& x : r.checks)
              if (x.name == name) return py::cast(x);
            return py::none();
          },
          py::arg("name"), "The check of that name, or None")
      .def("__repr__", [](const RunRecord& r) {
        return repr("RunResult", std::vector<std::pair<std::string, std::string>>{
                                     {"scenario", quoted(r.scenario)},
                                     {"outcome", quoted(r.outcome)},
                                     {"passed", r.passed() ? "True" : "False"},
                                     {"run_dir", quoted(r.run_dir)}});
      });
}

}  // namespace failover_hil::pybind
