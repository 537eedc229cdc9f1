#pragma once
// Startup recovery, run by the supervisor (doc/design.md, "Files and recovery"): take the LOCK,
// create the store whole or read CURRENT and replay the MANIFEST, replay the logs into a memtable,
// start a new log and record it in a fresh MANIFEST. Plain code over the file_system seam: no
// actors, no CAF.

#include <cstdint>
#include <memory>
#include <string>

#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/memtable/memtable.hpp"
#include "storage_format/util/file_system.hpp"
#include "storage_format/util/status.hpp"

namespace kepler::storage {

struct recovery_options {
  bool create_if_missing = true;
  bool error_if_exists = false;
};

/// What recovery found, for the demo, the logs and the tests.
struct recovery_stats {
  bool created = false;  // a new store was made
  std::uint64_t logs_replayed = 0;
  std::uint64_t records_replayed = 0;  // batches
  std::uint64_t entries_replayed = 0;  // inserts and removes
  std::uint64_t torn_tail_bytes = 0;   // bytes a crash left half-written, dropped
};

struct recovered_store {
  std::unique_ptr<storage::file_lock> lock;
  std::shared_ptr<storage::memtable> mem;
  storage::sequence_number last_sequence = 0;
  /// The new, empty log that writes go to from now on.
  std::unique_ptr<storage::writable_file> log;
  std::uint64_t log_number = 0;
  std::uint64_t manifest_number = 0;
  std::uint64_t next_file_number = 0;
  recovery_stats stats;
};

/// Opens or creates the store in `dir`. Errors: locked, not_found (no store and
/// create_if_missing false, or a directory with other files), already_exists (error_if_exists),
/// corruption (damage before a log's or the MANIFEST's tail), not_supported (newer format),
/// io_error.
storage::status recover_store(storage::file_system& fs, const std::string& dir,
                              const recovery_options& opts, recovered_store* out);

}  // namespace kepler::storage
