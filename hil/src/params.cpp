#include "failover_hil/hil/params.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace failover_hil::hil {

namespace {

template <class T>
const T& get(const std::map<std::string, ParamValue, std::less<>>& values, std::string_view key) {
  const auto it = values.find(key);
  if (it == values.end()) throw std::logic_error("parameter '" + std::string(key) + "' is absent");
  const auto* v = std::get_if<T>(&it->second);
  if (!v) throw std::logic_error("parameter '" + std::string(key) + "' has another kind");
  return *v;
}

std::string number_text(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::ostringstream o;
  o << v;
  return o.str();
}

}  // namespace

double ParamValues::number(std::string_view key) const {
  return get<double>(values_, key);
}
const std::string& ParamValues::text(std::string_view key) const {
  return get<std::string>(values_, key);
}
bool ParamValues::flag(std::string_view key) const {
  return get<bool>(values_, key);
}
const std::vector<std::string>& ParamValues::list(std::string_view key) const {
  return get<std::vector<std::string>>(values_, key);
}

std::map<std::string, std::string> ParamValues::as_text() const {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : values_) {
    if (const auto* d = std::get_if<double>(&v)) out[k] = number_text(*d);
    if (const auto* s = std::get_if<std::string>(&v)) out[k] = *s;
    if (const auto* b = std::get_if<bool>(&v)) out[k] = *b ? "true" : "false";
    if (const auto* l = std::get_if<std::vector<std::string>>(&v)) {
      std::string joined;
      for (const auto& x : *l) joined += (joined.empty() ? "" : ",") + x;
      out[k] = joined;
    }
  }
  return out;
}

std::string describe(const ParamDef& p) {
  switch (p.kind) {
    case ParamKind::choice: {
      std::string s = "one of ";
      for (std::size_t i = 0; i < p.choices.size(); ++i)
        s += (i ? ", " : "") + std::string(p.choices[i]);
      return s;
    }
    case ParamKind::number:
    case ParamKind::integer:
      return std::string(p.kind == ParamKind::integer ? "integer" : "number") + " in " +
             (p.range.lo_exclusive ? "(" : "[") + number_text(p.range.lo) + ", " +
             number_text(p.range.hi) + "]";
    case ParamKind::boolean:
      return "true or false";
    case ParamKind::host:
      return "a lab host";
    case ParamKind::host_pair:
      return "a list of two lab hosts";
  }
  return {};
}

}  // namespace failover_hil::hil
