// A campaign's cases.json and its runs' reports, read back and judged;
// shards merged; the figures a baseline keeps.
#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <set>

#include "failover_hil/core/text_file.hpp"
#include "failover_hil/hil/appliance_driver.hpp"
#include "failover_hil/hil/campaign.hpp"
#include "failover_hil/hil/report.hpp"
#include "json_text.hpp"

namespace failover_hil::hil {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

// cases.json is written by ci/regress and by write_campaign; a field of the
// wrong type is named, not guessed.
class CaseFields {
 public:
  CaseFields(const json::object& o, std::string where) : o_(o), where_(std::move(where)) {}
  std::string text(std::string_view key, bool required = true) const {
    const auto* v = o_.if_contains(key);
    if (!v || v->is_null()) {
      if (required) fail(key, "missing");
      return {};
    }
    if (!v->is_string()) fail(key, "expected text");
    return std::string(v->get_string());
  }
  double number(std::string_view key, double fallback) const {
    const auto* v = o_.if_contains(key);
    if (!v || v->is_null()) return fallback;
    if (v->is_int64()) return static_cast<double>(v->get_int64());
    if (v->is_uint64()) return static_cast<double>(v->get_uint64());
    if (v->is_double()) return v->get_double();
    fail(key, "expected a number");
  }
  int integer(std::string_view key, int fallback) const {
    const double d = number(key, fallback);
    if (d != std::floor(d) || std::abs(d) > 1e9) fail(key, "expected a whole number");
    return static_cast<int>(d);
  }

 private:
  [[noreturn]] void fail(std::string_view key, const char* what) const {
    throw HarnessError(where_ + "." + std::string(key) + ": " + what);
  }
  const json::object& o_;
  std::string where_;
};

void judge(CampaignCase& c) {
  try {
    c.record = parse_report_json(read_text(c.run_dir / "report.json"));
  } catch (const std::exception& e) {
    c.outcome = "no report";
    c.reason = "exit " + std::to_string(c.exit_status) + ": " + e.what();
    c.as_expected = false;
    return;
  }
  c.outcome = c.record->outcome;
  c.reason = c.record->reason;
  c.as_expected = c.record->as_expected && (c.exit_status == 0 || c.exit_status == 1);
}

}  // namespace

std::vector<std::string> CampaignCase::failed_checks() const {
  std::vector<std::string> out;
  if (record)
    for (const auto& ch : record->checks)
      if (!ch.pass && !ch.waived) out.push_back(ch.name);
  return out;
}

Campaign read_campaign(const fs::path& dir) {
  const auto file = dir / "cases.json";
  const auto refuse = [&](const std::string& why) {
    return HarnessError(file.string() + ": not a campaign's results (" + why +
                        "); give the directory ci/regress wrote");
  };
  std::string why;
  const auto doc = parse_json_file(file, why);
  if (!why.empty()) throw refuse(why);
  if (!doc.is_object() || !doc.as_object().contains("cases") ||
      !doc.as_object().at("cases").is_array())
    throw HarnessError(file.string() + ": no \"cases\" list; give the directory ci/regress wrote");
  const auto& top = doc.as_object();
  const CaseFields meta(top, file.string());
  Campaign c;
  c.meta.shard = meta.text("shard", false);
  if (c.meta.shard.empty()) c.meta.shard = "1/1";
  c.meta.engine = meta.text("engine", false);
  c.meta.jobs = meta.integer("jobs", 1);
  c.meta.repeat = meta.integer("repeat", 1);
  c.meta.wall_s = meta.number("wall_s", 0);
  c.meta.suite = meta.text("suite", false);
  std::size_t i = 0;
  for (const auto& v : top.at("cases").as_array()) {
    const auto where = file.string() + ": cases[" + std::to_string(i++) + "]";
    if (!v.is_object()) throw HarnessError(where + ": expected an object");
    const CaseFields f(v.as_object(), where);
    CampaignCase k;
    k.id = f.text("id");
    k.key = f.text("key");
    k.scenario = f.text("scenario");
    k.switch_method = f.text("switch", false);
    k.repeat = f.integer("repeat", 1);
    k.exit_status = f.integer("exit", 2);
    k.wall_s = f.number("wall_s", 0);
    const fs::path run_dir = f.text("run_dir");
    k.run_dir = fs::weakly_canonical(run_dir.is_absolute() ? run_dir : dir / run_dir);
    judge(k);
    c.cases.push_back(std::move(k));
  }
  return c;
}

Campaign merge_campaigns(const std::vector<fs::path>& dirs) {
  Campaign all;
  std::set<std::string> engines, ids, twice;
  std::string shards;
  for (const auto& d : dirs) {
    auto c = read_campaign(d);
    shards += (shards.empty() ? "" : "+") + c.meta.shard;
    if (!c.meta.engine.empty()) engines.insert(c.meta.engine);
    all.meta.jobs = std::max(all.meta.jobs, c.meta.jobs);
    all.meta.repeat = std::max(all.meta.repeat, c.meta.repeat);
    all.meta.wall_s = std::max(all.meta.wall_s, c.meta.wall_s);
    if (all.meta.suite.empty()) all.meta.suite = c.meta.suite;
    all.meta.merged.push_back(fs::absolute(d).lexically_normal().string());
    for (auto& k : c.cases) {
      if (!ids.insert(k.id).second) twice.insert(k.id);
      all.cases.push_back(std::move(k));
    }
  }
  if (!twice.empty()) {
    std::string names;
    for (const auto& id : twice) names += (names.empty() ? "" : ", ") + id;
    throw HarnessError("the directories share runs (the same shard twice?): " + names);
  }
  all.meta.shard = shards;
  for (const auto& e : engines) all.meta.engine += (all.meta.engine.empty() ? "" : ",") + e;
  // One directory (a campaign's own results, rewritten) keeps its suite order.
  if (dirs.size() == 1) {
    all.meta.merged.clear();
    return all;
  }
  std::sort(all.cases.begin(), all.cases.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  return all;
}

Samples campaign_samples(const Campaign& c) {
  Samples out;
  for (const auto& k : c.cases) {
    if (!k.as_expected || !k.record) continue;
    auto& figures = out[k.key];
    for (const auto& m : k.record->measurements)
      if (std::isfinite(m.value)) figures[m.name].push_back(m.value);
    for (const auto& s : k.record->steps)
      if (s.status == "ok" && s.start_ns && s.end_ns)
        figures["step_s." + s.name].push_back(static_cast<double>(s.end_ns - s.start_ns) / 1e9);
  }
  return out;
}

}  // namespace failover_hil::hil
