#pragma once
// One record of the MANIFEST (manifest_format.md): a change to the store's description. Every
// field is optional; a reader applies the edits in order and the last value of a field wins.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/util/status.hpp"

namespace kepler::storage {

/// The format this code writes; a store whose MANIFEST names a newer one is refused. Encoded
/// first in every edit that carries it, and the first edit of a MANIFEST always does.
constexpr std::uint32_t current_format_version = 1;

struct version_edit {
  std::optional<std::uint32_t> format_version;
  /// Logs numbered below this hold nothing that is not in table files: they need no replay.
  std::optional<std::uint64_t> log_number;
  std::optional<std::uint64_t> next_file_number;
  std::optional<sequence_number> last_sequence;

  void encode(std::string* dst) const;
  /// Corruption (naming `where`) for unknown tags or truncated fields. On failure the fields
  /// decoded before the bad one stay set, so a reader can still judge the edit's format
  /// version (a newer format's field is an unknown tag here: unsupported, not damage).
  status decode(std::string_view src, const std::string& where);
  /// Copies every field that `later` sets.
  void merge(const version_edit& later);
};

}  // namespace kepler::storage
