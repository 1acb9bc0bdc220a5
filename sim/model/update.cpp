#include "failover_hil/sim/model/update.hpp"

#include <boost/json.hpp>

#include "failover_hil/core/byte_reader.hpp"
#include "failover_hil/core/crypto.hpp"
#include "failover_hil/sim/model/errors.hpp"

namespace json = boost::json;

namespace failover_hil::sim {

namespace {
// Layout: magic(8) | body length(4) | body (JSON) | signature(64) over magic..body.
constexpr std::string_view kMagic{"FHILUP1\n", 8};
constexpr std::size_t kMaxBody = 1 << 20;

json::array to_array(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.push_back(json::string(s));
  return a;
}
}  // namespace

std::string_view to_string(UpdateKind k) {
  return k == UpdateKind::base ? "base" : "software";
}

std::string UpdateInfo::target() const {
  return kind == UpdateKind::base ? "Base " + base.str() : "software " + software.str();
}

std::vector<std::uint8_t> write_update_file(const UpdateInfo& info,
                                            const std::string& appliance_guid,
                                            const std::vector<std::uint8_t>& signing_key) {
  const json::object body{{"id", info.id},
                          {"kind", to_string(info.kind)},
                          {"base", info.base.str()},
                          {"software", info.software.version.str()},
                          {"build", info.software.build},
                          {"requires", to_array(info.requires_ids)},
                          {"dependents", to_array(info.dependents)},
                          {"size", info.size_bytes},
                          {"appliance_guid", appliance_guid}};
  const std::string text = json::serialize(body);
  std::vector<std::uint8_t> out(kMagic.begin(), kMagic.end());
  const auto n = static_cast<std::uint32_t>(text.size());
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
  out.insert(out.end(), text.begin(), text.end());
  const auto sig = crypto::ed25519_sign(signing_key, out);
  out.insert(out.end(), sig.begin(), sig.end());
  return out;
}

UpdateFile read_update_file(const std::vector<std::uint8_t>& bytes,
                            const std::vector<std::uint8_t>& vendor_public_key,
                            const std::string& appliance_guid) {
  ByteReader r(bytes, "update file");
  r.expect(kMagic, "magic (not a B Series update file)");
  const auto len = r.u32be();
  if (len > kMaxBody) r.fail("body length " + std::to_string(len) + " exceeds 1 MiB");
  const auto body = r.text(len);
  const std::size_t signed_len = r.offset();
  const auto sig = r.bytes(64);
  if (r.remaining() != 0)
    r.fail(std::to_string(r.remaining()) + " unexpected bytes after the signature");
  if (!crypto::ed25519_verify(vendor_public_key, crypto::ByteView(bytes).first(signed_len), sig))
    throw ModelError("R09",
                     "the update file's signature does not verify: it was modified or not issued "
                     "by the vendor; download it again with this appliance's Download Key");

  boost::system::error_code ec;
  const auto doc = json::parse(body, ec);
  if (ec || !doc.is_object()) throw MalformedInput("update file", 12, "body is not a JSON object");
  const auto& o = doc.get_object();
  auto text = [&](const char* k) {
    const auto* v = o.if_contains(k);
    if (!v || !v->is_string()) throw MalformedInput("update file", 12, std::string("missing ") + k);
    return std::string(v->get_string());
  };
  auto list = [&](const char* k) {
    std::vector<std::string> out;
    const auto* v = o.if_contains(k);
    if (!v || !v->is_array()) throw MalformedInput("update file", 12, std::string("missing ") + k);
    for (const auto& e : v->get_array()) {
      if (!e.is_string()) throw MalformedInput("update file", 12, std::string("bad ") + k);
      out.emplace_back(e.get_string());
    }
    return out;
  };
  UpdateFile f;
  f.info.id = text("id");
  const auto kind = text("kind");
  if (kind != "base" && kind != "software") throw MalformedInput("update file", 12, "bad kind");
  f.info.kind = kind == "base" ? UpdateKind::base : UpdateKind::software;
  f.info.base = Version::parse(text("base"));
  f.info.software = {Version::parse(text("software")), text("build")};
  f.info.requires_ids = list("requires");
  f.info.dependents = list("dependents");
  const auto* size = o.if_contains("size");
  if (!size || !(size->is_uint64() || size->is_int64()))
    throw MalformedInput("update file", 12, "missing size");
  f.info.size_bytes = size->to_number<std::uint64_t>();
  f.appliance_guid = text("appliance_guid");
  if (f.appliance_guid != appliance_guid)
    throw ModelError("R09", "this update file was issued for appliance " + f.appliance_guid +
                                ", not for this one (" + appliance_guid +
                                "); submit this appliance's own Download Key");
  return f;
}

}  // namespace failover_hil::sim
