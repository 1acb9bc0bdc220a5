#include "session_load.hpp"

namespace failover_hil::hil {

TimelineEvent load_session(ApplianceDriver& d, const Release& from, int n) {
  const auto id = std::to_string(n);
  TimelineEvent e{
      0, EventType::ok, "load", d.name(), std::string(op::session_created), "client load", {}};
  try {
    ClientSpec console{"load-console-" + id, false,     false, from.software,
                       from.build,           "offline", ""};
    ClientSpec jump{"load-jump-" + id, true, false, from.software, from.build, "offline", ""};
    console = d.connect_client(console);
    jump = d.connect_client(jump);
    const auto lsid = d.start_session(console, jump);
    d.end_session(lsid);
    e.data = {{"lsid", lsid}};
  } catch (const std::exception& ex) {
    e.type = EventType::fail;
    e.detail = ex.what();
  }
  return e;
}

SessionLoad::SessionLoad(RunContext& ctx, const HttpDriver& a, const HttpDriver& b, int interval_ms)
    : ctx_(ctx), interval_(interval_ms) {
  if (interval_ms <= 0) return;
  for (const auto* d : {&a, &b}) drivers_[d->name()] = std::make_unique<HttpDriver>(d->config());
  thread_ = std::thread([this] { loop(); });
}

void SessionLoad::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void SessionLoad::loop() {
  int n = 0;
  while (!stop_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(interval_));
    const auto served = ctx_.engine->served_by();
    if (served.empty()) continue;
    const auto who = served.begin()->second.appliance;
    const auto it = drivers_.find(who);
    if (it == drivers_.end()) continue;
    auto e = load_session(*it->second, ctx_.scenario.from, ++n);
    e.t_ns = ctx_.engine->now_ns();
    ctx_.timeline->add(e);
  }
}

}  // namespace failover_hil::hil
