#include <ctime>
#include <thread>

#include "engines.hpp"
#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"
#include "failover_hil/hil/site_watch.hpp"
#include "run_context.hpp"

namespace failover_hil::hil {

using namespace std::chrono_literals;

std::string utc_stamp() {
  const auto t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

RealTimeEngine::~RealTimeEngine() = default;

std::map<std::string, ServedBy> RealTimeEngine::served_by() {
  return watch_ ? watch_->served_by() : std::map<std::string, ServedBy>{};
}

void RealTimeEngine::start_watch(RunContext& ctx, std::vector<WatchedClient> clients,
                                 SiteWatchOptions options, const std::filesystem::path& dir,
                                 bool resumed, const std::string& serving) {
  const auto part = resumed ? "-" + utc_stamp() : std::string();
  options.captures_dir = dir / ("captures" + part);
  options.probes_dir = dir / ("probes" + part);
  const auto target = options.target;
  watch_ = std::make_unique<SiteWatch>(std::move(clients), std::move(options));
  watch_->start();
  if (!ctx.wait_for([&] { return all_served_by(serving, 0); }, 15s))
    throw HarnessError("the clients' HTTPS flows do not reach the site at " + target);
  ctx.event(EventType::ok, op::measuring, "captures and probes running on every client");
}

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

void RealTimeEngine::stop_watch(RunContext& ctx) {
  if (!watch_) return;
  for (const auto& [client, r] : watch_->stop()) {
    // The capture's digest: `report` tells a capture damaged or replaced
    // since the run from the one the run wrote (docs/reports.md, evidence).
    std::string sha;
    try {
      sha = to_hex(crypto::sha256_file(r.path));
    } catch (const std::exception&) {
      sha = "unreadable";
    }
    ctx.event(EventType::info, op::capture_stopped, r.path,
              {{"packets", std::to_string(r.packets)},
               {"sha256", sha},
               {"kernel_drops",
                r.kernel_drops ? std::to_string(*r.kernel_drops) : std::string("unknown")}},
              client);
  }
  watch_.reset();
}

}  // namespace failover_hil::hil
