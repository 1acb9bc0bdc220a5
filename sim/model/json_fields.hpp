#pragma once
// Private to sim_model: typed reads of JSON objects that name the field on error.

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "failover_hil/core/byte_reader.hpp"
#include "failover_hil/core/clock.hpp"

namespace failover_hil::sim::detail {

class Fields {
 public:
  Fields(const boost::json::value& v, std::string what) : what_(std::move(what)) {
    if (!v.is_object()) bad("", "expected an object");
    o_ = &v.get_object();
  }
  const boost::json::object& object() const { return *o_; }
  bool has(const char* k) const { return o_->contains(k) && !o_->at(k).is_null(); }

  std::string str(const char* k) const {
    const auto& v = get(k);
    if (!v.is_string()) bad(k, "expected a string");
    return std::string(v.get_string());
  }
  std::int64_t i64(const char* k) const {
    const auto& v = get(k);
    if (!v.is_int64() && !v.is_uint64()) bad(k, "expected an integer");
    return v.to_number<std::int64_t>();
  }
  std::uint64_t u64(const char* k) const {
    const auto n = i64(k);
    if (n < 0) bad(k, "expected a non-negative integer");
    return static_cast<std::uint64_t>(n);
  }
  double num(const char* k) const {
    const auto& v = get(k);
    if (!v.is_number()) bad(k, "expected a number");
    return v.to_number<double>();
  }
  bool boolean(const char* k) const {
    const auto& v = get(k);
    if (!v.is_bool()) bad(k, "expected true or false");
    return v.get_bool();
  }
  TimePoint time(const char* k) const { return TimePoint{Duration{i64(k)}}; }
  std::optional<TimePoint> opt_time(const char* k) const {
    return has(k) ? std::optional<TimePoint>(time(k)) : std::nullopt;
  }
  const boost::json::array& arr(const char* k) const {
    const auto& v = get(k);
    if (!v.is_array()) bad(k, "expected an array");
    return v.get_array();
  }
  Fields sub(const char* k) const { return Fields(get(k), what_ + "." + k); }
  const boost::json::value& get(const char* k) const {
    const auto* v = o_->if_contains(k);
    if (!v) bad(k, "missing");
    return *v;
  }
  [[noreturn]] void bad(const std::string& k, const std::string& why) const {
    throw MalformedInput(what_, 0, "field '" + k + "': " + why);
  }

 private:
  const boost::json::object* o_ = nullptr;
  std::string what_;
};

inline std::int64_t ms(TimePoint t) {
  return t.time_since_epoch().count();
}

}  // namespace failover_hil::sim::detail
