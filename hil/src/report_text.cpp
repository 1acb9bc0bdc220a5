#include "report_text.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

namespace failover_hil::hil::report_text {

namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

// The length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF)
    n = 2;
  else if (c >= 0xE0 && c <= 0xEF)
    n = 3;
  else if (c >= 0xF0 && c <= 0xF4)
    n = 4;
  else
    return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  return n;
}

std::string printf_double(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

}  // namespace

std::string rfc3339_utc(std::int64_t ns) {
  using namespace std::chrono;
  const sys_time<nanoseconds> t{nanoseconds{ns}};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<nanoseconds> hms{t - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%09lldZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<long long>(hms.hours().count()),
                static_cast<long long>(hms.minutes().count()),
                static_cast<long long>(hms.seconds().count()),
                static_cast<long long>(hms.subseconds().count()));
  return buf;
}

std::string readable_utc(std::int64_t ns) {
  std::string s = rfc3339_utc(ns);  // 2024-05-01T12:00:00.123456789Z
  s[10] = ' ';
  return s.substr(0, 23) + " UTC";
}

std::string number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  std::string s = printf_double("%.3f", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string outage_length(std::int64_t ns) {
  const double ms = static_cast<double>(ns) / 1e6;
  if (ms >= 10'000) return printf_double("%.1f s", ms / 1000);
  return printf_double(ms < 1 ? "%.2f ms" : "%.1f ms", ms);
}

std::string duration(std::int64_t ns) {
  if (ns < 0) return "-" + duration(-ns);
  const double s = static_cast<double>(ns) / 1e9;
  if (s < 0.01) return printf_double("%.1f ms", s * 1000);
  if (s < 1) return printf_double("%.0f ms", s * 1000);
  if (s < 60) return printf_double("%.1f s", s);
  const auto whole = ns / 1'000'000'000;
  char buf[64];
  if (whole < 3600)
    std::snprintf(buf, sizeof buf, "%lld min %02lld s", static_cast<long long>(whole / 60),
                  static_cast<long long>(whole % 60));
  else
    std::snprintf(buf, sizeof buf, "%lld h %02lld min", static_cast<long long>(whole / 3600),
                  static_cast<long long>(whole / 60 % 60));
  return buf;
}

std::string offset(std::int64_t ns) {
  if (ns < 0) return "-" + offset(-ns);
  const auto ms = ns / 1'000'000;
  const auto h = ms / 3'600'000, m = ms / 60'000 % 60, s = ms / 1000 % 60, frac = ms % 1000;
  char buf[64];
  if (h > 0)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld.%03lld", static_cast<long long>(h),
                  static_cast<long long>(m), static_cast<long long>(s),
                  static_cast<long long>(frac));
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld.%03lld", static_cast<long long>(m),
                  static_cast<long long>(s), static_cast<long long>(frac));
  return buf;
}

std::string value_with_unit(double v, const std::string& unit) {
  // Counts and ratios read better bare ("3", "0.999").
  if (unit.empty() || unit == "count" || unit == "ratio") return number(v);
  return number(v) + " " + unit;
}

std::string limit_text(const Measurement& m) {
  return m.limit ? m.op + " " + value_with_unit(*m.limit, m.unit) : std::string();
}

std::string measurement_failure(const Measurement& m) {
  const std::string lhs = m.name + " = " + value_with_unit(m.value, m.unit);
  if (!m.limit) return lhs + " (failed)";
  std::string negated = "not " + m.op;
  if (m.op == "<=")
    negated = ">";
  else if (m.op == ">=")
    negated = "<";
  else if (m.op == "==")
    negated = "!=";
  else if (m.op == "<")
    negated = ">=";
  else if (m.op == ">")
    negated = "<=";
  return lhs + " " + negated + " " + value_with_unit(*m.limit, m.unit);
}

std::string switch_method_label(const std::string& method) {
  if (method == "shared_ip") return "shared IP";
  if (method == "dns") return "DNS";
  if (method == "nat") return "NAT";
  return method;
}

std::string xml_safe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      out += replacement;
      ++i;
      continue;
    }
    const auto n = utf8_length(s, i);
    if (n == 0) {
      out += replacement;
      ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

std::string escape_xml(std::string_view s) {
  const std::string safe = xml_safe(s);
  std::string out;
  out.reserve(safe.size() + safe.size() / 8);
  for (const char c : safe) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string one_line(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  return out;
}

std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

std::string truncate(std::string_view s, std::size_t width) {
  if (width == 0) return {};
  if (display_width(s) <= width) return std::string(s);
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && ++n == width) break;
    out += s[i];
  }
  return out + "…";
}

}  // namespace failover_hil::hil::report_text
