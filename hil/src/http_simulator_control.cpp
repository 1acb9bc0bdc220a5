#include "http_simulator_control.hpp"

#include <boost/json.hpp>

namespace json = boost::json;

namespace failover_hil::hil {

void HttpSimulatorControl::arm_install_fault(const InstallFault& f) {
  json::object body{{"hang", f.hang}};
  if (f.fail_at_progress) body["fail_at_progress"] = *f.fail_at_progress;
  if (f.disk_free_bytes) body["disk_free_bytes"] = *f.disk_free_bytes;
  d_.sim_post("faults/install", json::serialize(body));
}

void HttpSimulatorControl::arm_sync_fault(const SyncFault& f) {
  d_.sim_post("faults/sync", f.fail ? std::string(R"({"fail":true})")
                                    : json::serialize(json::object{{"slowdown", f.slowdown}}));
}

void HttpSimulatorControl::refuse_site(std::int64_t duration_ms) {
  d_.sim_post("faults/refuse-site", json::serialize(json::object{{"duration_ms", duration_ms}}));
}

void HttpSimulatorControl::silence_peer() {
  d_.sim_post("faults/peer-silence", R"({"enabled":true})");
}

void HttpSimulatorControl::crash() {
  try {
    d_.sim_post("faults/crash", "{}");
  } catch (const std::exception&) {
    // the connection dies with the process: that is the point
  }
}

void HttpSimulatorControl::power_on() {
  if (power_on_) power_on_();
}

void HttpSimulatorControl::force_shared_ip_on() {
  d_.sim_post("shared-ip", R"({"enabled":true,"skip_duplicate_check":true})");
}

void HttpSimulatorControl::restart() {
  d_.sim_post("restart", "{}");
}

void HttpSimulatorControl::seed(const SeedData& data) {
  json::array users, files;
  json::object settings;
  for (const auto& u : data.users)
    users.push_back({{"id", u.id}, {"display_name", u.display_name}});
  for (const auto& f : data.files)
    files.push_back({{"path", f.path}, {"size_bytes", f.size_bytes}});
  for (const auto& [k, v] : data.settings) settings[k] = v;
  d_.sim_post("seed", json::serialize(json::object{
                          {"users", users}, {"files", files}, {"settings", settings}}));
}

std::string HttpSimulatorControl::start_session(const ClientSpec& console,
                                                const ClientSpec& jump_client,
                                                std::uint64_t recording_bytes) {
  return d_.start_session(console, jump_client, recording_bytes);
}

}  // namespace failover_hil::hil
