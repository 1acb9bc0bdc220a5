// failover-hil report RUN_DIR | report --merge DIR... --out DIR, and
// baseline save DIR... --out FILE (docs/cli.md, docs/regress.md).
#include <unistd.h>

#include <iostream>

#include "commands.hpp"
#include "failover_hil/core/text_file.hpp"
#include "failover_hil/hil/appliance_driver.hpp"
#include "failover_hil/hil/campaign.hpp"
#include "failover_hil/hil/report.hpp"
#include "failover_hil/hil/runner.hpp"

namespace failover_hil::cli {

namespace fs = std::filesystem;

namespace {

struct MergeOptions {
  bool merge = false;
  std::string out, baseline;
  hil::CompareRule rule;
};

int merge(const std::vector<std::string>& dirs, const MergeOptions& o) {
  if (o.out.empty()) throw hil::HarnessError("report --merge writes one directory: add --out DIR");
  const auto campaign = hil::merge_campaigns({dirs.begin(), dirs.end()});
  std::vector<hil::Comparison> comparison;
  if (!o.baseline.empty())
    comparison = hil::compare_with_baseline(hil::campaign_samples(campaign),
                                            hil::load_baseline(o.baseline), o.rule);
  std::cout << hil::write_campaign(o.out, campaign, comparison, o.rule);
  return hil::campaign_status(campaign, comparison);
}

}  // namespace

Action add_report(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "report", "Re-analyse a run directory and rewrite its reports, or merge campaigns");
  auto dirs = std::make_shared<std::vector<std::string>>();
  auto o = std::make_shared<MergeOptions>();
  cmd->add_option("dirs", *dirs, "A run directory (runs/...); with --merge, campaign directories")
      ->required();
  cmd->add_flag("--merge", o->merge,
                "Join the results of ci/regress campaigns (shards) into one directory");
  cmd->add_option("--out", o->out, "With --merge: the directory to write");
  cmd->add_option("--baseline", o->baseline, "With --merge: compare with this baseline file")
      ->check(CLI::ExistingFile);
  cmd->add_option("--factor", o->rule.factor,
                  "A median this many times the baseline's, significant, is a regression")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--alpha", o->rule.alpha, "Significance of the one-sided Mann-Whitney U test")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  return [=]() -> int {
    if (!*cmd) return -1;
    if (o->merge) return merge(*dirs, *o);
    if (dirs->size() != 1 || !o->out.empty() || !o->baseline.empty())
      throw hil::HarnessError(
          "report takes one run directory; to join campaign directories add --merge --out DIR");
    const auto& dir = dirs->front();
    const auto record = hil::evaluate_run(dir);
    hil::write_reports(record, dir);
    std::cout << hil::render_summary(record, ::isatty(1) != 0) << std::endl;
    return hil::exit_status(record);
  };
}

Action add_baseline(CLI::App& app) {
  auto* cmd = app.add_subcommand("baseline", "Keep campaigns' figures as a baseline");
  cmd->require_subcommand(1);
  auto* save = cmd->add_subcommand(
      "save", "Store every figure's distribution from campaigns run with --repeat K");
  auto dirs = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  save->add_option("dirs", *dirs, "Campaign directories (ci/regress --out)")->required();
  save->add_option("--out", *out, "The baseline file to write")->required();
  return [=]() -> int {
    if (!*save) return -1;
    const auto campaign = hil::merge_campaigns({dirs->begin(), dirs->end()});
    const auto samples = hil::campaign_samples(campaign);
    if (samples.empty())
      throw hil::HarnessError(
          "no run ended as expected in the campaign directories given: "
          "nothing to keep");
    std::vector<std::string> sources;
    for (const auto& d : *dirs) sources.push_back(fs::absolute(d).lexically_normal().string());
    write_text(*out, hil::baseline_json(samples, sources));
    std::size_t n = 0;
    for (const auto& [key, figures] : samples)
      for (const auto& [name, values] : figures) n += values.size();
    std::cout << "baseline " << *out << ": " << samples.size() << " scenario/method pairs, " << n
              << " samples\n";
    return 0;
  };
}

}  // namespace failover_hil::cli
