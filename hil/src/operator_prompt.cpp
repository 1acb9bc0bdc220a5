#include "failover_hil/hil/operator_prompt.hpp"

#include <chrono>
#include <istream>
#include <ostream>

#include "failover_hil/hil/child_process.hpp"
#include "failover_hil/hil/http_driver.hpp"
#include "failover_hil/hil/inventory.hpp"
#include "yaml_reader.hpp"

namespace failover_hil::hil {

using namespace std::chrono_literals;

void StreamPrompt::ask(const OperatorTask& task) {
  out_ << "\n>>> On " << task.appliance << " (" << task.action << "): " << task.instructions
       << (task.verify.empty() ? ""
                               : "\n>>> Then the harness checks through the API: " + task.verify)
       << "\n>>> Press Enter when done (or type 'abort'): " << std::flush;
  std::string line;
  if (!std::getline(in_, line))
    throw HarnessError("operator prompt for " + task.appliance + ": no answer (input closed)");
  if (line == "abort") throw HarnessError("the operator aborted at: " + task.instructions);
}

namespace {

constexpr std::string_view kActions[] = {"sync_now",  "break_relationship", "set_shared_ip",
                                         "establish", "install_update",     "install_file",
                                         "update",    "verify_clients"};

const char* answer_name(ScriptedOperator::Answer a) {
  switch (a) {
    case ScriptedOperator::Answer::perform:
      return "do";
    case ScriptedOperator::Answer::confirm:
      return "confirm";
    case ScriptedOperator::Answer::abort:
      return "abort";
  }
  return "?";
}

ScriptedOperator::Answer read_answer(const yaml::Reader& r, const YAML::Node& n,
                                     const std::string& path) {
  const auto s = r.choice(n, path, {"do", "confirm", "abort"});
  return s == "do"        ? ScriptedOperator::Answer::perform
         : s == "confirm" ? ScriptedOperator::Answer::confirm
                          : ScriptedOperator::Answer::abort;
}

std::uint16_t port_param(const OperatorTask& t, const std::string& key) {
  return static_cast<std::uint16_t>(std::stoi(t.params.at(key)));
}

}  // namespace

/// The operator's hands: each appliance's simulator API (its stand-in for
/// the web interface), reached with the inventory's address, trust and
/// credentials.
struct ScriptedOperator::Hands {
  std::map<std::string, std::unique_ptr<HttpDriver>> at;

  HttpDriver& on(const std::string& appliance) {
    const auto it = at.find(appliance);
    if (it == at.end())
      throw HarnessError("the scripted operator was asked about '" + appliance +
                         "', which the inventory does not name");
    return *it->second;
  }

  /// Installs what the appliance offers, Base first, a fresh backup before
  /// the software (R06), each to its end.
  static void update(HttpDriver& d) {
    for (const auto& offer : d.check_for_updates()) {
      if (offer.id.rfind("sw-", 0) == 0) d.download_backup("operator-backup");
      d.install_update(offer.id);
      if (!wait_until([&] { return d.status().state != OperatingState::installing; }, 300s))
        throw HarnessError("the scripted operator's install of " + offer.id + " on " + d.name() +
                           " did not end within 300 s");
      if (const auto s = d.status(); s.state != OperatingState::running)
        throw HarnessError("the install of " + offer.id + " on " + d.name() + " ended " +
                           std::string(hil::to_string(s.state)) +
                           "; as R07 says, the operator does not restart it and aborts");
    }
  }

