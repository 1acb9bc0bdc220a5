#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace failover_hil::netlab {

/// The kernel's limit on an interface name (IFNAMSIZ - 1).
inline constexpr std::size_t kMaxLinkNameLength = 15;

/// Throws NetlabError unless `name` is a usable interface name: 1..15 of
/// [A-Za-z0-9._-], not "." or "..".
void validate_link_name(std::string_view name);

/// Throws NetlabError unless `name` is a usable namespace name (a file in
/// /run/netns): 1..64 of [A-Za-z0-9._-], not "." or "..".
void validate_netns_name(std::string_view name);

/// The prefix every kernel object of one lab (or one test) carries, so that
/// sweep_prefix() can find what a crashed run left behind. 2..8 characters of
/// [a-z0-9-], starting with a letter, ending with '-' ("fhil-t1-"): short, so
/// that the prefix plus a suffix still fits an interface name.
class NamePrefix {
 public:
  static constexpr std::size_t kMaxLength = 8;
  /// Throws NetlabError naming the text when it is not a valid prefix.
  explicit NamePrefix(std::string text);
  const std::string& str() const noexcept { return text_; }
  /// prefix + suffix, validated as an interface (and namespace) name.
  std::string name(std::string_view suffix) const;
  /// True when `object_name` carries this prefix.
  bool owns(std::string_view object_name) const noexcept;

 private:
  std::string text_;
};

}  // namespace failover_hil::netlab
