// Scenarios and runs from Python: a Run with hooks that call back into
// Python, and faults injected at any moment (docs/python.md). Every run
// releases the GIL; hooks take it back while they run.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <atomic>
#include <iostream>
#include <optional>
#include <sstream>

#include "bindings.hpp"
#include "failover_hil/hil/catalogue.hpp"
#include "failover_hil/hil/inventory.hpp"
#include "failover_hil/hil/operator_prompt.hpp"
#include "failover_hil/hil/report.hpp"
#include "failover_hil/hil/runner.hpp"

namespace py = pybind11;

namespace failover_hil::pybind {

namespace {

// A YAML scalar for a Python value: the scenario parser then checks it as it
// checks a file's, with the same messages.
std::string yaml_value(const py::handle& v) {
  if (py::isinstance<py::bool_>(v)) return v.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::int_>(v) || py::isinstance<py::float_>(v))
    return py::str(v).cast<std::string>();
  if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
    std::string out = "[";
    for (const auto& x : v) out += (out.size() > 1 ? ", " : "") + yaml_value(x);
    return out + "]";
  }
  std::string s = py::str(v).cast<std::string>(), q = "\"";
  for (const char c : s) q += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
  return q + "\"";
}

hil::FaultSpec fault_from(const std::string& name, const py::kwargs& params) {
  std::string text = "{fault: " + yaml_value(py::str(name));
  for (const auto& [k, v] : params) text += ", " + k.cast<std::string>() + ": " + yaml_value(v);
  return hil::parse_fault(text + "}", "inject(" + name + ")");
}

/// A scenario as Run takes it: a Scenario, a path, or a shipped scenario's name.
std::filesystem::path scenario_path(const py::object& scenario) {
  if (py::isinstance<hil::Scenario>(scenario)) return scenario.cast<const hil::Scenario&>().file;
  const auto find = py::module_::import("failover_hil.scenarios").attr("find_scenario");
  return find(scenario).cast<std::string>();
}

/// Where a run is, for on_progress: its step, and the activity in it with
/// its percentage (an install's progress, a step started or ended).
struct Progress {
  std::string step;
  int step_index = 0;  ///< 1-based; 0 before the first step
  int steps = 0;
  std::string actor = "harness";
  std::string activity;  ///< step, install or sync
  std::string detail;    ///< "Base 3.4.0", the step's status
  std::optional<double> percent;

  /// Takes an event in; true when it moved the progress.
  bool update(const hil::TimelineEvent& e) {
    using hil::EventType;
    if (e.type == EventType::step_start) {
      step = e.step;
      ++step_index;
      set("harness", "step", "started", 0.0);
      return true;
    }
    if (e.type == EventType::step_ok || e.type == EventType::step_end) {
      const auto status = e.data.find("status");
      set("harness", "step", status == e.data.end() ? "ok" : status->second, 100.0);
      return true;
    }
    const bool install = e.op == hil::op::install_progress, sync = e.op == hil::op::sync_progress;
    if (!install && !sync) return false;
    const auto it = e.data.find("progress");
    std::optional<double> pct;
    if (it != e.data.end()) pct = std::strtod(it->second.c_str(), nullptr);
    set(e.actor, install ? "install" : "sync", e.detail, pct);
    return true;
  }

 private:
  void set(std::string who, std::string what, std::string text, std::optional<double> pct) {
    actor = std::move(who);
    activity = std::move(what);
    detail = std::move(text);
    percent = pct;
  }
};

/// One run: hooks into Python, an inbox of injected faults, the verdict.
class Run {
 public:
  Run(const py::object& scenario, std::string out, std::string engine, std::uint64_t seed,
      std::string inventory, std::string operator_answers, std::string lab_state_dir,
      bool resume = false)
      : inbox_(std::make_shared<hil::FaultInbox>()) {
    options_.resume = resume;
    if (!resume) options_.scenario = scenario_path(scenario);
    options_.out = std::move(out);
    options_.engine = hil::parse_engine_kind(engine);
    options_.seed = seed;
    options_.inventory = std::move(inventory);
    options_.lab_state_dir = std::move(lab_state_dir);
    options_.hooks.inbox = inbox_;
    // Physical appliances: a rehearsal's scripted operator, or the terminal.
    const auto inventory_file =
        resume ? options_.out / "inventory.yaml" : std::filesystem::path(options_.inventory);
    if (!operator_answers.empty()) {
      if (inventory_file.empty() || !std::filesystem::exists(inventory_file))
        throw hil::HarnessError("operator answers are for an inventory run: give inventory too");
      options_.hooks.prompt = std::make_shared<hil::ScriptedOperator>(
          operator_answers, hil::load_inventory(inventory_file), std::cout);
    } else {
      options_.hooks.prompt = std::make_shared<hil::StreamPrompt>(std::cin, std::cout);
    }
  }

