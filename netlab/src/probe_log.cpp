#include "failover_hil/netlab/probe_log.hpp"

#include <boost/json.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <utility>
#include <vector>

namespace failover_hil::netlab {

namespace json = boost::json;

namespace {

constexpr std::size_t kColumns = 11;

void append_field(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

template <class Int>
void append_int(std::string& out, Int v) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

// RFC 4180 fields of one line.
std::vector<std::string> split_csv(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          fields.back() += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (quoted) throw ProbeError("probe CSV: unterminated quoted field");
  return fields;
}

template <class Int>
Int parse_int(const std::string& text, const char* column) {
  Int v{};
  const auto res = std::from_chars(text.data(), text.data() + text.size(), v);
  if (res.ec != std::errc{} || res.ptr != text.data() + text.size())
    throw ProbeError(std::string("probe CSV: column ") + column + " is not an integer: '" + text +
                     "'");
  return v;
}

json::object percentiles_json(const Percentiles& p) {
  return {{"p50_ns", p.p50}, {"p99_ns", p.p99}, {"p999_ns", p.p999}, {"max_ns", p.max}};
}

}  // namespace

std::string probe_csv_header() {
  return "client,seq,kind,scheduled_ns,sent_ns,sent_realtime_ns,done_ns,outcome,latency_ns,"
         "served_by,error";
}

std::string probe_csv_row(std::string_view client, const ProbeRecord& r) {
  std::string out;
  out.reserve(96 + r.served_by.size() + r.error.size());
  append_field(out, client);
  out += ',';
  append_int(out, r.seq);
  out += ',';
  out += to_string(r.kind);
  out += ',';
  append_int(out, r.scheduled_ns);
  out += ',';
  append_int(out, r.sent_ns);
  out += ',';
  append_int(out, r.sent_realtime_ns);
  out += ',';
  append_int(out, r.done_ns);
  out += ',';
  out += to_string(r.outcome);
  out += ',';
  append_int(out, r.latency_ns);
  out += ',';
  append_field(out, r.served_by);
  out += ',';
  append_field(out, r.error);
  return out;
}

ProbeRecord parse_probe_csv_row(std::string_view line, std::string* client) {
  const auto f = split_csv(line);
  if (f.size() != kColumns)
    throw ProbeError("probe CSV: " + std::to_string(f.size()) + " columns, expected " +
                     std::to_string(kColumns));
  ProbeRecord r;
  if (client) *client = f[0];
  r.seq = parse_int<std::uint64_t>(f[1], "seq");
  r.kind = parse_probe_kind(f[2]);
  r.scheduled_ns = parse_int<std::int64_t>(f[3], "scheduled_ns");
  r.sent_ns = parse_int<std::int64_t>(f[4], "sent_ns");
  r.sent_realtime_ns = parse_int<std::int64_t>(f[5], "sent_realtime_ns");
  r.done_ns = parse_int<std::int64_t>(f[6], "done_ns");
  r.outcome = parse_probe_outcome(f[7]);
  r.latency_ns = parse_int<std::int64_t>(f[8], "latency_ns");
  r.served_by = f[9];
  r.error = f[10];
  return r;
}

std::string probe_summary_json(const ProbeSummary& s) {
  json::object outcomes;
  for (const auto& [name, n] : s.outcomes) outcomes[name] = n;
  const json::object o{
      {"label", s.label},
      {"kind", to_string(s.kind)},
      {"target", s.target},
      {"rate_hz", s.rate_hz},
      {"scheduled", s.scheduled},
      {"sent", s.sent},
      {"ok", s.ok},
      {"failed", s.failed},
      {"skipped", s.skipped},
      {"outcomes", std::move(outcomes)},
      {"reordered", s.reordered},
      {"duplicates", s.duplicates},
      {"late", s.late},
      {"duration_s", s.duration_s},
      {"achieved_rate_hz", s.achieved_rate_hz},
      {"send_lateness", percentiles_json(s.send_lateness)},
      {"send_interval_error", percentiles_json(s.send_interval_error)},
      {"send_interval_error_p999_pct", s.send_interval_error_p999_pct},
      {"latency", percentiles_json(s.latency)},
      {"cpu_s", s.cpu_s},
  };
  return json::serialize(o);
}

std::optional<std::int64_t> infer_answer_timeout(const std::filesystem::path& probe_log) {
  std::ifstream in(probe_log);
  if (!in) throw ProbeError("cannot read probe log " + probe_log.string());
  std::string line;
  std::getline(in, line);  // the header
  std::optional<std::int64_t> shortest;
  for (std::size_t number = 2; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    ProbeRecord r;
    try {
      r = parse_probe_csv_row(line);
    } catch (const ProbeError& e) {
      throw ProbeError(probe_log.string() + ":" + std::to_string(number) + ": " + e.what());
    }
    if (r.outcome != ProbeOutcome::timeout || r.sent_ns == 0) continue;
    const std::int64_t waited = r.done_ns - r.sent_ns;
    if (!shortest || waited < *shortest) shortest = waited;
  }
  constexpr std::int64_t kMs = 1'000'000;
  if (!shortest) return std::nullopt;
  return *shortest / kMs * kMs;
}

void write_probe_summary(const std::filesystem::path& path, const ProbeSummary& summary) {
  std::ofstream out(path, std::ios::trunc);
  out << probe_summary_json(summary) << '\n';
  out.close();
  if (!out) throw ProbeError("cannot write probe summary " + path.string());
}

ProbeLog ProbeLog::create(const std::filesystem::path& path, std::string client) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f)
    throw ProbeError("cannot create probe log " + path.string() + ": " + std::strerror(errno));
  ProbeLog log(path, std::move(client), f);
  const auto header = probe_csv_header() + '\n';
  std::fwrite(header.data(), 1, header.size(), f);
  log.flush();
  return log;
}

ProbeLog::ProbeLog(std::filesystem::path path, std::string client, std::FILE* file) noexcept
    : path_(std::move(path)), client_(std::move(client)), file_(file) {}

ProbeLog::ProbeLog(ProbeLog&& o) noexcept
    : path_(std::move(o.path_)),
      client_(std::move(o.client_)),
      file_(std::exchange(o.file_, nullptr)),
      unflushed_(o.unflushed_) {}

ProbeLog& ProbeLog::operator=(ProbeLog&& o) noexcept {
  if (this != &o) {
    if (file_) std::fclose(file_);
    path_ = std::move(o.path_);
    client_ = std::move(o.client_);
    file_ = std::exchange(o.file_, nullptr);
    unflushed_ = o.unflushed_;
  }
  return *this;
}

ProbeLog::~ProbeLog() {
  if (file_) std::fclose(file_);
}

void ProbeLog::write(const ProbeRecord& record) {
  if (!file_) return;
  auto line = probe_csv_row(client_, record);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), file_);
  // Flushed in blocks so a crash loses little and the probe thread seldom
  // waits for the disk.
  if (++unflushed_ >= 1024) flush();
}

void ProbeLog::flush() {
  if (file_) std::fflush(file_);
  unflushed_ = 0;
}

void ProbeLog::close() {
  if (!file_) return;
  const bool failed = std::ferror(file_) != 0;
  const bool close_failed = std::fclose(file_) != 0;
  file_ = nullptr;
  if (failed || close_failed) throw ProbeError("cannot write probe log " + path_.string());
}

}  // namespace failover_hil::netlab
