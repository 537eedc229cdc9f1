#pragma once
// kepler::db_stats — what a store holds and what it has done since it was opened (db::stats).
// Counters start at zero at each open.

#include <cstdint>
#include <string>
#include <vector>

namespace kepler {

struct level_stats {
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
};

struct db_stats {
  /// Levels 0 (flushed memtables) to 6: table files and their bytes.
  std::vector<level_stats> levels;
  /// Bytes of memory the active and the sealed (waiting for their flush) memtables hold, and
  /// how many are sealed.
  std::uint64_t memtable_bytes = 0;
  std::uint64_t sealed_memtables = 0;

  /// Bytes of writes accepted (their encoded batches) and of log written for them.
  std::uint64_t user_bytes_written = 0;
  std::uint64_t log_bytes_written = 0;
  /// Memtables flushed to level-0 tables, and the tables' bytes.
  std::uint64_t flushes = 0;
  std::uint64_t flush_bytes_written = 0;
  /// Compactions finished, and the table bytes they read and wrote.
  std::uint64_t compactions = 0;
  std::uint64_t compaction_bytes_read = 0;
  std::uint64_t compaction_bytes_written = 0;
  /// (log + flush + compaction bytes written) / user bytes written; 0 before any write.
  double write_amplification = 0;

  /// Writes stopped until a flush or a compaction made room: how often and for how long in all.
  std::uint64_t stalls = 0;
  std::uint64_t stall_micros = 0;
  /// Write groups delayed because level 0 holds options::l0_slowdown_trigger files or more.
  std::uint64_t slowdowns = 0;
  std::uint64_t slowdown_micros = 0;

  /// Table blocks found in the block cache and read from files.
  std::uint64_t block_cache_hits = 0;
  std::uint64_t block_cache_misses = 0;
  /// Table lookups that found the table open, and those that had to open it.
  std::uint64_t table_cache_hits = 0;
  std::uint64_t table_cache_misses = 0;

  std::uint64_t live_snapshots = 0;
  std::uint64_t open_iterators = 0;

  /// Every figure on one line, "key=value" pairs separated by spaces, levels as
  /// "L0=files/bytes": for logs and benchmarks.
  std::string to_string() const;
};

}  // namespace kepler