  void on_step(py::function f) { on_step_ = std::move(f); }
  void on_event(py::function f) { on_event_ = std::move(f); }
  void on_progress(py::function f) { on_progress_ = std::move(f); }

  void inject(const std::string& name, const py::kwargs& params) {
    inbox_->push(fault_from(name, params));
  }

  hil::RunRecord run() {
    if (ran_) throw hil::HarnessError("this Run has run; make a new Run to run again");
    ran_ = true;
    auto o = options_;
    o.hooks.on_step = [this](const std::string& step, const std::string& phase) {
      if (!on_step_) return;
      py::gil_scoped_acquire gil;
      call([&] { on_step_(step, phase); });
    };
    progress_.steps = step_count();
    o.hooks.on_event = [this](const hil::TimelineEvent& e) {
      const bool progressed = on_progress_ && progress_.update(e);
      if (!on_event_ && !progressed) return;
      py::gil_scoped_acquire gil;
      if (on_event_) call([&] { on_event_(e); });
      if (progressed) call([&] { on_progress_(progress_); });
    };
    // Ctrl-C: Python's handler runs here (it raises KeyboardInterrupt), and
    // the run stops as interrupted, tearing down what it built.
    o.hooks.interrupted = [this] {
      if (stop_) return true;
      py::gil_scoped_acquire gil;
      if (PyErr_CheckSignals() != 0) {
        PyErr_Clear();
        keyboard_ = true;
        stop_ = true;
      }
      return stop_.load();
    };
    hil::RunRecord r;
    {
      py::gil_scoped_release unlocked;
      r = hil::run_scenario(o);
    }
    if (error_) {
      error_->restore();
      throw py::error_already_set();
    }
    if (keyboard_) {
      PyErr_SetNone(PyExc_KeyboardInterrupt);
      throw py::error_already_set();
    }
    return r;
  }

 private:
  // A hook that raises stops the run; its exception reaches run()'s caller.
  template <class F>
  void call(F&& f) {
    try {
      f();
    } catch (py::error_already_set& e) {
      if (!error_) error_.emplace(std::move(e));
      stop_ = true;
    }
  }

  int step_count() const {
    const auto file = options_.resume ? options_.out / "scenario.yaml" : options_.scenario;
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return 0;  // run() names the missing file
    return static_cast<int>(hil::load_scenario(file).steps.size());
  }

  hil::RunOptions options_;
  std::shared_ptr<hil::FaultInbox> inbox_;
  Progress progress_;
  py::function on_step_, on_event_, on_progress_;
  std::optional<py::error_already_set> error_;
  std::atomic<bool> stop_{false}, keyboard_{false};
  bool ran_ = false;
};

}  // namespace

