#include "failover_hil/hil/engine.hpp"

#include <array>
#include <stdexcept>

#include "engines.hpp"
#include "run_context.hpp"

namespace failover_hil::hil {

using namespace std::chrono_literals;

namespace {
constexpr std::array<std::string_view, 3> kEngines{"inprocess", "lab", "inventory"};
}  // namespace

std::string_view to_string(EngineKind k) {
  return kEngines.at(static_cast<std::size_t>(k));
}

EngineKind parse_engine_kind(std::string_view text) {
  for (std::size_t i = 0; i < kEngines.size(); ++i)
    if (kEngines[i] == text) return static_cast<EngineKind>(i);
  throw std::invalid_argument("unknown engine '" + std::string(text) +
                              "'; expected inprocess, lab or inventory");
}

bool Engine::all_served_by(const std::string& appliance, std::int64_t since_ns) {
  // Every client: one that has not been answered at all is not served (the
  // in-process engine's map holds only clients answered so far).
  const auto served = served_by();
  const auto names = clients();
  if (names.empty()) return false;
  for (const auto& client : names) {
    const auto it = served.find(client);
    if (it == served.end() || it->second.appliance != appliance || it->second.at_ns <= since_ns)
      return false;
  }
  return true;
}

void Engine::flap_link(const std::string& host, std::chrono::milliseconds) {
  throw HarnessError("link_flap of " + host + ": the " + std::string(to_string(kind())) +
                     " engine has no lab link to take down; run it on the lab engine");
}

void Engine::set_site_ttl(int) {
  throw HarnessError("long_ttl: the " + std::string(to_string(kind())) +
                     " engine has no site record of its own to change; run it on the lab engine");
}

void seed_pair(RunContext& ctx) {
  auto& a = ctx.A();
  auto* sim = ctx.target(Member::A).sim;
  const auto& seed = ctx.scenario.seed;
  SeedData data;
  for (int i = 1; i <= seed.users; ++i)
    data.users.push_back({"rep" + std::to_string(i), "Rep " + std::to_string(i)});
  for (int i = 1; i <= seed.files; ++i)
    data.files.push_back(
        {"/files/doc" + std::to_string(i) + ".pdf", static_cast<std::uint64_t>(65536 * i)});
  data.settings.emplace_back("login.banner", "lab");
  sim->seed(data);
  const auto& from = ctx.scenario.from;
  auto connect = [&](const std::string& id, bool jump, bool msi) {
    ClientSpec c{id, jump, msi, from.software, from.build, "offline", ""};
    c = a.connect_client(c);
    ctx.event(EventType::ok, op::client_deployed,
              std::string(msi ? "msi " : "") + (jump ? "jump" : "console"),
              {{"id", id}, {"state", c.state}}, "appA");
    return c;
  };
  std::vector<ClientSpec> consoles, jumps;
  for (int i = 1; i <= std::max(1, seed.consoles); ++i)
    consoles.push_back(connect("console-" + std::to_string(i), false, false));
  for (int i = 1; i <= std::max(1, seed.jump_clients); ++i)
    jumps.push_back(connect("jump-" + std::to_string(i), true, false));
  for (int i = 1; i <= seed.msi_clients; ++i) connect("msi-jump-" + std::to_string(i), true, true);
  for (int i = 0; i < seed.session_records; ++i) {
    const auto lsid = sim->start_session(consoles.front(), jumps.front(), 4 << 20);
    a.end_session(lsid);
    ctx.event(EventType::ok, op::session_created, "seeded with a recording", {{"lsid", lsid}},
              "appA");
  }
  a.set_shared_ip(true);
  const auto& ta = ctx.target(Member::A);
  const auto& tb = ctx.target(Member::B);
  ctx.event(EventType::invoke, op::establish, "on appA with appB as backup", {}, "appA");
  a.establish(tb.ip, tb.port, ta.ip, ta.port);
  if (!ctx.wait_for(
          [&] { return a.status().role == Role::primary && ctx.B().status().role == Role::backup; },
          60s))
    throw HarnessError("the starting relationship did not form: " + a.status().last_peer_error);
  ctx.step = "setup";
  const auto before = a.status().last_sync;
  a.sync_now();
  if (!ctx.wait_for(
          [&] {
            const auto s = a.status();
            return !s.sync_in_progress && s.last_sync && s.last_sync != before;
          },
          5min))
    throw HarnessError("the starting sync did not finish");
  ctx.observe(a);
  ctx.observe(ctx.B());
  ctx.event(EventType::ok, op::seeded, "appA primary with the shared IP, appB backup, synced");
}

std::unique_ptr<Engine> make_engine(EngineKind kind, const Scenario& scenario,
                                    const std::filesystem::path& inventory,
                                    const std::filesystem::path& lab_state_dir,
                                    const RunHooks& hooks) {
  switch (kind) {
    case EngineKind::inprocess:
      return make_inprocess_engine(scenario);
    case EngineKind::lab:
      return make_lab_engine(scenario, lab_state_dir, hooks);
    case EngineKind::inventory:
      return make_inventory_engine(scenario, inventory, hooks);
  }
  throw std::invalid_argument("unknown engine");
}

}  // namespace failover_hil::hil
