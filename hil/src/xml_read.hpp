#pragma once
// Namespace-agnostic reading of the product's XML (the default namespace
// differs between versions; elements may carry any prefix).

#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>

namespace failover_hil::hil::xml {

inline std::string_view local_name(const pugi::xml_node& n) {
  std::string_view name = n.name();
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

inline pugi::xml_node child(const pugi::xml_node& parent, std::string_view local) {
  for (auto c : parent.children())
    if (c.type() == pugi::node_element && local_name(c) == local) return c;
  return {};
}

inline pugi::xml_node root(const pugi::xml_document& doc) {
  return doc.document_element();
}

/// The error text when the document is <error> or carries one (status is often 200).
inline std::optional<std::string> error_of(const pugi::xml_document& doc) {
  const auto r = root(doc);
  if (local_name(r) == "error") return std::string(r.text().get());
  if (const auto e = child(r, "error")) return std::string(e.text().get());
  return std::nullopt;
}

}  // namespace failover_hil::hil::xml
