#pragma once
// XML answers shaped like the product's command and reporting APIs.

#include <pugixml.hpp>
#include <sstream>
#include <string>

#include "http_types.hpp"

namespace failover_hil::sim::service {

/// A document with an XML declaration and a root in the API's default namespace.
class XmlDoc {
 public:
  XmlDoc(const char* root_name, const std::string& ns) {
    auto decl = doc_.append_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "UTF-8";
    root_ = doc_.append_child(root_name);
    root_.append_attribute("xmlns") = ns.c_str();
  }
  pugi::xml_node root() const { return root_; }
  /// Adds <name>text</name> under `parent`.
  static pugi::xml_node leaf(pugi::xml_node parent, const char* name, const std::string& text) {
    auto n = parent.append_child(name);
    n.text().set(text.c_str());
    return n;
  }
  Response response() const {
    std::ostringstream os;
    doc_.save(os, "  ");
    return xml_response(os.str());
  }

 private:
  pugi::xml_document doc_;
  pugi::xml_node root_;
};

/// The product's error shape: <error>message</error>, very often with HTTP 200.
inline Response xml_error(const std::string& ns, const std::string& message,
                          http::status status = http::status::ok) {
  XmlDoc d("error", ns);
  d.root().text().set(message.c_str());
  auto r = d.response();
  r.result(status);
  return r;
}

}  // namespace failover_hil::sim::service
