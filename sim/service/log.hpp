#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include "failover_hil/core/clock.hpp"

namespace failover_hil::sim::service {

enum class LogLevel { debug, info, warn, error };

/// Line-oriented log to stderr: "<RFC 3339> <level> <name>: <text>".
/// Secrets (keys, client secrets, tokens) are never passed to it.
class Log {
 public:
  Log(std::string name, LogLevel level) : name_(std::move(name)), level_(level) {}
  void operator()(LogLevel l, const std::string& text) {
    if (l < level_) return;
    static constexpr const char* names[] = {"debug", "info", "warn", "error"};
    std::lock_guard lock(mu_);
    std::fprintf(stderr, "%s %s %s: %s\n", format_rfc3339(wall_.now()).c_str(),
                 names[static_cast<int>(l)], name_.c_str(), text.c_str());
    std::fflush(stderr);
  }
  void info(const std::string& t) { (*this)(LogLevel::info, t); }
  void warn(const std::string& t) { (*this)(LogLevel::warn, t); }
  void error(const std::string& t) { (*this)(LogLevel::error, t); }
  void set_name(std::string n) { name_ = std::move(n); }

 private:
  std::string name_;
  LogLevel level_;
  SystemClock wall_;
  std::mutex mu_;
};

}  // namespace failover_hil::sim::service
