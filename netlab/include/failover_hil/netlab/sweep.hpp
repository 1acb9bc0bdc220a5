#pragma once

#include <string>
#include <vector>

#include "failover_hil/netlab/names.hpp"
#include "failover_hil/netlab/nft.hpp"

namespace failover_hil::netlab {

/// What sweep_prefix() deleted.
struct SweepResult {
  std::vector<std::string> namespaces;
  std::vector<std::string> links;
  std::vector<NftTable> nft_tables;
};

/// Deletes what a crashed run with `prefix` left behind: every namespace in
/// /run/netns and every interface of the caller's namespace whose name starts
/// with the prefix (interfaces inside a deleted namespace go with it), and
/// every nft table of the caller's namespace named so. Throws
/// KernelError when something cannot be deleted.
SweepResult sweep_prefix(const NamePrefix& prefix);

}  // namespace failover_hil::netlab
