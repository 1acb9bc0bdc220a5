#include "failover_hil/netlab/names.hpp"

#include <algorithm>

#include "failover_hil/netlab/error.hpp"

namespace failover_hil::netlab {

namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

void validate_name(std::string_view name, std::size_t max, const char* kind) {
  const std::string quoted = "'" + std::string(name) + "'";
  if (name.empty() || name.size() > max)
    throw NetlabError(std::string(kind) + " name " + quoted + " must have 1.." +
                      std::to_string(max) + " characters (it has " + std::to_string(name.size()) +
                      ")");
  if (name == "." || name == "..")
    throw NetlabError(std::string(kind) + " name " + quoted + " is reserved");
  if (!std::all_of(name.begin(), name.end(), is_name_char))
    throw NetlabError(std::string(kind) + " name " + quoted +
                      " may hold only letters, digits, '.', '_' and '-'");
}

}  // namespace

void validate_link_name(std::string_view name) {
  validate_name(name, kMaxLinkNameLength, "interface");
}

void validate_netns_name(std::string_view name) {
  validate_name(name, 64, "namespace");
}

NamePrefix::NamePrefix(std::string text) : text_(std::move(text)) {
  const auto bad = [&](const std::string& why) {
    throw NetlabError("name prefix '" + text_ + "' " + why);
  };
  if (text_.size() < 2 || text_.size() > kMaxLength)
    bad("must have 2.." + std::to_string(kMaxLength) + " characters, so that names fit " +
        std::to_string(kMaxLinkNameLength) + "-character interface names");
  if (text_.front() < 'a' || text_.front() > 'z') bad("must start with a lower-case letter");
  if (text_.back() != '-') bad("must end with '-'");
  if (!std::all_of(text_.begin(), text_.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      }))
    bad("may hold only a-z, 0-9 and '-'");
}

std::string NamePrefix::name(std::string_view suffix) const {
  std::string full = text_ + std::string(suffix);
  if (suffix.empty()) throw NetlabError("name with prefix '" + text_ + "' needs a suffix");
  validate_link_name(full);
  return full;
}

bool NamePrefix::owns(std::string_view object_name) const noexcept {
  return object_name.size() > text_.size() && object_name.substr(0, text_.size()) == text_;
}

}  // namespace failover_hil::netlab
