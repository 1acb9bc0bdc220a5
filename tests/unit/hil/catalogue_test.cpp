// The registries are the documentation: every step and fault has its text,
// and docs/scenarios.md carries exactly what the registries say.
#include "failover_hil/hil/catalogue.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "failover_hil/hil/faults.hpp"
#include "failover_hil/hil/steps.hpp"

namespace failover_hil::hil {
namespace {

TEST(Catalogue, EveryStepAndFaultIsDocumented) {
  for (const auto* s : step_registry()) {
    EXPECT_FALSE(s->summary.empty()) << s->name;
    EXPECT_FALSE(s->rules.empty()) << s->name;
    EXPECT_FALSE(s->preconditions.empty()) << s->name;
    EXPECT_FALSE(s->postconditions.empty()) << s->name;
    EXPECT_NE(s->run, nullptr) << s->name;
    for (const auto& p : s->params) EXPECT_FALSE(p.doc.empty()) << s->name << "." << p.key;
  }
  for (const auto* f : fault_registry()) {
    EXPECT_FALSE(f->doc.empty()) << f->name;
    EXPECT_NE(f->make, nullptr) << f->name;
    // Timed and install faults fire; mistakes are acted out by their step.
    EXPECT_EQ(f->fire != nullptr, f->cls != FaultClass::mistake) << f->name;
    for (const auto& p : f->params) EXPECT_FALSE(p.doc.empty()) << f->name << "." << p.key;
  }
}

TEST(Catalogue, NamesAreUnique) {
  std::set<std::string_view> steps, faults;
  for (const auto* s : step_registry()) EXPECT_TRUE(steps.insert(s->name).second) << s->name;
  for (const auto* f : fault_registry()) EXPECT_TRUE(faults.insert(f->name).second) << f->name;
}

TEST(Catalogue, DocsMatchTheRegistries) {
  std::ifstream in(std::string(FHIL_SOURCE_DIR) + "/docs/scenarios.md");
  std::stringstream text;
  text << in.rdbuf();
  const auto doc = text.str();
  const std::string begin = "<!-- catalogue:begin -->\n", end = "<!-- catalogue:end -->";
  const auto a = doc.find(begin), b = doc.find(end);
  ASSERT_NE(a, std::string::npos) << "docs/scenarios.md lost its catalogue markers";
  ASSERT_NE(b, std::string::npos);
  EXPECT_EQ(doc.substr(a + begin.size(), b - a - begin.size()), catalogue_markdown())
      << "docs/scenarios.md differs from the registries: run ci/update-catalogue";
}

}  // namespace
}  // namespace failover_hil::hil
