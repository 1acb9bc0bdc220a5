#include "failover_hil/netlab/nft.hpp"

#include <nftables/libnftables.h>

#include <cctype>
#include <iostream>
#include <sstream>

#include "sys_error.hpp"

namespace failover_hil::netlab {

NftError::NftError(const std::string& what, std::string nft_message)
    : NetlabError(what), nft_message_(std::move(nft_message)) {}

void Nft::CtxDeleter::operator()(nft_ctx* ctx) const noexcept {
  nft_ctx_free(ctx);
}

Nft::Nft(Netns ns, std::unique_ptr<nft_ctx, CtxDeleter> ctx) noexcept
    : ns_(std::move(ns)), ctx_(std::move(ctx)) {}
Nft::Nft(Nft&&) noexcept = default;
Nft& Nft::operator=(Nft&&) noexcept = default;
Nft::~Nft() = default;

Nft Nft::open(const Netns& ns) {
  auto shared = ns.share();
  // The context is made inside the namespace: libnftables may open its
  // netlink socket at creation.
  auto ctx = run_in_netns(shared, [&] {
    std::unique_ptr<nft_ctx, CtxDeleter> c(nft_ctx_new(NFT_CTX_DEFAULT));
    if (!c) throw_errno("creating an nft context in netns " + ns.name(), ENOMEM);
    if (nft_ctx_buffer_output(c.get()) != 0 || nft_ctx_buffer_error(c.get()) != 0)
      throw_errno("buffering nft output in netns " + ns.name(), ENOMEM);
    return c;
  });
  return Nft(std::move(shared), std::move(ctx));
}

std::string Nft::run(std::string_view commands) {
  const std::string text(commands);
  int rc = 0;
  std::string output;
  std::string error;
  run_in_netns(ns_, [&] {
    rc = nft_run_cmd_from_buffer(ctx_.get(), text.c_str());
    // Reading a buffer also rewinds it for the next command.
    output = nft_ctx_get_output_buffer(ctx_.get());
    error = nft_ctx_get_error_buffer(ctx_.get());
  });
  if (rc != 0) {
    while (!error.empty() && error.back() == '\n') error.pop_back();
    throw NftError(
        "nft in netns " + ns_.name() + " refused:\n" + error + "\n(commands:\n" + text + ")",
        error);
  }
  return output;
}

std::vector<NftTable> Nft::tables() {
  return parse_nft_tables(run("list tables"));
}

std::vector<NftTable> parse_nft_tables(std::string_view list_output) {
  std::vector<NftTable> tables;
  std::istringstream in{std::string(list_output)};
  std::string word;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    NftTable t;
    if (fields >> word && word == "table" && fields >> t.family >> t.name)
      tables.push_back(std::move(t));
  }
  return tables;
}

std::string delete_table_command(const NftTable& table) {
  return "delete table " + table.family + " " + table.name + "\n";
}

std::vector<NftTable> sweep_nft_tables(const Netns& ns, const NamePrefix& prefix) {
  auto nft = Nft::open(ns);
  std::vector<NftTable> swept;
  std::string commands;
  for (auto& t : nft.tables()) {
    if (!prefix.owns(t.name)) continue;
    commands += delete_table_command(t);
    swept.push_back(std::move(t));
  }
  if (!commands.empty()) nft.run(commands);
  return swept;
}

void validate_nft_name(std::string_view name, std::string_view what) {
  bool ok = !name.empty() && name.size() <= 64 &&
            std::isalpha(static_cast<unsigned char>(name.front())) != 0;
  for (const char c : name)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-');
  if (!ok)
    throw NetlabError(std::string(what) + " \"" + std::string(name) +
                      "\" is not usable in nft: 1..64 of [A-Za-z0-9_-], starting with a letter");
}

}  // namespace failover_hil::netlab
