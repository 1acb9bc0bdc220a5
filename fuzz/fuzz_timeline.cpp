// timeline.jsonl as evaluate_run and --resume read it: a HarnessError
// naming file:line, never a crash; the resume's truncation of a cut last
// line keeps the file readable.
#include <exception>

#include "failover_hil/hil/timeline.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace failover_hil;
  const auto file = fuzz::as_file(data, size, ".jsonl");
  std::vector<std::string> warnings;
  try {
    (void)hil::load_timeline(file, &warnings);
  } catch (const std::exception&) {
    return 0;
  }
  // Readable: as a resume opens it, appends and reads it again.
  hil::TimelineEvent e;
  e.op = "fuzz";
  {
    hil::Timeline t(file);
    t.add(e);
  }
  if (hil::load_timeline(file).back() != e) __builtin_trap();  // the resume glued lines
  return 0;
}
