#pragma once

// The registries as documentation: the steps and faults sections of
// docs/scenarios.md are this text (`failover-hil catalogue` prints it; a
// test fails when the docs and the registries differ).

#include <string>

namespace failover_hil::hil {

/// Markdown tables of every registered step and fault.
std::string catalogue_markdown();

}  // namespace failover_hil::hil
