#include "failover_hil/netlab/tsig_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <fstream>
#include <sstream>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/netlab/error.hpp"
#include "sys_error.hpp"

namespace failover_hil::netlab {

namespace {

// The next token of BIND's grammar: a quoted string, a word, or one of {};
std::string_view next_token(std::string_view& text) {
  std::size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0) ++i;
  text.remove_prefix(i);
  if (text.empty()) return {};
  std::size_t n = 1;
  if (text.front() == '"') {
    const auto close = text.find('"', 1);
    if (close == std::string_view::npos) throw NetlabError("TSIG key: unterminated string");
    n = close + 1;
  } else if (text.front() != '{' && text.front() != '}' && text.front() != ';') {
    while (n < text.size() && std::isspace(static_cast<unsigned char>(text[n])) == 0 &&
           text[n] != ';' && text[n] != '{' && text[n] != '}')
      ++n;
  }
  const auto token = text.substr(0, n);
  text.remove_prefix(n);
  return token;
}

std::string unquote(std::string_view token) {
  if (token.size() >= 2 && token.front() == '"') token = token.substr(1, token.size() - 2);
  return std::string(token);
}

}  // namespace

TsigKey TsigKey::generate(std::string name) {
  TsigKey key;
  key.name = std::move(name);
  key.secret = crypto::base64_encode(crypto::random_bytes(32));
  return key;
}

TsigKey parse_tsig_key(std::string_view text) {
  TsigKey key;
  key.algorithm.clear();
  bool in_key = false;
  for (auto token = next_token(text); !token.empty(); token = next_token(text)) {
    if (!in_key) {
      if (token != "key") continue;
      key.name = unquote(next_token(text));
      if (next_token(text) != "{") throw NetlabError("TSIG key: '{' expected after key name");
      in_key = true;
    } else if (token == "algorithm") {
      key.algorithm = unquote(next_token(text));
    } else if (token == "secret") {
      key.secret = unquote(next_token(text));
    } else if (token == "}") {
      break;
    }
  }
  if (key.name.empty() || key.algorithm.empty() || key.secret.empty())
    throw NetlabError("TSIG key: a key statement with name, algorithm and secret expected");
  return key;
}

TsigKey TsigKey::read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw NetlabError("cannot read TSIG key file " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return parse_tsig_key(text.str());
  } catch (const NetlabError& e) {
    throw NetlabError(std::string(e.what()) + " (in " + path.string() + ")");
  }
}

std::string TsigKey::bind_config() const {
  return "key \"" + name + "\" {\n\talgorithm " + algorithm + ";\n\tsecret \"" + secret +
         "\";\n};\n";
}

void TsigKey::write_file(const std::filesystem::path& path) const {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw_errno("writing TSIG key file " + path.string(), errno);
  const auto text = bind_config();
  const auto n = ::write(fd, text.data(), text.size());
  const int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size()))
    throw_errno("writing TSIG key file " + path.string(), n < 0 ? err : EIO);
}

}  // namespace failover_hil::netlab
