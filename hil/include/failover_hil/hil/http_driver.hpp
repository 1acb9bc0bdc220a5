#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "failover_hil/core/https_client.hpp"
#include "failover_hil/hil/appliance_driver.hpp"
#include "failover_hil/hil/operator_prompt.hpp"

namespace pugi {
class xml_document;  // pugixml is hil's private dependency
}

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
  /// The deadline of each call to the appliance as a whole (connect, TLS
  /// handshake, request, answer): an appliance that accepts and never
  /// answers fails the operation after this long, naming it.
  std::chrono::milliseconds call_timeout = std::chrono::seconds(10);
  /// The deadline of Download Backup (R01), which carries the whole
  /// configuration and recordings: up to the client's 256 MiB answer limit,
  /// about 4 minutes at 10 Mbit/s, so 10 minutes leaves room for a slow
  /// lab link and the appliance's time to build the file.
  std::chrono::milliseconds backup_timeout = std::chrono::minutes(10);
};

/// ApplianceDriver over HTTPS: the product's public API (OAuth2, XML command
/// API, reporting, backup) for everything it offers; the simulator's API or
/// an operator prompt for the rest. Every call has a deadline
/// (HttpDriverConfig::call_timeout, backup_timeout) and every answer is read
/// through checks: errors are HarnessErrors naming the appliance, the
/// operation and what came instead of the expected answer. Not thread-safe.
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
  std::string set_failover_role(Role role, bool data_sync_first, bool force) override;
  std::set<std::string> session_lsids() override;
  ClientSpec connect_client(const ClientSpec& client) override;
  std::string start_session(const ClientSpec& console, const ClientSpec& jump_client) override;
  /// The same, leaving a recording of that size (simulator only; R05's data).
  std::string start_session(const ClientSpec& console, const ClientSpec& jump_client,
                            std::uint64_t recording_bytes);
  void end_session(const std::string& lsid) override;

  /// The simulator's own API (faults, seeding): POST /sim/v1/<op>, returns
  /// the answer's body; throws for a physical appliance or an error answer.
  std::string sim_post(const std::string& op, const std::string& json_body);

 private:
  /// One authenticated call; `operation` names it in errors. A transport
  /// failure or timeout throws HarnessError; HTTP statuses are returned.
  HttpResponse call(const std::string& operation, const std::string& method,
                    const std::string& target, const std::string& body = {},
                    const std::string& content_type = {});
  HttpResponse call_with(const HttpsClient& client, const std::string& operation,
                         const std::string& method, const std::string& target,
                         const std::string& body, const std::string& content_type);
  std::string token(const std::string& operation);
  [[noreturn]] void fail(const std::string& op, const std::string& why,
                         const std::string& todo = {}) const;
  /// "appA (10.1.0.10:443)": how errors name the appliance.
  std::string who() const;
  /// Simulator: POST /sim/v1/<op>. Physical: asks the operator `task` (on
  /// this appliance), no answer.
  std::optional<HttpResponse> sim_or_prompt(const std::string& operation, const std::string& op,
                                            const std::string& json_body, OperatorTask task);
  void ask(OperatorTask task);
  /// Simulator: POST /sim/v1/<op>; a non-2xx answer throws.
  HttpResponse sim_call(const std::string& operation, const std::string& op,
                        const std::string& body, const std::string& content_type);
  /// The command API's answer to `action`: XML with root <`root`>, its
  /// <error> raised as the operation's failure.
  pugi::xml_document command(const std::string& operation, const std::string& action,
                             const std::string& query, const std::string& root);

  HttpDriverConfig config_;
  std::shared_ptr<OperatorPrompt> prompt_;
  HttpsClient client_;
  HttpsClient backup_client_;  ///< the same appliance with backup_timeout
  std::string token_;
};

}  // namespace failover_hil::hil
