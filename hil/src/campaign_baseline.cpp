// Baselines: every figure's distribution kept from repeated runs, and a new
// campaign judged against it by a one-sided Mann-Whitney U test on top of a
// median ratio, so one slow run does not fail a build and a real slowdown
// that stays under a fixed budget does not pass.
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <limits>

#include "failover_hil/hil/appliance_driver.hpp"
#include "failover_hil/hil/campaign.hpp"
#include "json_text.hpp"

namespace failover_hil::hil {

namespace json = boost::json;

namespace {

std::string utc_now() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Twice each value's midrank in the pooled samples: whole numbers, so rank
// sums can index a table.
std::vector<long> doubled_midranks(const std::vector<double>& pooled) {
  std::vector<std::size_t> order(pooled.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return pooled[a] < pooled[b]; });
  std::vector<long> rank(pooled.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && pooled[order[j]] == pooled[order[i]]) ++j;
    for (std::size_t k = i; k < j; ++k) rank[order[k]] = static_cast<long>(i + j + 1);
    i = j;
  }
  return rank;
}

// Up to this many samples in all, the exact distribution of rank sums is
// counted (about N^4/2 steps); beyond, the normal approximation is close.
constexpr std::size_t kExactUpTo = 60;

double exact_p(const std::vector<long>& rank, std::size_t n, long observed) {
  long total = 0;
  for (const auto r : rank) total += r;
  // ways[k][s]: subsets of k pooled samples whose doubled ranks sum to s.
  std::vector<std::vector<double>> ways(n + 1, std::vector<double>(total + 1, 0));
  ways[0][0] = 1;
  for (const auto r : rank)
    for (std::size_t k = n; k >= 1; --k)
      for (long s = total; s >= r; --s) ways[k][s] += ways[k - 1][s - r];
  double all = 0, at_least = 0;
  for (long s = 0; s <= total; ++s) {
    all += ways[n][s];
    if (s >= observed) at_least += ways[n][s];
  }
  return all > 0 ? at_least / all : 1.0;
}

}  // namespace

double mann_whitney_greater(const std::vector<double>& now, const std::vector<double>& base) {
  const std::size_t n = now.size(), m = base.size();
  if (n == 0 || m == 0) return 1.0;
  std::vector<double> pooled(now);
  pooled.insert(pooled.end(), base.begin(), base.end());
  const auto rank = doubled_midranks(pooled);
  long observed = 0;
  for (std::size_t i = 0; i < n; ++i) observed += rank[i];
  if (n + m <= kExactUpTo) return exact_p(rank, n, observed);
  const double u = static_cast<double>(observed) / 2 - static_cast<double>(n * (n + 1)) / 2;
  double ties = 0;
  auto sorted = pooled;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    const double t = static_cast<double>(j - i);
    ties += t * t * t - t;
    i = j;
  }
  const double nn = static_cast<double>(n), mm = static_cast<double>(m), N = nn + mm;
  const double sigma = std::sqrt(nn * mm / 12 * ((N + 1) - ties / (N * (N - 1))));
  if (sigma == 0) return 1.0;
  const double z = (u - nn * mm / 2 - 0.5) / sigma;
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

std::vector<Comparison> compare_with_baseline(const Samples& now, const Samples& base,
                                              const CompareRule& rule) {
  std::vector<Comparison> rows;
  for (const auto& [key, figures] : now) {
    const auto b = base.find(key);
    if (b == base.end()) continue;
    for (const auto& [figure, values] : figures) {
      const auto f = b->second.find(figure);
      if (f == b->second.end() || f->second.empty()) continue;
      Comparison row{key, figure, f->second, values, median(f->second), median(values)};
      if (values.size() < rule.min_samples || f->second.size() < rule.min_samples) {
        row.verdict = "too few samples";
      } else {
        const double bm = row.base_median, vm = row.now_median;
        row.ratio = bm > 0 ? vm / bm : vm > 0 ? std::numeric_limits<double>::infinity() : 1.0;
        row.p = mann_whitney_greater(values, f->second);
        row.verdict = *row.ratio > rule.factor && *row.p < rule.alpha ? "REGRESSED" : "ok";
      }
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

std::string baseline_json(const Samples& samples, const std::vector<std::string>& sources) {
  json::object doc;
  doc["schema"] = baseline_schema;
  doc["created"] = utc_now();
  json::array from;
  for (const auto& s : sources) from.emplace_back(s);
  doc["from"] = std::move(from);
  json::object by_key;
  for (const auto& [key, figures] : samples) {
    json::object f;
    for (const auto& [name, values] : figures) {
      json::array a;
      for (const double v : values) a.emplace_back(v);
      f[name] = std::move(a);
    }
    by_key[key] = std::move(f);
  }
  doc["samples"] = std::move(by_key);
  return pretty_json(doc) + "\n";
}

Samples load_baseline(const std::filesystem::path& file) {
  const auto refuse = [&](const std::string& why) -> HarnessError {
    return HarnessError("--baseline " + file.string() + ": " + why +
                        "; make one with `failover-hil baseline save DIR... --out FILE`");
  };
  std::string why;
  const auto doc = parse_json_file(file, why);
  if (!why.empty()) throw refuse(why);
  const auto* o = doc.if_object();
  const auto* schema = o ? o->if_contains("schema") : nullptr;
  if (!schema || !schema->is_string() || schema->get_string() != baseline_schema)
    throw refuse(std::string("not a baseline (") + baseline_schema + ")");
  const auto* by_key = o->if_contains("samples");
  if (!by_key || !by_key->is_object()) throw refuse("no \"samples\" object");
  Samples out;
  for (const auto& [key, figures] : by_key->get_object()) {
    if (!figures.is_object()) throw refuse("samples." + std::string(key) + ": expected an object");
    for (const auto& [name, values] : figures.get_object()) {
      const auto where = "samples." + std::string(key) + "." + std::string(name);
      if (!values.is_array()) throw refuse(where + ": expected a list of numbers");
      auto& into = out[std::string(key)][std::string(name)];
      for (const auto& v : values.get_array()) {
        if (!v.is_number()) throw refuse(where + ": expected a list of numbers");
        const double d = v.to_number<double>();
        if (!std::isfinite(d)) throw refuse(where + ": a value is not finite");
        into.push_back(d);
      }
    }
  }
  return out;
}

}  // namespace failover_hil::hil
