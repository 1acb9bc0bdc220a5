#pragma once
// A regression campaign's results (docs/regress.md): the runs `ci/regress`
// made, each judged from its report.json; shards merged into one; baselines
// of every figure and the statistical comparison with them. Behind
// `failover-hil report --merge` and `failover-hil baseline save`.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "failover_hil/hil/run_record.hpp"

namespace failover_hil::hil {

/// The schema of a baseline file.
inline constexpr const char* baseline_schema = "failover-hil/baseline/1";

/// One run of a campaign, as cases.json lists it, with its report.
struct CampaignCase {
  std::string id;             ///< scenario@method#k
  std::string key;            ///< scenario@method
  std::string scenario;       ///< a shipped name or a file
  std::string switch_method;  ///< "" when the scenario's own
  int repeat = 1;
  int exit_status = 0;
  double wall_s = 0;
  std::filesystem::path run_dir;    ///< absolute once read
  std::optional<RunRecord> record;  ///< none when report.json is missing or unreadable
  std::string outcome;              ///< the record's, or "no report"
  std::string reason;
  /// Ended as its scenario expects, and the run exited 0 or 1 (a report).
  bool as_expected = false;
  /// Checks that failed and were not waived.
  std::vector<std::string> failed_checks() const;
};

/// The campaign's own facts (cases.json's top level).
struct CampaignMeta {
  std::string shard = "1/1";
  std::string engine;
  int jobs = 1;
  int repeat = 1;
  double wall_s = 0;
  std::string suite;
  std::vector<std::string> merged;  ///< the directories a merge joined
};

struct Campaign {
  CampaignMeta meta;
  std::vector<CampaignCase> cases;
};

/// Reads DIR/cases.json and each run's report.json. Throws HarnessError
/// naming the file when cases.json is missing or not a campaign's.
Campaign read_campaign(const std::filesystem::path& dir);

/// Several shards' campaigns as one, runs sorted by id. Throws HarnessError
/// when two directories hold the same run (the same shard twice).
Campaign merge_campaigns(const std::vector<std::filesystem::path>& dirs);

/// Figures by scenario@method, then by name: every numeric measurement and
/// each finished step's duration (`step_s.<step>`), of runs as expected.
using Samples = std::map<std::string, std::map<std::string, std::vector<double>>>;
Samples campaign_samples(const Campaign& c);

/// A baseline file's text (baseline_schema), from these campaigns.
std::string baseline_json(const Samples& samples, const std::vector<std::string>& sources);
/// Reads a baseline file; throws HarnessError naming it and what to do.
Samples load_baseline(const std::filesystem::path& file);

/// One-sided Mann-Whitney U test that `now` tends to be larger than `base`:
/// the p-value. Exact (the distribution of rank sums over every split of the
/// pooled samples, ties by midranks) up to 200 samples in all, else the
/// normal approximation with a tie correction.
double mann_whitney_greater(const std::vector<double>& now, const std::vector<double>& base);

struct Comparison {
  std::string key, figure;
  std::vector<double> base, now;
  double base_median = 0, now_median = 0;
  std::optional<double> ratio, p;  ///< none with too few samples
  std::string verdict;             ///< ok | REGRESSED | too few samples
};

struct CompareRule {
  double factor = 1.5;  ///< a median this many times the baseline's...
  double alpha = 0.01;  ///< ...with p below this is a regression
  std::size_t min_samples = 3;
};

/// Each figure present on both sides, judged by `rule`.
std::vector<Comparison> compare_with_baseline(const Samples& now, const Samples& base,
                                              const CompareRule& rule);

/// Writes cases.json (run directories relative to `out`), junit.xml,
/// summary.txt and index.html into `out`; returns the summary text.
std::string write_campaign(const std::filesystem::path& out, const Campaign& c,
                           const std::vector<Comparison>& comparison, const CompareRule& rule);

/// 0 when every run ended as expected with every check held and nothing
/// regressed; 1 otherwise; 2 when the campaign holds no run.
int campaign_status(const Campaign& c, const std::vector<Comparison>& comparison);

}  // namespace failover_hil::hil
