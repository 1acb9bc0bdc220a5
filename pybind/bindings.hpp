#pragma once

#include <pybind11/pybind11.h>

#include <string>
#include <utility>
#include <vector>

namespace failover_hil::pybind {

void bind_results(pybind11::module_& m);
void bind_run(pybind11::module_& m);
void bind_analysis(pybind11::module_& m);
void bind_lab(pybind11::module_& m);
void bind_registry(pybind11::module_& m);
void bind_driver(pybind11::module_& m);
void bind_rehearsal(pybind11::module_& m);

/// Runs `argv` in the network namespace /run/netns/NETNS with the GIL
/// released; returns (exit status, stdout and stderr together).
std::pair<int, std::string> exec_in_netns(const std::string& netns,
                                          const std::vector<std::string>& argv);

}  // namespace failover_hil::pybind
