#include "sim_pair.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <exception>
#include <fstream>
#include <sstream>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"

namespace fs = std::filesystem;

namespace failover_hil::testing {

namespace {

std::uint16_t free_port(const char* ip) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = 0;
  ::inet_pton(AF_INET, ip, &a.sin_addr);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::pair<std::uint16_t, std::string> read_ready(const fs::path& file) {
  if (!hil::wait_until([&] { return fs::exists(file); }, std::chrono::seconds(10)))
    throw std::runtime_error("bseries-sim did not become ready: no " + file.string());
  const auto v = boost::json::parse(slurp(file));
  return {static_cast<std::uint16_t>(v.at("listen").at(0).at("port").to_number<int>()),
          std::string(v.at("fingerprint").as_string())};
}

SimPair::SimPair() : SimPair(Options{}) {}

SimPair::SimPair(Options options) : options_(options) {
  char tmpl[] = "/tmp/fhil-simpair-XXXXXX";
  dir_ = ::mkdtemp(tmpl);
  write(dir_ / "vendor.seed", to_hex(crypto::random_bytes(32)));
  write(dir_ / "inter_a.key", to_hex(crypto::random_bytes(32)));
  if (options_.same_inter_appliance_key) {
    fs::copy_file(dir_ / "inter_a.key", dir_ / "inter_b.key");
  } else {
    write(dir_ / "inter_b.key", to_hex(crypto::random_bytes(32)));
  }
  write(dir_ / "accounts.yaml",
        "accounts:\n"
        "  - {client_id: harness, client_secret: harness-secret-1, backup: true, command: "
        "full_access, "
        "reporting: true}\n"
        "  - {client_id: reader, client_secret: reader-secret-1, command: read_only}\n");
  write(dir_ / "harness.credentials", "client_id: harness\nclient_secret: harness-secret-1\n");
  write(
      dir_ / "catalogue.yaml",
      "updates:\n"
      "  - {id: base-3.4.0, kind: base, version: 3.4.0, dependents: [sw-24.1.0], size_bytes: "
      "943718400}\n"
      "  - {id: sw-24.1.0, kind: software, version: 24.1.0, build: c9e2d4, requires: [base-3.4.0], "
      "size_bytes: 1258291200}\n");
  const auto& lay = options_.layout;
  updates_ = hil::ChildProcess::spawn(
      {BSERIES_SIM_PATH, "update-server", "--data-dir", (dir_ / "updates").string(), "--listen",
       lay.ip_updates + ":0", "--catalogue", (dir_ / "catalogue.yaml").string(), "--signing-key",
       (dir_ / "vendor.seed").string(), "--write-public-key", (dir_ / "vendor.pub").string(),
       "--ready-file", (dir_ / "updates.ready").string()},
      dir_ / "updates.log", lay.netns_updates);
  const auto [uport, ufp] = read_ready(dir_ / "updates.ready");
  update_port_ = uport;
  update_fp_ = ufp;
  shared_port_ = lay.netns_a.empty() ? free_port(lay.shared_ip.c_str()) : 8443;
  for (const auto& [name, ip, software] : {std::tuple{"appA", lay.ip_a, std::string("23.1.2")},
                                           std::tuple{"appB", lay.ip_b, options_.b_software}}) {
    std::ostringstream y;
    y << "name: " << name << "\n"
      << "guid: "
      << (name == std::string("appA") ? "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"
                                      : "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0")
      << "\nunique_ip: " << ip << "\nhostname: support.lab.example\nshared_ip: " << lay.shared_ip
      << "\n"
      << "base: 3.3.2\nsoftware: " << software << "\nbuild: b7f3a1\n"
      << "inter_appliance_key_file: inter_" << (name == std::string("appA") ? "a" : "b") << ".key\n"
      << "vendor_public_key_file: vendor.pub\ncredentials_file: accounts.yaml\n"
      << "update_server: {host: " << lay.ip_updates << ", port: " << uport
      << ", fingerprint: " << ufp << "}\n";
    if (!options_.api_namespace.empty()) y << "api_namespace: " << options_.api_namespace << "\n";
    write(dir_ / (std::string(name) + ".yaml"), y.str());
  }
  start_a();
  start_b();
}

void SimPair::start(const std::string& name, hil::ChildProcess& proc, std::uint16_t& port,
                    std::string& fp, std::unique_ptr<hil::HttpDriver>& driver) {
  const auto& lay = options_.layout;
  const bool is_a = name == "appA";
  const std::string ip = is_a ? lay.ip_a : lay.ip_b;
  const std::string iface = is_a ? lay.iface_a : lay.iface_b;
  const auto ready = dir_ / (name + ".ready");
  fs::remove(ready);
  // The same port after a restart, so the peer's connection details stay right.
  const std::string listen = ip + ":" + std::to_string(port);
  std::vector<std::string> argv{
      BSERIES_SIM_PATH,  "appliance",
      "--config",        (dir_ / (name + ".yaml")).string(),
      "--data-dir",      (dir_ / name).string(),
      "--listen",        listen,
      "--shared-listen", lay.shared_ip + ":" + std::to_string(shared_port_),
      "--time-scale",    std::to_string(options_.time_scale),
      "--ready-file",    ready.string()};
  if (!iface.empty()) argv.insert(argv.end(), {"--shared-ip-interface", iface});
  proc = hil::ChildProcess::spawn(argv, dir_ / (name + ".log"), is_a ? lay.netns_a : lay.netns_b);
  std::tie(port, fp) = read_ready(ready);
  hil::HttpDriverConfig c{name,
                          ip,
                          port,
                          TlsTrust{{}, fp, false},
                          hil::ApiCredentials::from_file(dir_ / "harness.credentials"),
                          true,
                          lay.netns_harness};
  driver = std::make_unique<hil::HttpDriver>(c);
}

void SimPair::start_a() {
  start("appA", proc_a_, port_a_, fp_a_, a_);
}
void SimPair::start_b() {
  start("appB", proc_b_, port_b_, fp_b_, b_);
}

std::unique_ptr<hil::HttpDriver> SimPair::physical_a(std::shared_ptr<hil::OperatorPrompt> prompt) {
  hil::HttpDriverConfig c{"appA",
                          options_.layout.ip_a,
                          port_a_,
                          TlsTrust{{}, fp_a_, false},
                          hil::ApiCredentials::from_file(dir_ / "harness.credentials"),
                          false};
  return std::make_unique<hil::HttpDriver>(c, std::move(prompt));
}

std::string SimPair::log(const std::string& name) const {
  return slurp(dir_ / (name + ".log"));
}

SimPair::~SimPair() {
  a_.reset();
  b_.reset();
  proc_a_.terminate();
  proc_b_.terminate();
  updates_.terminate();
  if (::testing::Test::HasFailure() || std::uncaught_exceptions() > 0) {
    std::cerr << "bseries-sim logs kept in " << dir_ << "\n";
  } else {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

}  // namespace failover_hil::testing
