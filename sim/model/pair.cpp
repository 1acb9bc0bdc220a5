#include "failover_hil/sim/model/pair.hpp"

#include "failover_hil/sim/model/errors.hpp"

namespace failover_hil::sim {

Pair::Pair(Appliance& a, Appliance& b, ManualClock& clock) : a_(a), b_(b), clock_(clock) {}

void Pair::pump() {
  for (int round = 0; round < 1000; ++round) {
    bool moved = false;
    for (Appliance* from : {&a_, &b_}) {
      Appliance& to = other(*from);
      for (const auto& out : from->take_outbox()) {
        moved = true;
        if (connected_) {
          from->on_peer_response(out.id, to.handle_peer(out.request));
        } else {
          from->on_peer_unreachable(out.id);
        }
      }
    }
    if (!moved) return;
  }
  throw ModelError("", "the two appliances kept messaging each other for 1000 rounds");
}

void Pair::run_until(TimePoint until) {
  for (;;) {
    a_.tick();
    b_.tick();
    pump();
    auto next = a_.next_due();
    if (const auto nb = b_.next_due(); nb && (!next || *nb < *next)) next = nb;
    if (!next || *next > until) break;
    clock_.set(std::max(*next, clock_.now()));
  }
  if (clock_.now() < until) clock_.set(until);
  a_.tick();
  b_.tick();
  pump();
}

bool Pair::run_until(const std::function<bool()>& done, Duration limit) {
  const auto deadline = clock_.now() + limit;
  pump();
  while (!done()) {
    if (clock_.now() >= deadline) return false;
    auto next = a_.next_due();
    if (const auto nb = b_.next_due(); nb && (!next || *nb < *next)) next = nb;
    run_until(next && *next < deadline ? *next : deadline);
  }
  return true;
}

std::vector<std::string> Pair::establish(Appliance& primary, const EstablishParams& params) {
  auto warnings = primary.establish(params);
  pump();
  if (primary.role() != FailoverRole::primary) {
    const auto& why = primary.last_peer_error();
    const bool keys_or_versions = why.starts_with("R17");
    throw ModelError(keys_or_versions ? "R17" : "", "cannot establish the relationship: " +
                                                        (keys_or_versions ? why.substr(5) : why));
  }
  return warnings;
}

Appliance* Pair::holder_of(std::string_view ip) {
  Appliance* found = nullptr;
  for (Appliance* x : {&a_, &b_}) {
    const bool holds =
        x->identity().unique_ip == ip || (x->identity().shared_ip == ip && x->shared_ip_enabled());
    if (!holds) continue;
    if (found)
      throw ModelError("R23", "IP conflict: " + std::string(ip) + " is enabled on both " +
                                  found->name() + " and " + x->name());
    found = x;
  }
  return found;
}

}  // namespace failover_hil::sim
