// The appliance drivers from Python: an Appliance for an inventory's
// appliance (physical, or a simulator started elsewhere) or for one of a
// SimulatedPair's simulators, with the product API's operations (status,
// backup, reporting, sync, roles). Every call releases the GIL.
#include <pybind11/stl.h>

#include <chrono>
#include <iostream>
#include <sstream>

#include "bindings.hpp"
#include "failover_hil/hil/http_driver.hpp"
#include "failover_hil/hil/inventory.hpp"
#include "failover_hil/hil/operator_prompt.hpp"
#include "failover_hil/hil/simulators.hpp"

namespace py = pybind11;

namespace failover_hil::pybind {

namespace {

using Driver = std::shared_ptr<hil::HttpDriver>;

/// A driver method called with the GIL released.
template <class R, class... Args>
auto unlocked(R (hil::HttpDriver::*f)(Args...)) {
  return [f](hil::HttpDriver& d, Args... args) {
    py::gil_scoped_release gil;
    return (d.*f)(std::forward<Args>(args)...);
  };
}

Driver from_inventory(const std::string& file, const std::string& appliance,
                      const std::string& operator_answers) {
  const auto inv = hil::load_inventory(file);
  const auto member = hil::parse_member(appliance);
  const auto& a = member == hil::Member::A ? inv.a : inv.b;
  std::shared_ptr<hil::OperatorPrompt> prompt;
  if (!operator_answers.empty())
    prompt = std::make_shared<hil::ScriptedOperator>(operator_answers, inv, std::cout);
  else if (!a.simulator)
    prompt = std::make_shared<hil::StreamPrompt>(std::cin, std::cout);
  hil::HttpDriverConfig c{a.name,
                          a.host,
                          a.port,
                          TlsTrust{a.ca_file.string(), a.fingerprint, false},
                          hil::ApiCredentials::from_file(a.credentials_file),
                          a.simulator,
                          {}};
  return std::make_shared<hil::HttpDriver>(c, prompt);
}

/// Two bseries-sim on loopback (127.0.0.11, .12; the shared IP 127.0.0.10),
/// stopped by stop() or leaving a `with` block.
class SimulatedPair {
 public:
  SimulatedPair(const std::string& dir, double time_scale, const std::string& b_software,
                bool identity_headers) {
    hil::SimulatorOptions o;
    o.dir = dir;
    o.time_scale = time_scale;
    o.b_software = b_software;
    o.identity_headers = identity_headers;
    py::gil_scoped_release gil;
    sims_ = std::make_shared<hil::SimulatorSet>(o);
  }
  Driver a() { return {sims(), &sims()->a()}; }
  Driver b() { return {sims(), &sims()->b()}; }
  std::uint16_t site_port() { return sims()->site_port(); }
  std::uint16_t port(const std::string& name) {
    if (name != "appA" && name != "appB")
      throw py::value_error("SimulatedPair.port: appA or appB, not '" + name + "'");
    return name == "appA" ? sims()->port_a() : sims()->port_b();
  }
  std::string dir() { return sims()->options().dir.string(); }
  std::string fingerprint(const std::string& name) { return sims()->fingerprint(name); }
  std::string log(const std::string& name) { return sims()->log(name); }
  void stop() {
    if (!sims_) return;
    py::gil_scoped_release gil;
    sims_->stop();
    sims_.reset();
  }

