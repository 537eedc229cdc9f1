#pragma once
// Options for opening a store, writing and reading. Plain structs: every field has a default.

#include <cstddef>
#include <cstdint>

namespace kepler {

/// Limits every call enforces; a violation returns ec::invalid_argument and writes nothing.
constexpr std::size_t max_key_bytes = 64 * 1024;            // 64 KiB
constexpr std::size_t max_value_bytes = 64 * 1024 * 1024;   // 64 MiB
constexpr std::size_t max_batch_bytes = 256 * 1024 * 1024;  // 256 MiB, encoded

struct options {
  /// Create the store when the directory is missing or empty. When false, opening a directory
  /// that is not a KeplerDB store fails with ec::not_a_store.
  bool create_if_missing = true;
  /// Fail with ec::already_exists when the directory already holds a store.
  bool error_if_exists = false;
  /// Size at which the active memtable is sealed and flushed to a table file. (Flushing arrives
  /// with the SST issue; until then the memtable grows without bound.)
  std::size_t memtable_bytes = 4 * 1024 * 1024;
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

struct read_options {
  /// Verify checksums of everything read from disk (table files, once they exist).
  bool verify_checksums = true;
};

}  // namespace kepler
