#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include "failover_hil/netlab/probe.hpp"
#include "failover_hil/netlab/probe_stats.hpp"

namespace failover_hil::netlab {

/// The CSV header line (no newline) of a probe log; docs/probes.md
/// describes each column.
std::string probe_csv_header();

/// One record as a CSV line (no newline). `client` is the runner's label.
/// Text fields are quoted when they hold a comma, quote or line break
/// (RFC 4180), so any CSV reader takes them.
std::string probe_csv_row(std::string_view client, const ProbeRecord& record);

/// Parses a line probe_csv_row wrote (for tests and analysis); throws
/// ProbeError naming the column otherwise.
ProbeRecord parse_probe_csv_row(std::string_view line, std::string* client = nullptr);

/// The summary as a JSON object (docs/probes.md).
std::string probe_summary_json(const ProbeSummary& summary);

/// A probe log being written: a CSV file, one line per record in the order
/// outcomes were known, buffered and flushed every 1024 records and on
/// close. Not thread-safe (the runner writes from its probe
/// thread). Move-only.
class ProbeLog {
 public:
  /// Creates (truncates) `path` and writes the header. Throws ProbeError.
  static ProbeLog create(const std::filesystem::path& path, std::string client);
  ProbeLog(ProbeLog&& other) noexcept;
  ProbeLog& operator=(ProbeLog&& other) noexcept;
  ProbeLog(const ProbeLog&) = delete;
  ProbeLog& operator=(const ProbeLog&) = delete;
  ~ProbeLog();

  void write(const ProbeRecord& record);
  void flush();
  /// Flushes and closes; throws ProbeError when the data could not be written.
  void close();
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  ProbeLog(std::filesystem::path path, std::string client, std::FILE* file) noexcept;
  std::filesystem::path path_;
  std::string client_;
  std::FILE* file_ = nullptr;
  std::size_t unflushed_ = 0;
};

/// The probes' deadline as a probe log shows it, for the capture analyser's
/// answer timeout (`analyze --probe-log`): the shortest wait of a `timeout`
/// record (done_ns - sent_ns), rounded down to the millisecond (deadlines are
/// whole milliseconds; the timer fires at or after one). nullopt when no
/// probe timed out. Throws ProbeError when the file cannot be read or a
/// line is not a probe record (naming the line).
std::optional<std::int64_t> infer_answer_timeout(const std::filesystem::path& probe_log);

/// Writes probe_summary_json(summary) to `path`; throws ProbeError.
void write_probe_summary(const std::filesystem::path& path, const ProbeSummary& summary);

}  // namespace failover_hil::netlab
