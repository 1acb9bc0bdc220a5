#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "failover_hil/netlab/error.hpp"
#include "failover_hil/netlab/names.hpp"
#include "failover_hil/netlab/netns.hpp"

struct nft_ctx;

namespace failover_hil::netlab {

/// nft refused a command buffer. what() holds nft's own message (with the
/// offending line marked), the namespace, and the buffer; nothing of the
/// buffer was applied (a buffer is one transaction).
class NftError : public NetlabError {
 public:
  NftError(const std::string& what, std::string nft_message);
  /// nft's error output, verbatim.
  const std::string& nft_message() const noexcept { return nft_message_; }

 private:
  std::string nft_message_;
};

/// A table as `nft list tables` names it: family ("ip", "inet", "bridge"...)
/// and name.
struct NftTable {
  std::string family;
  std::string name;
  bool operator==(const NftTable&) const = default;
};

/// A libnftables context bound to one network namespace. Every command runs
/// on a worker thread inside that namespace (nft's netlink socket binds to
/// the namespace of the thread that opens it), so the caller never moves.
/// Move-only; not thread-safe (one Nft per thread, or lock around it).
class Nft {
 public:
  /// A context for `ns`, which it keeps alive. Throws KernelError.
  static Nft open(const Netns& ns);

  Nft(Nft&&) noexcept;
  Nft& operator=(Nft&&) noexcept;
  Nft(const Nft&) = delete;
  Nft& operator=(const Nft&) = delete;
  ~Nft();

  /// Runs `commands` (nft syntax, one command a line) as ONE transaction:
  /// all of it applies or none. Returns nft's output (for list commands).
  /// Throws NftError carrying nft's message.
  std::string run(std::string_view commands);

  /// The tables of the namespace.
  std::vector<NftTable> tables();
  /// `nft list ruleset`.
  std::string ruleset() { return run("list ruleset"); }
  const std::string& netns_name() const noexcept { return ns_.name(); }

 private:
  struct CtxDeleter {
    void operator()(nft_ctx* ctx) const noexcept;
  };
  Nft(Netns ns, std::unique_ptr<nft_ctx, CtxDeleter> ctx) noexcept;
  Netns ns_;
  std::unique_ptr<nft_ctx, CtxDeleter> ctx_;
};

/// Parses `nft list tables` output ("table ip fhil-t1-nat" a line).
std::vector<NftTable> parse_nft_tables(std::string_view list_output);

/// The command that deletes `table`.
std::string delete_table_command(const NftTable& table);

/// Deletes every table of `ns` whose name carries `prefix` (what a crashed
/// run left behind) and returns them. Throws NftError / KernelError.
std::vector<NftTable> sweep_nft_tables(const Netns& ns, const NamePrefix& prefix);

/// Throws NetlabError unless `name` is a usable nft identifier (table, chain,
/// comment word): 1..64 of [A-Za-z0-9_-], starting with a letter. Names go
/// into command text, so nothing else is let through.
void validate_nft_name(std::string_view name, std::string_view what);

}  // namespace failover_hil::netlab
