// The update-file verifier (read_update_file: framing, Ed25519 signature,
// then the JSON body). The first byte picks what the rest is: the whole
// file, or a body signed here with a known key so that the body parser
// behind the signature is reached too. A MalformedInput or ModelError
// (R09), never a crash.
#include <exception>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/sim/model/update.hpp"
#include "fuzz_input.hpp"

namespace {

const std::string kGuid = "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0";

const failover_hil::crypto::Ed25519KeyPair& keys() {
  static const auto k = failover_hil::crypto::ed25519_from_seed(std::vector<std::uint8_t>(32, 7));
  return k;
}

/// magic | body length (u32 big-endian) | body | signature over what precedes.
std::vector<std::uint8_t> signed_file(const std::uint8_t* body, std::size_t size) {
  std::vector<std::uint8_t> out{'F', 'H', 'I', 'L', 'U', 'P', '1', '\n'};
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(size >> (8 * i)));
  out.insert(out.end(), body, body + size);
  const auto sig = failover_hil::crypto::ed25519_sign(keys().private_key, out);
  out.insert(out.end(), sig.begin(), sig.end());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace failover_hil;
  if (size == 0) return 0;
  try {
    const auto bytes =
        data[0] & 1 ? signed_file(data + 1, size - 1) : fuzz::as_bytes(data + 1, size - 1);
    (void)sim::read_update_file(bytes, keys().public_key, kGuid);
  } catch (const std::exception&) {
  }
  return 0;
}
