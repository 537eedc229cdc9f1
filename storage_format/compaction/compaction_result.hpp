#pragma once
// What run_compaction wrote and what it dropped: the new files of level n+1 for the MANIFEST
// edit (compaction_edit.hpp), and the figures a compactor reports.

#include <cstdint>
#include <vector>

#include "storage_format/version/file_meta.hpp"

namespace kepler::storage {

struct compaction_result {
  /// The output tables, in key order, each synced and its directory entry synced: number,
  /// size, first and last internal keys, lowest and highest sequence. Their user-key ranges
  /// are disjoint and do not touch.
  std::vector<file_meta> outputs;
  /// The bytes of the input files (compaction::input_bytes).
  std::uint64_t bytes_read = 0;
  /// The bytes of the output files.
  std::uint64_t bytes_written = 0;
  /// Entries read from the merged input, and written to the outputs.
  std::uint64_t entries_in = 0;
  std::uint64_t entries_out = 0;
  /// Versions dropped because a newer version of the key lies in the same snapshot stripe
  /// (drop_rule.hpp), deletions among them.
  std::uint64_t overwritten_dropped = 0;
  /// Deletions dropped because nothing older was left for them to hide.
  std::uint64_t deletions_dropped = 0;
};

}  // namespace kepler::storage