 private:
  std::shared_ptr<hil::SimulatorSet> sims() {
    if (!sims_) throw hil::HarnessError("this SimulatedPair is stopped");
    return sims_;
  }
  std::shared_ptr<hil::SimulatorSet> sims_;
};

std::string status_repr(const hil::ApplianceStatus& s) {
  std::ostringstream o;
  o << "ApplianceStatus(name='" << s.name << "', role='" << hil::to_string(s.role) << "', state='"
    << hil::to_string(s.state) << "', version='" << s.version << "', base='" << s.base
    << "', shared_ip_enabled=" << (s.shared_ip_enabled ? "True" : "False") << ")";
  return o.str();
}

}  // namespace

void bind_driver(py::module_& m) {
  using hil::ApplianceStatus;
  py::class_<ApplianceStatus>(m, "ApplianceStatus", "What an appliance reports (product API)")
      .def_readonly("name", &ApplianceStatus::name)
      .def_readonly("guid", &ApplianceStatus::guid)
      .def_property_readonly(
          "role", [](const ApplianceStatus& s) { return std::string(to_string(s.role)); })
      .def_property_readonly(
          "state", [](const ApplianceStatus& s) { return std::string(to_string(s.state)); },
          "running, installing, base_update_failed, unrecoverable or unhealthy")
      .def_readonly("healthy", &ApplianceStatus::healthy)
      .def_readonly("error", &ApplianceStatus::error)
      .def_readonly("serves_site", &ApplianceStatus::serves_site)
      .def_readonly("base", &ApplianceStatus::base)
      .def_readonly("version", &ApplianceStatus::version)
      .def_readonly("build", &ApplianceStatus::build)
      .def_readonly("shared_ip_enabled", &ApplianceStatus::shared_ip_enabled)
      .def_readonly("sync_in_progress", &ApplianceStatus::sync_in_progress)
      .def_property_readonly(
          "last_sync",
          [](const ApplianceStatus& s) -> std::optional<double> {
            if (!s.last_sync) return std::nullopt;
            return std::chrono::duration<double>(s.last_sync->time_since_epoch()).count();
          },
          "seconds since the epoch (None: never)")
      .def_readonly("last_sync_status", &ApplianceStatus::last_sync_status)
      .def_readonly("install_progress", &ApplianceStatus::install_progress)
      .def_readonly("pending_dependents", &ApplianceStatus::pending_dependents)
      .def_readonly("violations", &ApplianceStatus::violations)
      .def_readonly("last_peer_error", &ApplianceStatus::last_peer_error)
      .def("__repr__", &status_repr);
  py::class_<hil::DownloadedBackup>(m, "Backup", "A downloaded backup (R01)")
      .def_property_readonly("data",
                             [](const hil::DownloadedBackup& b) {
                               return py::bytes(reinterpret_cast<const char*>(b.bytes.data()),
                                                b.bytes.size());
                             })
      .def_readonly("sha256", &hil::DownloadedBackup::sha256_hex, "computed from the bytes")
      .def("__len__", [](const hil::DownloadedBackup& b) { return b.bytes.size(); })
      .def("__repr__", [](const hil::DownloadedBackup& b) {
        return "Backup(" + std::to_string(b.bytes.size()) +
               " bytes, sha256=" + b.sha256_hex.substr(0, 12) + "...)";
      });
  py::class_<hil::AvailableUpdate>(m, "AvailableUpdate", "An update Check for Updates offers")
      .def_readonly("id", &hil::AvailableUpdate::id)
      .def_readonly("target", &hil::AvailableUpdate::target)
      .def("__repr__", [](const hil::AvailableUpdate& u) {
        return "AvailableUpdate(id='" + u.id + "', target='" + u.target + "')";
      });

  py::class_<hil::HttpDriver, Driver>(
      m, "Appliance",
      "One appliance through its product API (HTTPS, OAuth2, XML command and reporting APIs); "
      "on a physical appliance, operations without an API are asked of the operator")
      .def_static("from_inventory", &from_inventory, py::arg("inventory"), py::arg("appliance"),
                  py::arg("operator") = "",
                  "The appliance `appliance` (A, B, appA or appB) of an inventory file "
                  "(docs/inventory.md); `operator`: an answers file for its prompts, else they "
                  "are asked on the terminal")
      .def_property_readonly("name", &hil::HttpDriver::name)
      .def("status", unlocked(&hil::HttpDriver::status), "check_health and get_api_info, read")
      .def("download_backup", unlocked(&hil::HttpDriver::download_backup), py::arg("password"),
           "Download Backup with a password (R01)")
      .def("session_lsids", unlocked(&hil::HttpDriver::session_lsids),
           "Every session record's lsid, from the reporting API (R15)")
      .def("sync_now", unlocked(&hil::HttpDriver::sync_now), "Sync Now (R02)")
      .def("break_relationship", unlocked(&hil::HttpDriver::break_relationship),
           "Break the failover relationship (R03)")
      .def("check_for_updates", unlocked(&hil::HttpDriver::check_for_updates),
           "Check for Updates (R08)")
      .def("install_update", unlocked(&hil::HttpDriver::install_update), py::arg("id"),
           "Install an update Check for Updates offered (R08)")
      .def("download_key", unlocked(&hil::HttpDriver::download_key),
           "The Appliance Download Key (R09)")
      .def("set_shared_ip", unlocked(&hil::HttpDriver::set_shared_ip), py::arg("enabled"),
           "Enable or disable the shared IP (R13, R23)")
      .def(
          "set_failover_role",
          [](hil::HttpDriver& d, const std::string& role, bool data_sync_first, bool force) {
            const auto r = hil::parse_role(role);
            py::gil_scoped_release gil;
            return d.set_failover_role(r, data_sync_first, force);
          },
          py::arg("role"), py::arg("data_sync_first") = true, py::arg("force") = false,
          "primary or backup; returns the appliance's message")
      .def("establish", unlocked(&hil::HttpDriver::establish), py::arg("backup_host"),
           py::arg("backup_port"), py::arg("reverse_host"), py::arg("reverse_port"),
           "Establish the relationship from the intended primary; returns R18 warnings")
      .def("__repr__", [](const hil::HttpDriver& d) {
        return "Appliance(name='" + d.name() + "', host='" + d.config().host + ":" +
               std::to_string(d.config().port) + "')";
      });

  py::class_<SimulatedPair>(m, "SimulatedPair",
                            "Two bseries-sim appliances and their update server on loopback, as "
                            "a context manager: `with SimulatedPair(dir) as pair: pair.a.status()`")
      .def(py::init<std::string, double, std::string, bool>(), py::arg("dir"),
           py::arg("time_scale") = 3000.0, py::arg("b_software") = "",
           py::arg("identity_headers") = true,
           "dir: their configs, keys, data and logs; time_scale: simulated durations run this "
           "much faster; b_software: B's software version when it should differ from A's (R17)")
      .def_property_readonly("a", &SimulatedPair::a)
      .def_property_readonly("b", &SimulatedPair::b)
      .def_property_readonly("site_port", &SimulatedPair::site_port)
      .def_property_readonly("dir", &SimulatedPair::dir,
                             "their files; harness.credentials is the API account's")
      .def("port", &SimulatedPair::port, py::arg("name"), "appA's or appB's API port")
      .def("fingerprint", &SimulatedPair::fingerprint, py::arg("name"),
           "SHA-256 of appA's or appB's certificate")
      .def("log", &SimulatedPair::log, py::arg("name"), "What appA, appB or updates logged")
      .def("stop", &SimulatedPair::stop, "Stops the three processes")
      .def("__enter__", [](SimulatedPair& p) -> SimulatedPair& { return p; })
      .def("__exit__", [](SimulatedPair& p, const py::args&) { p.stop(); });
}

}  // namespace failover_hil::pybind
