#pragma once
// Startup recovery, run by the supervisor (doc/design.md, "Files and recovery"): take the LOCK,
// create the store whole or read CURRENT and replay the MANIFEST into a version set, check that
// every table file it names is there, replay the logs it still needs, write what they held as
// a table file, start a new log, record the whole state in a fresh MANIFEST that CURRENT then
// names, and remove what is obsolete. A read-only open stops after the replay and writes
// nothing. Plain code over the file_system seam: no actors, no CAF.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "storage_format/log/log_reader.hpp"
#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/memtable/memtable.hpp"
#include "storage_format/table/table_options.hpp"
#include "storage_format/util/file_system.hpp"
#include "storage_format/util/status.hpp"
#include "storage_format/version/manifest.hpp"
#include "storage_format/version/version_set.hpp"

namespace kepler::storage {

/// What recovery may drop when it finds damage (kepler::recovery_mode documents the promise).
enum class recovery_mode {
  point_in_time,  // the newest log up to its first damage; a torn last MANIFEST record
  tolerate_tail,  // only an incomplete last record of the newest log or of the MANIFEST
  absolute,       // nothing: any damage refuses the open
  salvage,        // everything readable: damaged records, blocks and tables are skipped
};

struct recovery_options {
  bool create_if_missing = true;
  bool error_if_exists = false;
  /// Write nothing: no creation, no table, no new log or MANIFEST, no removal. The replayed
  /// logs stay in the memtable.
  bool read_only = false;
  /// How the table holding the replayed logs is written.
  table_options table;
  recovery_mode mode = recovery_mode::point_in_time;
};

/// What recovery found, for the demo, the logs and the tests.
struct recovery_stats {
  bool created = false;  // a new store was made
  std::uint64_t logs_replayed = 0;
  std::uint64_t records_replayed = 0;  // batches
  std::uint64_t entries_replayed = 0;  // inserts and removes
  std::uint64_t torn_tail_bytes = 0;   // bytes a crash left half-written, dropped
  std::uint64_t dropped_records = 0;   // whole records after the first damage of a newest log
  /// One line per damaged range dropped or skipped: file, offset, bytes and why.
  std::vector<std::string> damage;
  std::uint64_t tables_written = 0;  // tables made from the replayed logs
  std::uint64_t files_removed = 0;   // obsolete files removed
};

struct recovered_store {
  std::unique_ptr<file_lock> lock;
  /// The store's table files and logs, as the fresh MANIFEST records them.
  version_set versions;
  /// Empty, or (read-only) what the logs held.
  std::shared_ptr<memtable> mem;
  sequence_number last_sequence = 0;
  /// The new, empty log that writes go to from now on (none when read-only).
  std::unique_ptr<writable_file> log;
  std::uint64_t log_number = 0;
  /// The fresh MANIFEST, open for the edits that follow (none when read-only).
  std::unique_ptr<class manifest> manifest;
  /// Every file number below this is taken.
  std::uint64_t next_file_number = 0;
  recovery_stats stats;
};

/// Reads `dir`/CURRENT: the number of the MANIFEST it names. Errors: corruption naming CURRENT
/// (missing, malformed), the file system's otherwise.
storage::status read_current(storage::file_system& fs, const std::string& dir,
                             std::uint64_t* manifest_number);

/// What a caller of replay_manifest may watch besides the result (the kepler CLI prints it).
struct manifest_observer {
  /// Each edit applied, with its record's offset.
  std::function<void(std::uint64_t offset, const version_edit& edit)> on_record;
  /// Gets every range the reader dropped (may be null).
  std::vector<log::drop>* drops = nullptr;
};

/// Replays the MANIFEST at `path` into `*versions` as an open in `mode` does (manifest_format.md,
/// "Opening a store", step 2), merging the edits into `*state` and noting what it dropped in
/// `*stats`. Writes nothing. Errors: corruption naming the file and offset (damage the mode does
/// not drop, an edit that does not decode or apply, a missing format version or file numbers,
/// the MANIFEST missing), not_supported for a newer format, io_error for a failed read.
storage::status replay_manifest(storage::file_system& fs, const std::string& path,
                                recovery_mode mode, version_edit* state, version_set* versions,
                                recovery_stats* stats, const manifest_observer& observe = {});

/// Opens or creates the store in `dir` (creating missing directories durably: each created
/// level's parent is synced). Errors: locked, not_a_store (no store and create_if_missing
/// false, or a directory with files other than an interrupted creation's), already_exists
/// (error_if_exists), corruption (damage before a log's or the MANIFEST's tail, or a file the
/// store's records say exists is missing; the message names it), not_supported (newer format),
/// io_error, and not_found only from the file system (a file it needed to create or read is
/// gone). A failed open removes the log and MANIFEST it made unless CURRENT already names them.
storage::status recover_store(storage::file_system& fs, const std::string& dir,
                              const recovery_options& opts, recovered_store* out);

}  // namespace kepler::storage
