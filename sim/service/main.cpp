// bseries-sim: one simulated B Series appliance per process, or the vendor's
// update server (docs/bseries-sim.md).
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "failover_hil/core/cli_parse.hpp"
#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"
#include "failover_hil/core/tls_identity.hpp"
#include "server.hpp"
#include "service.hpp"
#include "shared_ip.hpp"
#include "update_service.hpp"

namespace fs = std::filesystem;
namespace asio = boost::asio;
using namespace failover_hil;
using namespace failover_hil::sim::service;

namespace {

struct Common {
  fs::path data_dir;
  std::vector<std::string> listen{"127.0.0.1:8443"};
  std::string cert, key, ready_file, log_level = "info";
  ServerLimits limits;
  int idle_timeout_s = 30;
};

// The data directory holds the Inter-Appliance key (in the state), the TLS
// key and tokens' accounts: only its owner may enter it.
void make_private_dir(const fs::path& dir) {
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
}

LogLevel level_of(const std::string& s) {
  if (s == "debug") return LogLevel::debug;
  if (s == "warn") return LogLevel::warn;
  if (s == "error") return LogLevel::error;
  return LogLevel::info;
}

TlsIdentity tls_identity(const Common& c, const std::vector<std::string>& names) {
  if (!c.cert.empty() || !c.key.empty()) {
    if (c.cert.empty() || c.key.empty())
      throw std::runtime_error("give both --tls-cert and --tls-key");
    return {c.key, c.cert};
  }
  TlsIdentity id{c.data_dir / "tls.key", c.data_dir / "tls.crt"};
  if (fs::exists(id.key_file) && fs::exists(id.cert_file)) return id;
  return generate_self_signed(c.data_dir, names.empty() ? "bseries-sim" : names.front(), names);
}

void configure_tls(asio::ssl::context& ctx, const TlsIdentity& id) {
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  ctx.use_certificate_chain_file(id.cert_file.string());
  ctx.use_private_key_file(id.key_file.string(), asio::ssl::context::pem);
}

/// Listens, writes the ready file, and runs until SIGTERM or SIGINT.
int serve(asio::io_context& io, Server& server, const Common& c, const TlsIdentity& id, Log& log,
          const std::function<void()>& on_stop) {
  boost::json::array bound;
  for (const auto& l : c.listen) {
    const auto ep = server.listen(parse_endpoint(l));
    bound.push_back(
        boost::json::object{{"address", ep.address().to_string()}, {"port", ep.port()}});
    log.info("listening on https://" + l.substr(0, l.rfind(':')) + ":" + std::to_string(ep.port()));
  }
  const auto fingerprint = certificate_fingerprint(id.cert_file);
  if (!c.ready_file.empty()) {
    const fs::path tmp = c.ready_file + ".tmp";
    std::ofstream(tmp) << boost::json::serialize(
        boost::json::object{{"pid", ::getpid()},
                            {"listen", bound},
                            {"fingerprint", fingerprint},
                            {"cert", id.cert_file.string()}});
    fs::rename(tmp, c.ready_file);  // atomic: readers never see half a file
  }
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](boost::system::error_code, int sig) {
    log.info(std::string("shutting down on ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT"));
    on_stop();
    io.stop();
  });
  io.run();
  return 0;
}

struct SharedIpOptions {
  std::string credentials;  ///< API accounts file, overriding the appliance file's
  std::string listen;       ///< ADDRESS:PORT served while enabled
  std::string interface;    ///< add the address to this interface by netlink
  int prefix_length = 24;
  int dup_check_ms = 5;
  int announce_delay_ms = 0;  ///< a slow appliance: its gratuitous ARP this much late
};

