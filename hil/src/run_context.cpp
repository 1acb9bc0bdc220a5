#include "run_context.hpp"

#include "failover_hil/hil/runner.hpp"
#include "fault_plan.hpp"

namespace failover_hil::hil {

std::int64_t RunContext::event(EventType type, std::string_view op, const std::string& detail,
                               std::map<std::string, std::string> data, std::string_view actor) {
  TimelineEvent e{now_ns(),        type,   step,           std::string(actor),
                  std::string(op), detail, std::move(data)};
  timeline->add(e);
  if (hooks->on_event) hooks->on_event(e);
  return e.t_ns;
}

ApplianceStatus RunContext::observe(ApplianceDriver& d) {
  const auto s = d.status();
  event(EventType::observe, op::status, std::string(to_string(s.state)),
        {{"role", std::string(to_string(s.role))},
         {"version", s.version},
         {"build", s.build},
         {"state", std::string(to_string(s.state))},
         {"shared_ip", s.shared_ip_enabled ? "true" : "false"},
         {"serves_site", s.serves_site ? "true" : "false"}},
        d.name());
  return s;
}

void RunContext::check_interrupted() {
  if (hooks->interrupted && hooks->interrupted())
    throw Interrupted("interrupted (SIGINT) during " + (step.empty() ? "setup" : step));
}

bool RunContext::wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit,
                          std::chrono::milliseconds every) {
  return engine->wait_for(done, limit, every, [this] {
    check_interrupted();
    if (faults) faults->tick();
  });
}

bool RunContext::happened(std::string_view op, EventType type) const {
  return timeline->count([&](const TimelineEvent& e) { return e.op == op && e.type == type; }) > 0;
}

}  // namespace failover_hil::hil
