#pragma once

#include <pybind11/pybind11.h>

namespace failover_hil::pybind {

void bind_results(pybind11::module_& m);
void bind_run(pybind11::module_& m);
void bind_analysis(pybind11::module_& m);
void bind_lab(pybind11::module_& m);
void bind_registry(pybind11::module_& m);
void bind_driver(pybind11::module_& m);

}  // namespace failover_hil::pybind