int run_appliance(const Common& c, const std::string& config_file, double scale,
                  const SharedIpOptions& so) {
  auto config = load_service_config(config_file);
  if (!so.credentials.empty()) config.accounts = load_accounts(so.credentials);
  Log log(config.appliance.identity.name, level_of(c.log_level));
  make_private_dir(c.data_dir);
  const auto id =
      tls_identity(c, {config.appliance.identity.hostname, config.appliance.identity.unique_ip,
                       config.appliance.identity.shared_ip, "localhost", "127.0.0.1"});
  asio::io_context io(1);
  asio::ssl::context tls(asio::ssl::context::tls_server);
  configure_tls(tls, id);

  std::unique_ptr<Service> service;
  Server server(
      io, tls, log,
      [&](const Request& r, const std::string& remote) { return service->handle(r, remote); },
      [&](const Request& r, const std::string& remote) { return service->admit(r, remote); },
      c.limits);
  std::optional<tcp::endpoint> shared;
  if (!so.listen.empty()) shared = parse_endpoint(so.listen);
  std::unique_ptr<SharedIpAddress> address;
  if (!so.interface.empty()) {
    if (!shared)
      throw std::runtime_error(
          "--shared-ip-interface needs --shared-listen (the shared IP and port)");
    address = std::make_unique<SharedIpAddress>(
        so.interface, netlab::Ipv4Address::parse(shared->address().to_string()), so.prefix_length,
        std::chrono::milliseconds(so.dup_check_ms), log);
  }
  // Two more gratuitous ARP rounds after the first, 100 ms apart: some
  // switches miss one (a real appliance repeats them too).
  asio::steady_timer announce_timer(io);
  std::function<void(int)> announce_more = [&](int left) {
    if (left == 0 || !address) return;
    announce_timer.expires_after(std::chrono::milliseconds(100));
    announce_timer.async_wait([&, left](boost::system::error_code ec) {
      if (ec) return;
      address->announce();
      announce_more(left - 1);
    });
  };
  ServiceHooks hooks;
  hooks.shared_ip = [&](bool on, bool skip_check) -> std::string {
    if (!shared) return {};
    if (!on) {
      server.close(*shared);
      if (address) address->disable();
      return {};
    }
    const bool late = so.announce_delay_ms > 0;
    if (address) {
      if (auto why = address->enable(skip_check, !late); !why.empty()) return why;
    }
    try {
      server.listen(*shared);
    } catch (const std::exception& e) {
      if (address) address->disable();
      return e.what();  // e.g. address in use: the other appliance holds it (R23)
    }
    if (!late) {
      announce_more(2);
      return {};
    }
    announce_timer.expires_after(std::chrono::milliseconds(so.announce_delay_ms));
    announce_timer.async_wait([&](boost::system::error_code ec) {
      if (ec || !address) return;
      address->announce();
      announce_more(2);
    });
    return {};
  };
  hooks.refuse_site = [&](std::chrono::milliseconds d) { server.refuse_for(d); };
  service = std::make_unique<Service>(config, c.data_dir, scale, io, log, hooks);
  if (service->shared_ip_enabled()) {
    // Restarted while holding the shared IP: take it up again, as an appliance does at boot.
    if (auto why = hooks.shared_ip(true, false); !why.empty())
      log.error("shared IP not restored: " + why);
  }
  asio::steady_timer ticker(io);
  std::function<void()> tick = [&] {
    service->tick();
    ticker.expires_after(std::chrono::milliseconds(20));
    ticker.async_wait([&](boost::system::error_code ec) {
      if (!ec) tick();
    });
  };
  tick();
  return serve(io, server, c, id, log, [&] { service->tick(); });
}

