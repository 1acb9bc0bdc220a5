#include "sim_network.hpp"

#include <algorithm>

namespace failover_hil::hil {

namespace {

Member network_peer_of(Member m) {
  return m == Member::A ? Member::B : Member::A;
}

}  // namespace

SimNetwork::SimNetwork(NetworkParams params, std::vector<std::string> clients,
                       std::function<bool(Member)> holds,
                       std::function<bool(const std::string&, Member)> cut)
    : params_(params),
      clients_(std::move(clients)),
      holds_(std::move(holds)),
      cut_(std::move(cut)) {}

void SimNetwork::shared_ip_changed(Member m, bool holds, std::int64_t now) {
  if (!holds) return;  // the clients' entries still name it: their packets are dropped
  // R23: it claims the IP while the other holds it. Every client that hears
  // both sees two MACs for one IP.
  if (holds_(network_peer_of(m)))
    for (const auto& c : clients_)
      if (!cut_(c, m) && !cut_(c, network_peer_of(m)))
        conflicts_.push_back({now, c, network_peer_of(m), m});
  for (int i = 0; i < params_.garp_rounds; ++i)
    announcements_.push_back({now + params_.garp_delay_ns + i * params_.garp_round_ns, m});
  std::stable_sort(announcements_.begin(), announcements_.end(),
                   [](const Announcement& x, const Announcement& y) { return x.at_ns < y.at_ns; });
}

void SimNetwork::advance(std::int64_t now) {
  std::size_t done = 0;
  for (const auto& a : announcements_) {
    if (a.at_ns > now) break;
    ++done;
    // An announcement from an appliance that let go meanwhile is not sent.
    if (!holds_(a.from)) continue;
    for (const auto& c : clients_) {
      if (cut_(c, a.from)) continue;
      // A gratuitous ARP updates an existing entry (Linux, arp_accept=0), and
      // every client has one for the site's address: it probes it.
      auto& e = arp_[c];
      e.member = a.from;
      e.expires_ns = std::max(e.expires_ns, a.at_ns + params_.arp_reachable_ns / 2);
    }
  }
  announcements_.erase(announcements_.begin(),
                       announcements_.begin() + static_cast<std::ptrdiff_t>(done));
}

std::optional<std::int64_t> SimNetwork::next_due(std::int64_t now) const {
  std::optional<std::int64_t> next;
  auto consider = [&](std::int64_t t) {
    if (t > now && (!next || t < *next)) next = t;
  };
  if (!announcements_.empty()) consider(announcements_.front().at_ns);
  for (const auto& [c, e] : arp_)
    if (e.member && !holds_(*e.member)) consider(e.expires_ns);
  return next;
}

void SimNetwork::learn(const std::string& client, Member m, std::int64_t now, SplitMix64& rng) {
  // Linux draws each entry's reachable time in 0.5..1.5 of the base.
  const auto reachable = static_cast<std::int64_t>(rng.uniform(0.5, 1.5) *
                                                   static_cast<double>(params_.arp_reachable_ns));
  arp_[client] = {m, now + reachable + params_.arp_stale_ns};
}

std::optional<Member> SimNetwork::shared_ip_reaches(const std::string& client, std::int64_t now,
                                                    SplitMix64& rng) {
  auto& e = arp_[client];
  if (!e.member || now >= e.expires_ns) {
    // Ask the segment: whoever holds the IP (and is not cut off) answers.
    std::vector<Member> answer;
    for (const auto m : {Member::A, Member::B})
      if (holds_(m) && !cut_(client, m)) answer.push_back(m);
    if (answer.size() == 2) conflicts_.push_back({now, client, Member::A, Member::B});
    if (answer.empty()) {
      e.member.reset();
      return std::nullopt;
    }
    learn(client, answer.back(), now, rng);
  }
  const auto m = *arp_[client].member;
  if (!holds_(m)) return std::nullopt;  // a stale entry: the packets go to a MAC without the IP
  return m;
}

Member SimNetwork::nat_reaches(const std::string& client, Member target) {
  return conntrack_.try_emplace(client, target).first->second;
}

std::vector<SimNetwork::Conflict> SimNetwork::take_new_conflicts() {
  std::vector<Conflict> out(conflicts_.begin() + static_cast<std::ptrdiff_t>(reported_),
                            conflicts_.end());
  reported_ = conflicts_.size();
  return out;
}

}  // namespace failover_hil::hil