void bind_run(py::module_& m) {
  py::class_<hil::Scenario>(m, "Scenario", "A scenario file, checked (docs/scenarios.md)")
      .def_property_readonly("name", [](const hil::Scenario& s) { return s.name; })
      .def_property_readonly("description", [](const hil::Scenario& s) { return s.description; })
      .def_property_readonly("file", [](const hil::Scenario& s) { return s.file.string(); })
      .def_property_readonly("switch_method",
                             [](const hil::Scenario& s) { return hil::to_string(s.switch_method); })
      .def_property_readonly("steps",
                             [](const hil::Scenario& s) {
                               std::vector<std::string> out;
                               for (const auto& x : s.steps) out.emplace_back(x.name());
                               return out;
                             })
      .def_property_readonly("faults",
                             [](const hil::Scenario& s) {
                               std::vector<std::string> out;
                               for (const auto& x : s.faults) out.emplace_back(x.name());
                               return out;
                             })
      .def("__repr__", [](const hil::Scenario& s) {
        return "Scenario(name='" + s.name + "', switch_method='" +
               std::string(hil::to_string(s.switch_method)) +
               "', steps=" + std::to_string(s.steps.size()) +
               ", faults=" + std::to_string(s.faults.size()) + ")";
      });
  m.def(
      "load_scenario", [](const std::string& file) { return hil::load_scenario(file); },
      py::arg("file"),
      "Reads and checks a scenario file; a mistake raises ScenarioError with file:line, as "
      "`failover-hil validate` prints it.");

  py::class_<Progress>(m, "Progress", "Where a run is: its step and the activity in it")
      .def_readonly("step", &Progress::step)
      .def_readonly("step_index", &Progress::step_index, "1-based")
      .def_readonly("steps", &Progress::steps, "the scenario's number of steps")
      .def_readonly("actor", &Progress::actor, "harness, appA or appB")
      .def_readonly("activity", &Progress::activity, "step, install or sync")
      .def_readonly("detail", &Progress::detail,
                    "started, ok, failed, ... for a step; what installs for an install")
      .def_readonly("percent", &Progress::percent, "the activity's progress (None: unknown)")
      .def("__repr__", [](const Progress& p) {
        std::ostringstream o;
        o << "Progress(step='" << p.step << "' " << p.step_index << "/" << p.steps << ", "
          << p.actor << " " << p.activity << " '" << p.detail << "'";
        if (p.percent) o << " " << *p.percent << "%";
        return o.str() + ")";
      });

  py::class_<Run>(m, "Run",
                  "One run of a scenario: hooks called from the run (the GIL is taken back for "
                  "them), faults injected at any moment, run() blocking with the GIL released. "
                  "Ctrl-C stops it cleanly and raises KeyboardInterrupt.")
      .def(py::init<const py::object&, std::string, std::string, std::uint64_t, std::string,
                    std::string, std::string>(),
           py::arg("scenario"), py::arg("out"), py::arg("engine") = "inprocess",
           py::arg("seed") = 1, py::arg("inventory") = "", py::arg("operator") = "",
           py::arg("lab_state_dir") = "",
           "scenario: a Scenario, a file or a shipped scenario's name; engine: inprocess (the "
           "model in virtual time) or lab (root); inventory: a file of physical appliances (then "
           "engine is ignored); operator: an answers file for their prompts (docs/rehearsal.md), "
           "else they are asked on the terminal; lab_state_dir: where lab journals live "
           "(default /run/failover-hil)")
      .def_static(
          "resume",
          [](const std::string& run_dir, const std::string& operator_answers,
             const std::string& lab_state_dir) {
            return std::make_unique<Run>(py::none(), run_dir, "lab", 1, "", operator_answers,
                                         lab_state_dir, true);
          },
          py::arg("run_dir"), py::arg("operator") = "", py::arg("lab_state_dir") = "",
          "A Run that continues an interrupted lab or inventory run in run_dir from the pair's "
          "actual state, as `failover-hil run --resume` does")
      .def("on_step", &Run::on_step, py::arg("callback"),
           "callback(step, phase) before ('before') and after ('after') every step")
      .def("on_event", &Run::on_event, py::arg("callback"),
           "callback(Event) for every timeline event as it is added")
      .def("on_progress", &Run::on_progress, py::arg("callback"),
           "callback(Progress) when a step starts or ends and as an install or sync progresses")
      .def("inject", &Run::inject, py::arg("fault"),
           "inject('partition', between=['appB', 'appA']): a catalogue fault "
           "(`failover-hil catalogue`) with its parameters, fired at the run's next poll; "
           "checked as a scenario's faults are (ScenarioError)")
      .def("run", &Run::run,
           "Runs to the end and returns the RunResult; re-raises an exception a hook raised");

  m.def(
      "report",
      [](const std::string& run_dir) {
        py::gil_scoped_release unlocked;  // re-reads the captures
        auto r = hil::evaluate_run(run_dir);
        hil::write_reports(r, run_dir);
        return r;
      },
      py::arg("run_dir"),
      "Re-analyses a run directory from its stored history and rewrites its reports, as "
      "`failover-hil report` does; returns the RunResult");
  m.def(
      "catalogue", [] { return hil::catalogue_markdown(); },
      "Every step and fault a scenario may name, as the Markdown tables of docs/scenarios.md");
  m.def(
      "run_scenario",
      [](const std::string& scenario, const std::string& out, const std::string& engine,
         std::uint64_t seed) {
        Run run(py::str(scenario), out, engine, seed, "", "", "");
        const auto r = run.run();
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
      "passed and run_dir. Run gives hooks, injection and the typed RunResult.");
}

}  // namespace failover_hil::pybind
