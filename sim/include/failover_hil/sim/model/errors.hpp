#pragma once

#include <stdexcept>
#include <string>

namespace failover_hil::sim {

/// The root of every error the appliance model raises. The message says what
/// was refused and what to do; `rule()` names the rule of docs/rules.md (e.g. "R17")
/// behind the refusal, or is empty.
class ModelError : public std::runtime_error {
 public:
  ModelError(std::string rule, const std::string& message)
      : std::runtime_error(rule.empty() ? message : rule + ": " + message),
        rule_(std::move(rule)) {}
  const std::string& rule() const noexcept { return rule_; }

 private:
  std::string rule_;
};

}  // namespace failover_hil::sim
