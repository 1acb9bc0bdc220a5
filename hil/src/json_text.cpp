// pretty_json (json_text.hpp): report.json's and cases.json's layout.
#include "json_text.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>

#include "failover_hil/core/text_file.hpp"

namespace failover_hil::hil {

namespace json = boost::json;

namespace {

// A record per line: a container that fits in kLine columns, or an array
// element whose own containers are that small (a step, an event, a sample),
// is written on one line, so the file reads and diffs a record at a time.
constexpr std::size_t kLine = 100;

// Like json::serialize, but doubles in their shortest round-trip form
// ("3.2", not Boost's "3.2E0"), as people read them.
void write_compact(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::double_: {
      char buf[32];
      const auto end = std::to_chars(buf, buf + sizeof buf, v.get_double()).ptr;
      out.append(buf, end);
      return;
    }
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& x : v.get_array()) {
        if (!first) out += ',';
        first = false;
        write_compact(out, x);
      }
      out += ']';
      return;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += json::serialize(kv.key());
        out += ':';
        write_compact(out, kv.value());
      }
      out += '}';
      return;
    }
    default:
      out += json::serialize(v);
  }
}

std::string compact(const json::value& v) {
  std::string out;
  write_compact(out, v);
  return out;
}

bool is_flat(const json::value& v) {
  auto small = [](const json::value& x) { return x.is_primitive() || compact(x).size() <= kLine; };
  if (v.is_object()) {
    const auto& o = v.get_object();
    return std::all_of(o.begin(), o.end(), [&](const auto& kv) { return small(kv.value()); });
  }
  const auto& a = v.get_array();
  return std::all_of(a.begin(), a.end(), small);
}

void write_pretty(std::string& out, const json::value& v, std::size_t indent, bool in_array) {
  const std::string one_line = compact(v);
  if (v.is_primitive() || indent + one_line.size() <= kLine || (in_array && is_flat(v))) {
    out += one_line;
    return;
  }
  const bool is_object = v.is_object();
  out += is_object ? "{\n" : "[\n";
  bool first = true;
  auto item = [&](const json::string_view* key, const json::value& x) {
    if (!first) out += ",\n";
    first = false;
    out.append(indent + 2, ' ');
    if (key) {
      out += json::serialize(*key);
      out += ": ";
    }
    write_pretty(out, x, indent + 2, !is_object);
  };
  if (is_object) {
    for (const auto& kv : v.get_object()) {
      const json::string_view key = kv.key();
      item(&key, kv.value());
    }
  } else {
    for (const auto& x : v.get_array()) item(nullptr, x);
  }
  out += "\n";
  out.append(indent, ' ');
  out += is_object ? "}" : "]";
}

}  // namespace

std::string pretty_json(const json::value& v) {
  std::string out;
  write_pretty(out, v, 0, false);
  return out;
}

json::value parse_json_file(const std::filesystem::path& file, std::string& why) {
  std::string text;
  try {
    text = read_text(file);
  } catch (const std::exception& e) {
    why = e.what();
    return nullptr;
  }
  boost::system::error_code ec;
  auto doc = json::parse(text, ec);
  if (ec) {
    why = ec.message();
    return nullptr;
  }
  return doc;
}

}  // namespace failover_hil::hil
