#pragma once

// Small text files (a run directory's markers, generated configs), read and
// written whole, with errors that name the file.

#include <filesystem>
#include <string>

namespace failover_hil {

/// The whole file; throws std::runtime_error naming it when it cannot be read.
std::string read_text(const std::filesystem::path& file);
/// Replaces the file's contents; throws std::runtime_error naming it on failure.
void write_text(const std::filesystem::path& file, const std::string& text);

}  // namespace failover_hil
