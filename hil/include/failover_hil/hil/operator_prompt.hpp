#pragma once

#include <functional>
#include <iosfwd>
#include <string>

namespace failover_hil::hil {

/// Asks a person to do what the product has no API for, and waits until they
/// say it is done. The harness then verifies the result through the API.
class OperatorPrompt {
 public:
  virtual ~OperatorPrompt() = default;
  /// `appliance` names where, `instructions` says what to click. Returns when
  /// the operator confirms; throws HarnessError when they abort.
  virtual void ask(const std::string& appliance, const std::string& instructions) = 0;
};

/// Prints to `out`, reads a line from `in`: an empty line or "done" confirms,
/// "abort" stops the run.
class StreamPrompt final : public OperatorPrompt {
 public:
  StreamPrompt(std::istream& in, std::ostream& out) : in_(in), out_(out) {}
  void ask(const std::string& appliance, const std::string& instructions) override;

 private:
  std::istream& in_;
  std::ostream& out_;
};

}  // namespace failover_hil::hil
