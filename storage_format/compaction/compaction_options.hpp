#pragma once
// The knobs of leveled compaction (compaction.md): when a level is compacted and how large the
// files it writes grow. A plain struct with defaults, one comment per field; the defaults are
// LevelDB's.

#include <cstdint>

namespace kepler::storage {

struct compaction_options {
  static constexpr std::uint64_t mib = 1024 * 1024;
  static constexpr std::uint64_t default_target_file_size = 2 * mib;

  /// Level-0 files at which level 0 scores 1 and is compacted into level 1. Level-0 ranges
  /// overlap, so a lookup may read every one of them: this bounds that cost. REQUIRES: >= 1.
  int l0_compaction_trigger = 4;
  /// Level-0 files at which writes slow down: from there level 0 is compacted first, whatever
  /// a deeper level scores, so a long run of deeper compactions never keeps writes waiting.
  /// REQUIRES: >= l0_compaction_trigger.
  int l0_slowdown_trigger = 8;
  /// Bytes at which level 1 scores 1; level n >= 1 scores 1 at base x multiplier^(n-1). A deeper
  /// level holding multiplier times the one above keeps the bytes rewritten per byte written
  /// near multiplier per level. REQUIRES: >= 1.
  std::uint64_t max_bytes_for_level_base = 10 * mib;
  /// REQUIRES: >= 1.
  int level_size_multiplier = 10;
  /// Bytes at which a compaction closes its output file and starts the next (at the next user
  /// key: one key's versions never span two files). Smaller files make later compactions
  /// choose their inputs more finely; larger ones mean fewer files to open. REQUIRES: >= 1.
  std::uint64_t target_file_size = default_target_file_size;
  /// Bytes of level n+2 one output of a compaction into level n+1 may overlap before the
  /// output is closed (at the next user key), so compacting that output further later rewrites
  /// at most about this much of level n+2. Scale it with target_file_size (10x).
  std::uint64_t max_grandparent_overlap = 10 * default_target_file_size;
  /// Bytes of levels n and n+1 together up to which the picker widens a compaction's level-n
  /// inputs to files that bring no new level-n+1 file in; a bound on one compaction's work.
  /// Scale it with target_file_size (25x).
  std::uint64_t max_expanded_compaction_bytes = 25 * default_target_file_size;
};

}  // namespace kepler::storage
