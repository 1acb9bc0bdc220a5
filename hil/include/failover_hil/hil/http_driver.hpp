#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "failover_hil/core/https_client.hpp"
#include "failover_hil/hil/appliance_driver.hpp"
#include "failover_hil/hil/operator_prompt.hpp"

namespace failover_hil::hil {

/// An API account's credentials. Secrets come from files or the environment,
/// never from the command line, and are never logged.
struct ApiCredentials {
  std::string client_id;
  std::string client_secret;
  /// A YAML file with `client_id:` and `client_secret:`.
  static ApiCredentials from_file(const std::filesystem::path& file);
  /// `<PREFIX>_CLIENT_ID` and `<PREFIX>_CLIENT_SECRET`.
  static ApiCredentials from_env(const std::string& prefix);
};

struct HttpDriverConfig {
  std::string name;  ///< how reports and errors name the appliance
  std::string host;
  std::uint16_t port = 443;
  TlsTrust trust;  ///< CA file or pinned SHA-256 fingerprint
  ApiCredentials credentials;
  /// A bseries-sim: operations the product has no API for go to /sim/v1.
  /// Otherwise (a physical appliance) they become operator prompts.
  bool simulator = true;
  /// Reach the appliance from this network namespace (a lab's), if set.
  std::string netns;
};

/// ApplianceDriver over HTTPS: the product's public API (OAuth2, XML command
/// API, reporting, backup) for everything it offers; the simulator's API or
/// an operator prompt for the rest. Not thread-safe.
class HttpDriver final : public ApplianceDriver {
 public:
  /// `prompt` is needed for a physical appliance.
  HttpDriver(HttpDriverConfig config, std::shared_ptr<OperatorPrompt> prompt = nullptr);

  const std::string& name() const override { return config_.name; }
  const HttpDriverConfig& config() const { return config_; }
  ApplianceStatus status() override;
  DownloadedBackup download_backup(const std::string& password) override;
  void sync_now() override;
  void break_relationship() override;
  std::vector<AvailableUpdate> check_for_updates() override;
  void install_update(const std::string& id) override;
  std::string download_key() override;
  void install_file(const std::vector<std::uint8_t>& file) override;
  void set_shared_ip(bool enabled) override;
  std::vector<std::string> establish(const std::string& backup_host, std::uint16_t backup_port,
                                     const std::string& reverse_host,
                                     std::uint16_t reverse_port) override;
  std::string set_failover_role(const std::string& role, bool data_sync_first, bool force) override;
  std::set<std::string> session_lsids() override;
  ClientSpec connect_client(const ClientSpec& client) override;
  std::string start_session(const ClientSpec& console, const ClientSpec& jump_client) override;
  /// The same, leaving a recording of that size (simulator only; R05's data).
  std::string start_session(const ClientSpec& console, const ClientSpec& jump_client,
                            std::uint64_t recording_bytes);
  void end_session(const std::string& lsid) override;

  /// The simulator's own API (faults, seeding); throws for a physical appliance.
  std::string sim_post(const std::string& op, const std::string& json_body);

 private:
  HttpResponse call(const std::string& method, const std::string& target,
                    const std::string& body = {}, const std::string& content_type = {});
  std::string token();
  [[noreturn]] void fail(const std::string& op, const std::string& why,
                         const std::string& todo = {}) const;
  /// Simulator: POST /sim/v1/<op>. Physical: prompt with `instructions`.
  std::string sim_or_prompt(const std::string& op, const std::string& json_body,
                            const std::string& instructions);
  std::string command(const std::string& action, const std::string& query = {});

  HttpDriverConfig config_;
  std::shared_ptr<OperatorPrompt> prompt_;
  HttpsClient client_;
  std::string token_;
};

}  // namespace failover_hil::hil
