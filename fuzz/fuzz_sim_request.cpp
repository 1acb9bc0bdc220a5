// bseries-sim's request handling (Service::admit, then Service::handle): the
// routes, their query strings, form, XML and JSON bodies. The input is
//   METHOD TARGET\n(NAME: VALUE\n)*\nBODY
// and, unless it sends its own Authorization, carries the harness account's
// bearer token, so the authenticated routes are reached. Any answer is
// fine; a crash, a sanitizer report or an exception out of handle() is not.
// No traffic leaves the process: the service's io_context is never run.
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <exception>
#include <fstream>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"
#include "fuzz_input.hpp"
#include "service.hpp"

namespace {

using namespace failover_hil;
using namespace failover_hil::sim::service;

struct World {
  std::filesystem::path dir;
  boost::asio::io_context io;
  Log log{"fuzz", LogLevel::error};
  std::unique_ptr<Service> service;
  std::string token;

  World() {
    dir = std::filesystem::temp_directory_path() / ("fhil-fuzz-sim-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / "data");
    const auto vendor = crypto::ed25519_from_seed(std::vector<std::uint8_t>(32, 7));
    std::ofstream(dir / "inter.key") << to_hex(std::vector<std::uint8_t>(32, 9));
    std::ofstream(dir / "vendor.pub") << to_hex(vendor.public_key);
    std::ofstream(dir / "accounts.yaml")
        << "accounts:\n  - {client_id: harness, client_secret: secret, backup: true, command: "
           "full_access, reporting: true}\n";
    std::ofstream(dir / "appA.yaml")
        << "name: appA\nguid: a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0\nunique_ip: 198.18.0.11\n"
           "hostname: support.lab.example\nshared_ip: 198.18.0.10\nbase: 3.3.2\n"
           "software: 23.1.2\nbuild: b7f3a1\ninter_appliance_key_file: inter.key\n"
           "vendor_public_key_file: vendor.pub\ncredentials_file: accounts.yaml\n";
    ServiceHooks hooks;
    hooks.shared_ip = [](bool, bool) { return std::string(); };
    hooks.refuse_site = [](std::chrono::milliseconds) {};
    service = std::make_unique<Service>(load_service_config(dir / "appA.yaml"), dir / "data",
                                        1000.0, io, log, hooks);
    Request req{http::verb::post, "/oauth2/token", 11};
    req.set(http::field::authorization,
            "Basic " + crypto::base64_encode(crypto::as_bytes("harness:secret")));
    req.set(http::field::content_type, "application/x-www-form-urlencoded");
    req.body() = "grant_type=client_credentials";
    req.prepare_payload();
    const auto res = service->handle(req, "198.18.0.1");
    token = std::string(boost::json::parse(res->body()).at("access_token").as_string());
  }
  ~World() { std::filesystem::remove_all(dir); }
};

/// The request the input describes; nullopt when it names no method.
std::optional<Request> request_of(const std::string& in, const std::string& token) {
  const auto first = in.find('\n');
  const auto line = in.substr(0, first);
  const auto sp = line.find(' ');
  if (sp == std::string::npos) return std::nullopt;
  const auto verb = http::string_to_verb(line.substr(0, sp));
  if (verb == http::verb::unknown) return std::nullopt;
  Request req{verb, line.substr(sp + 1), 11};
  std::size_t pos = first == std::string::npos ? in.size() : first + 1;
  bool own_auth = false;
  while (pos < in.size()) {
    const auto nl = in.find('\n', pos);
    const auto h = in.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? in.size() : nl + 1;
    if (h.empty()) break;
    const auto colon = h.find(": ");
    if (colon == std::string::npos || colon == 0) continue;
    try {
      req.set(h.substr(0, colon), h.substr(colon + 2));
    } catch (const std::exception&) {
      continue;  // a name Beast refuses never reaches a handler
    }
    own_auth |= req.count(http::field::authorization) > 0;
  }
  if (!own_auth) req.set(http::field::authorization, "Bearer " + token);
  req.body() = in.substr(pos);
  req.prepare_payload();
  return req;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World world;
  const auto req = request_of(fuzz::as_text(data, size), world.token);
  if (!req) return 0;
  // As the server does: the header is admitted before the body is read.
  Request header = *req;
  header.body().clear();
  const auto admission = world.service->admit(header, "198.18.0.1");
  if (admission.refuse || req->body().size() > admission.body_limit) return 0;
  // The crash fault ends the process by design (std::_Exit, as kill -9).
  if (make_call(*req, "").path == "/sim/v1/faults/crash") return 0;
  // The io_context is never run: what the service posts (peer messages to
  // whatever host a body names) is never sent anywhere.
  (void)world.service->handle(*req, "198.18.0.1");
  return 0;
}