  void perform(const OperatorTask& t) {
    auto& d = on(t.appliance);
    const auto& a = t.action;
    if (a == "sync_now") {
      d.sync_now();
    } else if (a == "break_relationship") {
      d.break_relationship();
    } else if (a == "set_shared_ip") {
      d.set_shared_ip(t.params.at("enabled") == "true");
    } else if (a == "establish") {
      d.establish(t.params.at("backup_host"), port_param(t, "backup_port"),
                  t.params.at("reverse_host"), port_param(t, "reverse_port"));
    } else if (a == "install_update") {
      d.install_update(t.params.at("id"));
    } else if (a == "update") {
      update(d);
    } else if (a == "verify_clients") {
      // The operator's own client machines: nothing to do on the appliance.
    } else {
      throw HarnessError("the scripted operator cannot do '" + a + "' (" + t.instructions +
                         "); answer it with confirm or abort in the answers file");
    }
  }
};

ScriptedOperator::ScriptedOperator(const std::filesystem::path& answers, const Inventory& inventory,
                                   std::ostream& log)
    : hands_(std::make_unique<Hands>()), log_(log) {
  const yaml::Reader r(answers);
  const auto y = yaml::parse_document(yaml::read_text(answers, "operator answers file"), answers);
  try {
    r.expect_map(y, "", "with default and answers (docs/rehearsal.md)");
    r.check_keys(y, "", {"default", "answers"});
    if (const auto d = y["default"]) default_ = read_answer(r, d, "default");
    if (const auto list = y["answers"]) {
      if (!list.IsSequence())
        r.fail(list, "'answers' is " + yaml::Reader::found(list) +
                         "; expected a list of {action, appliance, answer}");
      for (std::size_t i = 0; i < list.size(); ++i) {
        const auto n = list[i];
        const auto path = "answers[" + std::to_string(i) + "]";
        r.expect_map(n, path, "{action, appliance, answer}");
        r.check_keys(n, path, {"action", "appliance", "answer"});
        Rule rule;
        rule.line = yaml::Reader::line(n);
        if (n["action"]) {
          std::vector<std::string_view> actions(std::begin(kActions), std::end(kActions));
          rule.action = r.choice(n["action"], path + ".action", actions);
        }
        if (n["appliance"]) {
          rule.appliance = r.text(n["appliance"], path + ".appliance");
          if (rule.appliance != inventory.a.name && rule.appliance != inventory.b.name)
            r.fail(n["appliance"], "'" + path + ".appliance' is '" + rule.appliance +
                                       "'; expected " + inventory.a.name + " or " +
                                       inventory.b.name + " (the inventory's names)");
        }
        rule.answer =
            read_answer(r, r.required(n, path, "answer", "do, confirm or abort"), path + ".answer");
        rules_.push_back(rule);
      }
    }
  } catch (const YAML::Exception& e) {
    throw ScenarioError(answers.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  for (const auto* a : {&inventory.a, &inventory.b}) {
    HttpDriverConfig c{a->name,
                       a->host,
                       a->port,
                       TlsTrust{a->ca_file.string(), a->fingerprint, false},
                       ApiCredentials::from_file(a->credentials_file),
                       true,
                       {}};
    hands_->at[a->name] = std::make_unique<HttpDriver>(c);
  }
}

ScriptedOperator::~ScriptedOperator() = default;

ScriptedOperator::Rule ScriptedOperator::answer_for(const OperatorTask& task) const {
  for (const auto& r : rules_)
    if ((r.action.empty() || r.action == task.action) &&
        (r.appliance.empty() || r.appliance == task.appliance))
      return r;
  return Rule{"", "", default_, 0};
}

void ScriptedOperator::ask(const OperatorTask& task) {
  const auto rule = answer_for(task);
  log_ << "\n>>> On " << task.appliance << " (" << task.action << "): " << task.instructions
       << "\n>>> scripted operator: " << answer_name(rule.answer)
       << (rule.line ? " (answers line " + std::to_string(rule.line) + ")" : " (default)")
       << std::endl;
  switch (rule.answer) {
    case Answer::abort:
      throw HarnessError("the operator aborted at: " + task.instructions);
    case Answer::confirm:
      return;  // said done, did nothing: the harness's verification must notice
    case Answer::perform:
      hands_->perform(task);
      return;
  }
}

}  // namespace failover_hil::hil
