#pragma once
// Options for opening a store, writing and reading. Plain structs: every field has a default.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace kepler {

/// Limits every call enforces; a violation returns ec::invalid_argument and writes nothing.
constexpr std::size_t max_key_bytes = 64 * 1024;            // 64 KiB
constexpr std::size_t max_value_bytes = 64 * 1024 * 1024;   // 64 MiB
constexpr std::size_t max_batch_bytes = 256 * 1024 * 1024;  // 256 MiB, encoded

/// How table files store their data blocks on disk (options::compression).
enum class compression_type {
  none,  // raw: the most disk, no decompression on reads that miss the block cache
  lz4,   // fast to write and read; a little smaller than LevelDB with Snappy (BENCHMARKS.md)
  zstd,  // smaller than lz4 (see zstd_level); slower to write, and every block-cache miss costs
         // a zstd decompression (readrandom 2-3x lz4's on a store 10x the block cache)
};

/// What an open does when it finds damage in the store's files (options::recovery_mode). Every
/// mode reports what it dropped or skipped in db::recovery(). "Synced data" is a closed log
/// (the MANIFEST recorded its length), a table file, the MANIFEST but its last record, and
/// CURRENT; the newest log and the MANIFEST's last record are what a crash or power loss may
/// leave torn.
enum class recovery_mode {
  /// The default. The newest log is read up to its first damage and the rest of it is dropped
  /// (after a power loss its unsynced part may hold a hole followed by valid records: dropping
  /// from the hole on keeps what survives a prefix of the writes). A torn last MANIFEST record
  /// is dropped. Damage in synced data refuses the open: ec::corruption naming file and offset.
  point_in_time,
  /// Stricter: only an incomplete last record of the newest log (or of the MANIFEST), as a
  /// kill -9 in the middle of an append leaves, is dropped; any other damage refuses the open.
  tolerate_tail,
  /// Any damage, a torn tail included, refuses the open (ec::corruption).
  absolute,
  /// Opens with everything readable: damaged log and MANIFEST records are skipped wherever they
  /// are; a table file that is missing, cut or cannot be opened is dropped from the store; a
  /// table with damaged blocks is rewritten with the entries of its sound blocks. What was
  /// skipped is listed in recovery_report::damage. Values may come back older than they were
  /// (a skipped record's newer value is gone) and deleted keys may come back: salvage saves
  /// what it can, it does not keep the promises. Not with read_only.
  salvage,
};

struct options {
  /// Create the store when the directory is missing or empty. When false, opening a directory
  /// that is not a KeplerDB store fails with ec::not_a_store.
  bool create_if_missing = true;
  /// Fail with ec::already_exists when the directory already holds a store.
  bool error_if_exists = false;
  /// Log bytes after which the active memtable is sealed and flushed to a table file (a level-0
  /// table of about this size). Larger memtables mean fewer, larger files and a longer replay
  /// after a crash. At least 4096.
  std::size_t memtable_bytes = 4 * 1024 * 1024;
  /// Sealed memtables that may wait for their flush at once; when that many wait, writes wait
  /// for a flush to finish (back-pressure) rather than memory growing. Peak memory is about
  /// (max_sealed_memtables + 1) x memtable_bytes + block_cache_bytes. At least 1.
  std::size_t max_sealed_memtables = 2;
  /// Table files kept open for reads at once. At the limit the least recently used idle one is
  /// closed; a read fails (ec::io_error) only when every open one is in use. At least 1.
  std::size_t max_open_files = 1000;
  /// Bytes of table blocks kept in memory for reads, shared by every table of the store.
  std::size_t block_cache_bytes = 8 * 1024 * 1024;
  /// Once the MANIFEST (the log of which files make up the store) passes this size, the store
  /// writes a fresh one holding just the current state and switches to it.
  std::uint64_t max_manifest_bytes = 4 * 1024 * 1024;
  /// What the open does with damage it finds (recovery_mode above).
  kepler::recovery_mode recovery_mode = kepler::recovery_mode::point_in_time;
  /// Open without writing anything: no new log, no new MANIFEST, no CURRENT switch, no file
  /// removed. The logs are replayed into memory; every write returns ec::read_only. A store on
  /// a full disk can still be read this way. A read-only open still takes the LOCK.
  bool read_only = false;
  /// Level-0 table files (flushed memtables, whose key ranges overlap) at which a compaction
  /// merges them into level 1. At least 1.
  int l0_compaction_trigger = 4;
  /// Level-0 files at which each write group is delayed by a millisecond, so compaction catches
  /// up before writes must stop. At least l0_compaction_trigger.
  int l0_slowdown_trigger = 8;
  /// Level-0 files at which writes wait (they never fail for it) until a compaction leaves
  /// fewer. At least l0_slowdown_trigger.
  int l0_stop_trigger = 12;
  /// Bytes level 1 may hold before it is compacted into level 2; each deeper level may hold
  /// ten times the one above it. At least 64 KiB.
  std::uint64_t max_bytes_for_level_base = 10 * 1024 * 1024;
  /// Bytes at which compaction starts a new output table file. At least 16 KiB.
  std::uint64_t target_file_size = 2 * 1024 * 1024;
  /// How new table files (flushes and compactions) store their data blocks. A block that the
  /// codec would shrink by less than an eighth is stored raw. Every block records its own codec,
  /// so the setting may change between opens: files written under an older setting stay
  /// readable, and compactions rewrite what they merge with the current one. The block cache
  /// holds blocks decompressed.
  compression_type compression = compression_type::lz4;
  /// zstd's level when compression is zstd: libzstd's range (1 to 22, or its negative fast
  /// levels; 0 means libzstd's default, 3). Higher levels write smaller files more slowly;
  /// reading costs about the same. Else ec::invalid_argument at open.
  int zstd_level = 3;
  /// How many times an idle scheduler worker polls for new work before it sleeps, when KeplerDB
  /// creates its own actor system. About 100 µs of polling on the machines we measured: a busy
  /// store keeps its workers hot, an idle one sleeps. Raise it for lower latency at the cost of
  /// idle CPU; ignored when you pass your own actor_system (its scheduler is yours).
  std::size_t worker_poll_attempts = 1000;
  /// Scheduler threads of KeplerDB's own actor system; 0 means half the cores (at least one),
  /// leaving the rest to the threads that call the store.
  std::size_t worker_threads = 0;
};

struct write_options {
  /// When true, the write is on disk (fdatasync) before the call returns: it survives power
  /// loss. When false it is in the operating system when the call returns: it survives the
  /// death of the process (kill -9), not a power failure.
  bool sync = false;
};

class snapshot;

struct read_options {
  /// Read as of this snapshot (db::snapshot) instead of the newest state; it must be taken
  /// from the same store (else ec::invalid_argument) and stay alive during the read.
  const kepler::snapshot* snapshot = nullptr;
  /// Iterators and scans: the first key they may show (inclusive). A seek below it lands on it.
  std::optional<std::string> lower_bound;
  /// Iterators and scans: the key they stop before (exclusive). A scan stops at the first entry
  /// at or past it and reads no further, so deleted keys beyond it cost nothing.
  std::optional<std::string> upper_bound;
  /// Verify the checksum of every table block read from disk. Blocks that enter the block
  /// cache are always verified (the cache is shared, so it only holds sound blocks); this
  /// decides for blocks read around it (fill_cache false).
  bool verify_checksums = true;
  /// Keep the table blocks this read loads in the block cache. A scan that touches data once
  /// can turn it off so it does not push out the hot blocks.
  bool fill_cache = true;
};

}  // namespace kepler
