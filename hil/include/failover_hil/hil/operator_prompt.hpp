#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace failover_hil::hil {

struct Inventory;

/// Something the product has no API for, asked of the person at the
/// appliance's web interface (docs/procedure.md, "operator steps").
struct OperatorTask {
  std::string appliance;  ///< "appA": where
  /// What, as a stable name a script can answer: sync_now,
  /// break_relationship, set_shared_ip, establish, install_update,
  /// install_file, update, verify_clients.
  std::string action;
  std::string instructions;  ///< what to click, where
  std::string verify;        ///< what the harness checks through the API afterwards
  /// The action's values: enabled, id, backup_host, backup_port, ...
  std::map<std::string, std::string> params;
};

/// Asks a person to do what the product has no API for, and waits until they
/// say it is done. The harness then verifies the result through the API.
class OperatorPrompt {
 public:
  virtual ~OperatorPrompt() = default;
  /// Returns when the operator confirms; throws HarnessError when they abort.
  virtual void ask(const OperatorTask& task) = 0;
};

/// Prints to `out`, reads a line from `in`: an empty line or "done" confirms,
/// "abort" stops the run.
class StreamPrompt final : public OperatorPrompt {
 public:
  StreamPrompt(std::istream& in, std::ostream& out) : in_(in), out_(out) {}
  void ask(const OperatorTask& task) override;

 private:
  std::istream& in_;
  std::ostream& out_;
};

/// A rehearsal's operator (docs/rehearsal.md): answers every prompt from an
/// answers file, and does what `do` answers ask on the inventory's
/// appliances, which must then be bseries-sim (their /sim/v1 API stands in
/// for the web interface). `confirm` says done without doing anything (an
/// operator's mistake the harness must catch); `abort` stops the run.
class ScriptedOperator final : public OperatorPrompt {
 public:
  enum class Answer { perform, confirm, abort };
  struct Rule {
    std::string action;     ///< "" matches every action
    std::string appliance;  ///< "" matches both
    Answer answer = Answer::perform;
    int line = 0;  ///< in the answers file, for the log
  };

  /// Reads the answers file; throws ScenarioError ("file:line: ...").
  ScriptedOperator(const std::filesystem::path& answers, const Inventory& inventory,
                   std::ostream& log);
  ~ScriptedOperator() override;
  void ask(const OperatorTask& task) override;
  /// The first rule that matches, or the file's default.
  Rule answer_for(const OperatorTask& task) const;

 private:
  struct Hands;  // the simulators' operator API, reached as the inventory says
  std::vector<Rule> rules_;
  Answer default_ = Answer::perform;
  std::unique_ptr<Hands> hands_;
  std::ostream& log_;
};

}  // namespace failover_hil::hil
