// The capture reader (pcap, pcapng) and the frame decoder on any bytes, then
// the analysis of what they read: nothing may crash, hang or read out of
// bounds; bad input ends in MalformedInput (a partial report).
#include <exception>

#include "failover_hil/netlab/analysis.hpp"
#include "failover_hil/netlab/decode.hpp"
#include "failover_hil/netlab/pcap_file.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace failover_hil;
  const auto file = fuzz::as_file(data, size, ".pcap");
  try {
    netlab::PcapFileSource source(file.string());
    while (const auto p = source.next()) (void)netlab::decode_frame(p->linktype, p->bytes);
  } catch (const std::exception&) {
  }
  try {
    netlab::AnalysisOptions o;
    o.rate_hz = 1000;
    (void)netlab::analyze_files({file.string()}, o);
  } catch (const std::exception&) {
  }
  return 0;
}
