// A campaign of seeds: this shard's share of a seed range, each seed run and
// judged, each failing one shrunk and saved with a scenario file that
// replays it.
#include <unistd.h>

#include <boost/json.hpp>

#include "explore_base.hpp"
#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"
#include "failover_hil/core/text_file.hpp"
#include "failover_hil/hil/explore.hpp"

namespace fs = std::filesystem;
namespace json = boost::json;

namespace failover_hil::hil {

namespace {

json::array schedule_json(const Schedule& s) {
  json::array out;
  for (const auto& f : s) out.push_back(json::string(describe(f)));
  return out;
}

json::array strings_json(const std::vector<std::string>& v) {
  json::array out;
  for (const auto& x : v) out.push_back(json::string(x));
  return out;
}

/// failing/seed-S/: what replays and explains a failing seed.
json::object save_failing(const CampaignOptions& o, const SeedResult& r, const ShrinkResult* s) {
  const auto& base = explore_base(o.explore.scenario).scenario;
  const auto dir = o.out / "failing" / ("seed-" + std::to_string(r.seed));
  fs::create_directories(dir);
  const auto name = explore_run_name(base, r.seed);
  const auto expect = expectation_for(r);
  write_text(dir / "scenario.yaml",
             scenario_yaml(o.explore.scenario, name,
                           "explore seed " + std::to_string(r.seed) + " as drawn", r.schedule,
                           expect, dir, o.explore.switch_method));
  write_text(dir / "timeline.jsonl", r.timeline);
  std::string why;
  for (const auto& f : r.failures) why += f + "\n";
  write_text(dir / "failures.txt", why);
  json::object entry{{"seed", r.seed},
                     {"outcome", r.outcome},
                     {"reason", r.reason},
                     {"failures", strings_json(r.failures)},
                     {"schedule", schedule_json(r.schedule)},
                     {"dir", fs::relative(dir, o.out).string()}};
  if (s) {
    const auto shrunk_expect = expectation_for(s->run);
    write_text(dir / "shrunk.yaml",
               scenario_yaml(o.explore.scenario, name,
                             "explore seed " + std::to_string(r.seed) + ", shrunk to " +
                                 std::to_string(s->schedule.size()) + " fault(s)",
                             s->schedule, shrunk_expect, dir, o.explore.switch_method));
    write_text(dir / "shrunk-timeline.jsonl", s->run.timeline);
    entry["shrunk"] = json::object{{"schedule", schedule_json(s->schedule)},
                                   {"faults", s->schedule.size()},
                                   {"failures", strings_json(s->run.failures)},
                                   {"runs", s->runs},
                                   {"file", fs::relative(dir / "shrunk.yaml", o.out).string()}};
  }
  return entry;
}

}  // namespace

CampaignResult run_campaign(const CampaignOptions& o) {
  if (o.shards < 1 || o.shard < 1 || o.shard > o.shards)
    throw HarnessError("explore: shard " + std::to_string(o.shard) + "/" +
                       std::to_string(o.shards) + " is not one of 1..N of N");
  if (o.end_seed <= o.first_seed) throw HarnessError("explore: an empty seed range");
  auto ex = o.explore;
  // Each run's directory lives here while it runs.
  if (ex.scratch.empty())
    ex.scratch = o.out.empty()
                     ? fs::temp_directory_path() / ("fhil-explore-" + std::to_string(::getpid()))
                     : o.out / "scratch";
  fs::create_directories(ex.scratch);
  if (!o.out.empty()) fs::create_directories(o.out);
  CampaignResult result;
  std::string lines;
  json::array failing;
  for (std::uint64_t seed = o.first_seed; seed < o.end_seed; ++seed) {
    if ((seed - o.first_seed) % static_cast<std::uint64_t>(o.shards) !=
        static_cast<std::uint64_t>(o.shard - 1))
      continue;
    result.seeds.push_back(seed);
    auto r = explore_seed(ex, seed);
    result.harness_s += r.harness_s;
    result.model_s += r.model_s;
    if (o.on_seed) o.on_seed(r);
    lines += json::serialize(json::object{
                 {"seed", seed},
                 {"failed", r.failed},
                 {"outcome", r.outcome},
                 {"faults", r.schedule.size()},
                 {"schedule", schedule_json(r.schedule)},
                 // The event log's digest: two campaigns (two
                 // machines, two versions) compare run by run.
                 {"log_sha256", to_hex(crypto::sha256(crypto::as_bytes(r.timeline)))}}) +
             "\n";
    if (!r.failed) continue;
    const ShrinkResult* shrunk = nullptr;
    if (o.shrink) {
      result.shrunk.push_back(shrink(ex, r, o.shrink_runs));
      shrunk = &result.shrunk.back();
    }
    if (!o.out.empty()) failing.push_back(save_failing(o, r, shrunk));
    result.failing.push_back(std::move(r));
    if (o.stop_after > 0 && result.failing.size() >= static_cast<std::size_t>(o.stop_after)) break;
  }
  if (!ex.keep_runs) fs::remove_all(ex.scratch);
  if (!o.out.empty()) {
    write_text(o.out / "seeds.jsonl", lines);
    const auto& base = explore_base(o.explore.scenario).scenario;
    json::object summary{
        {"scenario", base.name},
        {"switch", to_string(o.explore.switch_method.value_or(base.switch_method))},
        {"seeds", json::object{{"first", o.first_seed}, {"end", o.end_seed}}},
        {"shard", std::to_string(o.shard) + "/" + std::to_string(o.shards)},
        {"max_faults", o.explore.max_faults},
        {"runs", result.seeds.size()},
        {"failed", result.failing.size()},
        {"failing", failing}};
    if (o.explore.defect != PlantedDefect::none)
      summary["planted_defect"] = std::string(to_string(o.explore.defect));
    write_text(o.out / "summary.json", json::serialize(summary) + "\n");
  }
  return result;
}

}  // namespace failover_hil::hil
