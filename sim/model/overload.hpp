#pragma once
// The overload set idiom for std::visit, shared by the model's sources (one
// definition, so they can also be compiled together in a unity build).

namespace failover_hil::sim::detail {

/// Lambdas as one callable: std::visit(Overload{[](const A&) {...}, [](const B&) {...}}, v).
template <class... F>
struct Overload : F... {
  using F::operator()...;
};
// Aggregate deduction (C++20) is only in clang from 17 on; the fuzz preset
// builds with clang 14.
template <class... F>
Overload(F...) -> Overload<F...>;

}  // namespace failover_hil::sim::detail