int run_update_server(const Common& c, const std::string& catalogue, const std::string& key_file,
                      const std::string& public_out) {
  Log log("update-server", level_of(c.log_level));
  make_private_dir(c.data_dir);
  const auto seed = read_hex_file(key_file, 32);
  auto keys = crypto::ed25519_from_seed({seed.data(), 32});
  if (!public_out.empty()) std::ofstream(public_out) << to_hex(keys.public_key) << "\n";
  UpdateService updates(sim::UpdateServer(load_catalogue(catalogue), keys), log);
  const auto id = tls_identity(c, {"localhost", "127.0.0.1"});
  asio::io_context io(1);
  asio::ssl::context tls(asio::ssl::context::tls_server);
  configure_tls(tls, id);
  Server server(
      io, tls, log,
      [&](const Request& r, const std::string& remote) { return updates.handle(r, remote); }, {},
      c.limits);
  return serve(io, server, c, id, log, [] {});
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bseries-sim: a simulated B Series appliance, or the vendor's update server"};
  app.require_subcommand(1);
  Common c;
  auto common = [&](CLI::App* s) {
    s->add_option("--data-dir", c.data_dir, "State, certificate and key live here")->required();
    s->add_option("--listen", c.listen,
                  "ADDRESS:PORT to serve HTTPS on (repeatable; port 0 picks one)")
        ->capture_default_str();
    s->add_option("--tls-cert", c.cert,
                  "PEM certificate (default: generated in the data directory)");
    s->add_option("--tls-key", c.key, "PEM private key (with --tls-cert)");
    s->add_option("--ready-file", c.ready_file,
                  "Written (JSON: pid, ports, fingerprint) once listening");
    s->add_option("--log-level", c.log_level, "debug, info, warn or error")->capture_default_str();
    s->add_option("--max-connections", c.limits.max_connections,
                  "Open connections at most; more are closed at once (docs/bseries-sim.md)")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    s->add_option("--idle-timeout-s", c.idle_timeout_s,
                  "Close a connection that sends no complete request header for this long")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
  };
  std::string config, catalogue, signing_key, public_out;
  SharedIpOptions shared;
  double scale = 1.0;
  auto* appliance = app.add_subcommand("appliance", "Run one simulated appliance");
  common(appliance);
  appliance->add_option("--config", config, "Appliance file (YAML, docs/bseries-sim.md)")
      ->required()
      ->check(CLI::ExistingFile);
  appliance
      ->add_option("--time-scale", scale,
                   "Simulated seconds per real second for installs and syncs")
      ->check(CLI::Range(0.001, 100000.0))
      ->capture_default_str();
  appliance
      ->add_option("--credentials", shared.credentials,
                   "API accounts file (YAML); overrides the appliance file's credentials_file")
      ->check(CLI::ExistingFile);
  appliance->add_option("--shared-listen", shared.listen,
                        "ADDRESS:PORT served while the shared IP is enabled");
  appliance->add_option(
      "--shared-ip-interface", shared.interface,
      "Add the shared IP to this interface by netlink and announce it (in a lab namespace)");
  appliance
      ->add_option("--shared-ip-prefix", shared.prefix_length, "Prefix length of the shared IP")
      ->check(CLI::Range(8, 32))
      ->capture_default_str();
  appliance
      ->add_option("--dup-check-ms", shared.dup_check_ms,
                   "Wait this long for an answer to an ARP probe before enabling the shared IP (0: "
                   "no check)")
      ->check(CLI::Range(0, 5000))
      ->capture_default_str();
  appliance
      ->add_option("--announce-delay-ms", shared.announce_delay_ms,
                   "Send the gratuitous ARP this long after enabling the shared IP (a slow "
                   "appliance; clients keep the old holder's MAC until then)")
      ->check(CLI::Range(0, 60000))
      ->capture_default_str();
  auto* updates = app.add_subcommand("update-server", "Run the vendor's update server");
  common(updates);
  updates->add_option("--catalogue", catalogue, "Catalogue file (YAML)")
      ->required()
      ->check(CLI::ExistingFile);
  updates->add_option("--signing-key", signing_key, "File with the Ed25519 seed as 64 hex digits")
      ->required()
      ->check(CLI::ExistingFile);
  updates->add_option("--write-public-key", public_out, "Write the public key (hex) to this file");
  if (const auto rc = failover_hil::parse_command_line(app, argc, argv)) return *rc;
  c.limits.idle_timeout = std::chrono::seconds(c.idle_timeout_s);
  // Every file it writes (state, TLS key, ready file) is its owner's alone.
  ::umask(077);
  try {
    if (*appliance) return run_appliance(c, config, scale, shared);
    return run_update_server(c, catalogue, signing_key, public_out);
  } catch (const std::exception& e) {
    std::cerr << "bseries-sim: " << e.what() << "\n";
    return 2;
  }
}
