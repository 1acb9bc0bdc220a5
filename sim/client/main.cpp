// bseries-client: representative consoles and Jump Clients, emulated. A client
// reaches the site by hostname (a hosts-file override wins, as the vendor's
// verification step asks), upgrades itself on connect unless MSI-deployed,
// reports its build (Help > About) and runs support sessions (R11, R12).
// Each client's installation is kept in a state directory between runs.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "failover_hil/core/cli_parse.hpp"
#include "failover_hil/core/https_client.hpp"

namespace fs = std::filesystem;
namespace json = boost::json;
using failover_hil::HttpsClient;
using failover_hil::HttpsError;
using failover_hil::TlsTrust;

namespace {

struct Site {
  std::string host;
  std::uint16_t port = 443;
  std::string hosts_file;
  std::string ca_file, fingerprint, netns;
};

/// The address of `host` per a hosts file ("IP name [name...]" lines), if listed.
std::string hosts_lookup(const std::string& file, const std::string& host) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file + ": cannot read the hosts file");
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    std::string ip, name;
    words >> ip;
    while (words >> name)
      if (name == host) return ip;
  }
  return {};
}

HttpsClient client_for(const Site& s) {
  HttpsClient c(s.host, s.port, TlsTrust{s.ca_file, s.fingerprint, false}, std::chrono::seconds(10),
                s.netns);
  if (!s.hosts_file.empty()) {
    const auto ip = hosts_lookup(s.hosts_file, s.host);
    if (!ip.empty()) c.connect_to(ip);
  }
  return c;
}

json::object load_client(const fs::path& dir, const std::string& id, bool jump, bool msi,
                         const std::string& version, const std::string& build) {
  const auto file = dir / (id + ".json");
  if (fs::exists(file)) {
    std::ifstream in(file);
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str()).as_object();
  }
  if (version.empty() || build.empty())
    throw std::runtime_error("client '" + id +
                             "' is not installed yet: give --version and --build");
  return {{"id", id},
          {"kind", jump ? "jump_client" : "representative_console"},
          {"deployment", msi ? "msi" : "installer"},
          {"software", {{"version", version}, {"build", build}}},
          {"state", "offline"},
          {"connected_to", ""}};
}

void save_client(const fs::path& dir, const json::object& c) {
  fs::create_directories(dir);
  std::ofstream(dir / (std::string(c.at("id").as_string()) + ".json")) << json::serialize(c);
}

json::object post(const Site& s, const std::string& target, const json::value& body) {
  const auto r = client_for(s).request(
      {"POST", target, json::serialize(body), {{"Content-Type", "application/json"}}});
  if (r.status != 200) {
    std::string msg = r.body;
    try {
      msg = std::string(json::parse(r.body).at("message").as_string());
    } catch (const std::exception&) {
    }
    throw std::runtime_error(s.host + ": " + target + ": HTTP " + std::to_string(r.status) + ": " +
                             msg);
  }
  auto out = json::parse(r.body).as_object();
  out["served_by"] = r.header("x-served-by");
  return out;
}

std::string about(const json::object& c) {
  const auto& sw = c.at("software").as_object();
  return std::string(sw.at("version").as_string()) + " (" +
         std::string(sw.at("build").as_string()) + ")";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bseries-client: an emulated representative console or Jump Client"};
  app.require_subcommand(1);
  Site site;
  fs::path state = "clients";
  app.add_option("--site", site.host, "The site's hostname")->required();
  app.add_option("--port", site.port, "TLS port")->capture_default_str();
  app.add_option("--hosts-file", site.hosts_file, "A hosts file whose entry for the site wins");
  app.add_option("--ca", site.ca_file, "Trust this CA file (the certificate must name the site)");
  app.add_option("--fingerprint", site.fingerprint, "Trust the certificate with this SHA-256");
  app.add_option("--netns", site.netns, "Connect from this network namespace");
  app.add_option("--state", state, "Directory keeping each client's installation")
      ->capture_default_str();

  std::string id, version, build, console_id, jump_id;
  bool jump = false, msi = false;
  auto* connect = app.add_subcommand(
      "connect", "Connect a client (installing it first if new); print Help > About");
  connect->add_option("--id", id, "Client id")->required();
  connect->add_flag("--jump-client", jump, "A Jump Client (default: a representative console)");
  connect->add_flag("--msi", msi, "Deployed by MSI on a locked-down computer (no self-upgrade)");
  connect->add_option("--version", version, "Installed version, for a new client");
  connect->add_option("--build", build, "Installed build, for a new client");
  auto* session = app.add_subcommand("session", "Run a support session through a Jump Client");
  session->add_option("--console", console_id, "Console id")->required();
  session->add_option("--jump-client", jump_id, "Jump Client id")->required();
  if (const auto rc = failover_hil::parse_command_line(app, argc, argv)) return *rc;

  try {
    if (*connect) {
      auto c = load_client(state, id, jump, msi, version, build);
      const auto before = about(c);
      auto out = post(site, "/client/v1/connect", c);
      const auto served_by = out.at("served_by");
      out.erase("served_by");
      save_client(state, out);
      std::cout << json::serialize(json::object{{"id", id},
                                                {"state", out.at("state")},
                                                {"about", about(out)},
                                                {"before", before},
                                                {"served_by", served_by}})
                << "\n";
      return out.at("state").as_string() == "online" ? 0 : 1;
    }
    const auto console = load_client(state, console_id, false, false, {}, {});
    const auto jc = load_client(state, jump_id, true, false, {}, {});
    const auto out =
        post(site, "/client/v1/session", json::object{{"console", console}, {"jump_client", jc}});
    std::cout << json::serialize(out) << "\n";
    return 0;
  } catch (const HttpsError& e) {
    std::cerr << "bseries-client: cannot reach the site: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "bseries-client: " << e.what() << "\n";
    return 2;
  }
}
