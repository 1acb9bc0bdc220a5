#include <thread>

#include "engines.hpp"
#include "failover_hil/hil/site_watch.hpp"
#include "run_context.hpp"

namespace failover_hil::hil {

std::int64_t RealTimeEngine::now_ns() {
  return realtime_ns();
}

bool RealTimeEngine::wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit,
                              std::chrono::milliseconds every,
                              const std::function<void()>& between) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (done()) return true;
    between();
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(every);
  }
}

void RealTimeEngine::pause(std::chrono::milliseconds d) {
  std::this_thread::sleep_for(d);
}

void RealTimeEngine::stop_watch(RunContext& ctx, std::unique_ptr<SiteWatch>& watch) {
  if (!watch) return;
  for (const auto& [client, r] : watch->stop())
    ctx.event(EventType::info, op::capture_stopped, r.path,
              {{"packets", std::to_string(r.packets)},
               {"kernel_drops",
                r.kernel_drops ? std::to_string(*r.kernel_drops) : std::string("unknown")}},
              client);
  watch.reset();
}

}  // namespace failover_hil::hil
