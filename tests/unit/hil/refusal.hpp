#pragma once
// Asserts that a loader refuses `text` at `file:line` with a message that
// contains every word (scenario and inventory tests).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "failover_hil/hil/scenario.hpp"

namespace failover_hil::hil::testing {

template <class Parse>
void expect_refused_by(Parse parse, const std::string& file, const std::string& text, int line,
                       const std::vector<std::string>& words) {
  try {
    parse(text);
    ADD_FAILURE() << "accepted:\n" << text;
  } catch (const ScenarioError& e) {
    const std::string msg = e.what();
    const auto prefix = file + ":" + std::to_string(line) + ": ";
    EXPECT_EQ(msg.substr(0, prefix.size()), prefix) << msg;
    for (const auto& w : words) EXPECT_NE(msg.find(w), std::string::npos) << w << " in: " << msg;
  }
}

}  // namespace failover_hil::hil::testing
