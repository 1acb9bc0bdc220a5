#pragma once
// The overload set idiom for std::visit, shared by the model's sources (one
// definition, so they can also be compiled together in a unity build).

namespace failover_hil::sim::detail {

/// Lambdas as one callable: std::visit(Overload{[](const A&) {...}, [](const B&) {...}}, v).
template <class... F>
struct Overload : F... {
  using F::operator()...;
};

}  // namespace failover_hil::sim::detail
