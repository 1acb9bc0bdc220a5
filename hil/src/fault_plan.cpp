#include "fault_plan.hpp"

#include <boost/json.hpp>

#include "failover_hil/hil/http_driver.hpp"
#include "failover_hil/hil/simulators.hpp"
#include "failover_hil/netlab/lab.hpp"

namespace json = boost::json;

namespace failover_hil::hil {

namespace {

bool is_operator_mistake(const std::string& name) {
  return name.rfind("operator_", 0) == 0;
}
bool is_install_fault(const std::string& name) {
  return name == "install_fails" || name == "install_hangs";
}

HttpDriver& sim_driver(RunContext& ctx, const std::string& letter) {
  if (!ctx.simulator)
    throw HarnessError("fault needs the simulator's API; appliances of an inventory have none");
  return dynamic_cast<HttpDriver&>(*ctx.target(letter).driver);
}

}  // namespace

FaultPlan::FaultPlan(RunContext& ctx) : ctx_(ctx) {}

void FaultPlan::run_started() {
  for (const auto& f : ctx_.scenario.faults)
    if (f.at.step.empty())
      due_ns_[&f] = realtime_ns() + static_cast<std::int64_t>(f.at.after_s * 1e9);
}

void FaultPlan::before_step(const std::string& step) {
  for (const auto& f : ctx_.scenario.faults) {
    if (f.at.step != step || f.at.after_step || is_install_fault(f.name) ||
        is_operator_mistake(f.name))
      continue;
    due_ns_[&f] = realtime_ns() + static_cast<std::int64_t>(f.at.after_s * 1e9);
  }
  tick();
}

void FaultPlan::after_step(const std::string& step) {
  for (const auto& name : armed_in_step_) {
    network_->disarm(name);
    ctx_.event("fault", name, "disarmed at the end of " + step);
  }
  armed_in_step_.clear();
  for (const auto& f : ctx_.scenario.faults)
    if (f.at.step == step && f.at.after_step && !is_operator_mistake(f.name) &&
        !fired_.contains(&f))
      fire(f);
}

void FaultPlan::tick() {
  const auto now = realtime_ns();
  for (const auto& [f, due] : due_ns_)
    if (!fired_.contains(f) && now >= due) fire(*f);
}

void FaultPlan::before_install(const std::string& letter, const std::string& kind) {
  for (const auto& f : ctx_.scenario.faults) {
    if (!is_install_fault(f.name) || fired_.contains(&f) || f.appliance != letter) continue;
    if (f.param("update", "base") != kind) continue;
    if (!f.at.step.empty() && f.at.step != ctx_.step) continue;
    fire(f);
  }
}

const FaultSpec* FaultPlan::mistake(const std::string& name) {
  for (const auto& f : ctx_.scenario.faults) {
    if (f.name != name || fired_.contains(&f)) continue;
    if (!f.at.step.empty() && f.at.step != ctx_.step) continue;
    fired_.insert(&f);
    ctx_.event("fault", f.name, "operator mistake armed at " + ctx_.step, {}, "operator");
    return &f;
  }
  return nullptr;
}

void FaultPlan::fire(const FaultSpec& f) {
  fired_.insert(&f);
  std::map<std::string, std::string> data{{"appliance", f.appliance}};
  for (const auto& [k, v] : f.params) data[k] = v;
  ctx_.event("fault", f.name, "armed", data);
  if (f.name == "install_fails") {
    sim_driver(ctx_, f.appliance)
        .sim_post("faults/install",
                  json::serialize(json::object{{"fail_at_progress", f.at.progress.value_or(0.5)}}));
  } else if (f.name == "install_hangs") {
    sim_driver(ctx_, f.appliance).sim_post("faults/install", R"({"hang":true})");
  } else if (f.name == "sync_slow" || f.name == "sync_fails") {
    const json::object body = f.name == "sync_slow"
                                  ? json::object{{"slowdown", std::stod(f.param("factor", "10"))}}
                                  : json::object{{"fail", true}};
    for (const auto* l : {"A", "B"})
      sim_driver(ctx_, l).sim_post("faults/sync", json::serialize(body));
  } else if (f.name == "site_refuses") {
    sim_driver(ctx_, f.appliance)
        .sim_post(
            "faults/refuse-site",
            json::serialize(json::object{{"duration_ms", std::stoll(f.param("duration_ms"))}}));
  } else if (f.name == "peer_silence") {
    for (const auto* l : {"A", "B"})
      sim_driver(ctx_, l).sim_post("faults/peer-silence", R"({"enabled":true})");
  } else if (f.name == "appliance_crash") {
    auto& d = sim_driver(ctx_, f.appliance);
    try {
      d.sim_post("faults/crash", "{}");
    } catch (const std::exception&) {
      // the connection dies with the process: that is the point
    }
    // Powered on again, as an operator would: it resumes from its stored state.
    if (ctx_.sims) {
      auto& proc = f.appliance == "A" ? ctx_.sims->process_a() : ctx_.sims->process_b();
      wait_until([&] { return !proc.running(); }, std::chrono::seconds(5));
      f.appliance == "A" ? ctx_.sims->start_a() : ctx_.sims->start_b();
      ctx_.event("info", "appliance_restarted", "after the crash, from its stored state");
    }
  } else if (f.name == "partition" || f.name == "loss") {
    arm_network(f);
  } else if (f.name == "harness_stops") {
    throw Interrupted("the harness was stopped by the scenario (fault harness_stops at " +
                      (f.at.step.empty() ? std::string("the run") : f.at.step) + ")");
  } else {
    throw HarnessError("fault '" + f.name + "' is not supported by this runner yet");
  }
}

void FaultPlan::arm_network(const FaultSpec& f) {
  if (!ctx_.lab)
    throw HarnessError("fault '" + f.name + "' needs a lab (its switch); an inventory has none");
  auto ip = [&](const std::string& host) {
    try {
      return ctx_.lab->host(host).spec.ip;
    } catch (const std::exception&) {
      throw HarnessError("fault '" + f.name + "': '" + host + "' is not a host of lab " +
                         ctx_.lab->spec().name);
    }
  };
  if (!network_) network_ = netlab::Faults::create(ctx_.lab->sw(), ctx_.lab->prefix());
  const auto name = f.name + "-" + std::to_string(armed_in_step_.size());
  const auto& spec = ctx_.lab->spec();
  if (f.name == "partition") {
    const auto between = f.param("between");
    const auto comma = between.find(',');
    const auto first = between.substr(0, comma), second = between.substr(comma + 1);
    std::vector<std::pair<netlab::Ipv4Address, netlab::Ipv4Address>> pairs{{ip(first), ip(second)}};
    // An appliance is also reached at the site addresses it may hold.
    for (const auto& [app, other] : {std::pair{first, second}, std::pair{second, first}})
      if (spec.host(app).role == netlab::HostRole::appliance)
        for (const auto site : {spec.shared_ip, spec.vip}) pairs.emplace_back(ip(other), site);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      const auto n = name + "-" + std::to_string(i);
      network_->arm(n, netlab::Partition{pairs[i].first, pairs[i].second});
      armed_in_step_.push_back(n);
    }
    return;
  }
  // Loss between the host and every address the site has in the lab.
  const auto host = ip(f.param("host"));
  const int percent = static_cast<int>(std::stod(f.param("percent")));
  std::vector<netlab::Ipv4Address> site{spec.shared_ip, spec.vip};
  for (const auto* a : spec.with_role(netlab::HostRole::appliance)) site.push_back(a->ip);
  for (std::size_t i = 0; i < site.size(); ++i) {
    const auto n = name + "-" + std::to_string(i);
    network_->arm(n, netlab::Loss{host, site[i], percent});
    armed_in_step_.push_back(n);
  }
}

}  // namespace failover_hil::hil
