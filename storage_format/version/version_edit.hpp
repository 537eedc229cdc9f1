#pragma once
// One record of the MANIFEST (manifest_format.md): a change to the store's description. Every
// field is optional; a reader applies the edits in order and the last value of a field wins.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <vector>

#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/util/status.hpp"
#include "storage_format/version/file_meta.hpp"

namespace kepler::storage {

/// The format this code writes; a store whose MANIFEST names a newer one is refused. Encoded
/// first in every edit that carries it, and the first edit of a MANIFEST always does. Version 2
/// added the table files and closed logs; version 1 stores (no files) open as they are.
constexpr std::uint32_t current_format_version = 2;

struct version_edit {
  std::optional<std::uint32_t> format_version;
  /// Logs numbered below this hold nothing that is not in table files: they need no replay.
  std::optional<std::uint64_t> log_number;
  std::optional<std::uint64_t> next_file_number;
  std::optional<sequence_number> last_sequence;

  /// A table file that joins a level (format version 2).
  struct new_file {
    int level = 0;
    file_meta meta;
  };
  /// A table file that leaves a level (format version 2).
  struct deleted_file {
    int level = 0;
    std::uint64_t number = 0;
  };
  /// A log that was synced and closed, with its final length (format version 2).
  struct closed_log {
    std::uint64_t number = 0;
    std::uint64_t length = 0;
  };
  std::vector<new_file> new_files;
  std::vector<deleted_file> deleted_files;
  std::vector<closed_log> closed_logs;

  void encode(std::string* dst) const;
  /// Corruption (naming `where`) for unknown tags or truncated fields. On failure the fields
  /// decoded before the bad one stay set, so a reader can still judge the edit's format
  /// version (a newer format's field is an unknown tag here: unsupported, not damage).
  status decode(std::string_view src, const std::string& where);
  /// Copies every scalar field that `later` sets (files and closed logs are not merged: apply
  /// edits to a version_set for those).
  void merge(const version_edit& later);
};

}  // namespace kepler::storage
