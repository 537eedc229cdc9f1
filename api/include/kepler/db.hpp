#pragma once
// kepler::db — the blocking interface to a KeplerDB store.
//
//   auto store = kepler::db::open("/var/lib/app/db");
//   if (!store) { std::cerr << kepler::to_string(store.error()); return; }
//   (*store)->insert("key", "value");
//   auto value = (*store)->get("key");          // caf::expected<std::optional<std::string>>
//
// Every call is thread-safe and returns caf::expected; errors are kepler::ec (errors.hpp). No
// call throws. Behind the object run CAF actors: a WAL writer that group-commits,
// a memtable owner, and a supervisor that recovered the store at open.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "kepler/errors.hpp"
#include "kepler/iterator.hpp"
#include "kepler/options.hpp"
#include "kepler/snapshot.hpp"
#include "kepler/stats.hpp"
#include "kepler/write_batch.hpp"

namespace caf {
class actor_system;
class actor_system_config;
}  // namespace caf

namespace kepler {

struct db_access;

/// What opening the store found (db::recovery()).
struct recovery_report {
  /// The store was created by this open.
  bool created = false;
  /// Write-ahead logs replayed, and the batches and entries (inserts and removes) in them.
  std::uint64_t logs_replayed = 0;
  std::uint64_t batches_replayed = 0;
  std::uint64_t entries_replayed = 0;
  /// Bytes dropped from damaged files: the torn tail a crash left at the end of the newest log
  /// or the MANIFEST (never acknowledged as synced), and with recovery_mode::salvage whatever
  /// damaged ranges it skipped.
  std::uint64_t torn_tail_bytes = 0;
  /// Whole log records (batches) dropped: valid records after the first damage of the newest
  /// log (recovery_mode::point_in_time), or records skipped by salvage.
  std::uint64_t dropped_records = 0;
  /// One line per damaged range dropped or skipped, naming the file, the offset, the bytes and
  /// why. Empty after a clean close.
  std::vector<std::string> damage;
  /// Table files written from the replayed logs (so the next open replays none of them again).
  std::uint64_t tables_written = 0;
  /// Obsolete files removed: replayed logs, the old MANIFEST, table files a crash left half
  /// written.
  std::uint64_t files_removed = 0;
};

/// Errors every write (insert, remove, write) can return, beside its own:
///   ec::closed          close() ran before the call; nothing was written (retrying on a
///                       reopened store is safe).
///   ec::outcome_unknown the store stopped while the write was in flight (a worker actor
///                       failed, or the actor system shut down): it may or may not have been
///                       applied. Read the key back before retrying a write that must not apply
///                       twice.
///   ec::write_failed    a write or sync of the log failed, or sequence numbers ran out: writes
///                       are refused until the store is reopened; reads keep working. The
///                       message names the first failure. A write that was in flight when the
///                       failure happened may or may not have been applied (its bytes may be in
///                       the log and come back at the next open); a write refused because of an
///                       earlier failure did nothing.
///   ec::out_of_memory   memory ran out while the store applied a write: as write_failed.
///   ec::would_deadlock  called on the only scheduler worker of the actor system the store
///                       runs in (see open(system, ...)); nothing was written.
///   ec::io_error        an unexpected failure inside the library (a bug); nothing is promised
///                       about the write.
class db {
 public:
  /// Opens (or, with options::create_if_missing, creates) the store in `dir`, recovering every
  /// acknowledged write from the log. KeplerDB runs its actors in an actor system of its own.
  /// Errors: ec::locked (another opener holds the store), ec::not_a_store (the directory holds
  /// no store and create_if_missing is false, or holds other files), ec::already_exists (with
  /// error_if_exists), ec::corruption (damage other than a crash's torn tail, or a file the
  /// store needs is missing; the message names the file and offset), ec::unsupported_format
  /// (made by a newer KeplerDB), ec::invalid_argument (an empty path, or options out of range:
  /// see options.hpp), ec::io_error (the operating system failed a call; the message names
  /// the file), ec::out_of_memory.
  static caf::expected<std::unique_ptr<db>> open(const std::string& dir, options opts = {});

  /// As above, but runs the actors in `system`, which must outlive this db: call close() (or
  /// destroy the db) BEFORE destroying `system`, whose destructor otherwise waits forever for
  /// KeplerDB's actors. The scheduler is then yours: options::worker_poll_attempts and
  /// options::worker_threads are ignored. With CAF's default scheduler settings a blocking
  /// insert costs ~90 us instead of ~4 (its workers sleep 50 us between polls); call
  /// tune_scheduler on the config before creating the system to get KeplerDB's settings.
  ///
  /// The blocking calls (open, insert, remove, write, close) wait for KeplerDB's actors, which
  /// run on `system`'s scheduler workers. Called from inside one of your actors, such a call
  /// blocks the worker running it; when `system` has a single worker (tune_scheduler on two
  /// cores) that is a certain deadlock, so those calls then return ec::would_deadlock instead
  /// (get never waits and works anywhere; destroying the db there closes it asynchronously).
  /// With several workers, as many concurrent blocking calls from actors as there are workers
  /// deadlock just the same and cannot be detected: from actors, use kepler::actor_of()
  /// (db_actor.hpp) and request/response. Errors: as open(dir), and ec::would_deadlock.
  static caf::expected<std::unique_ptr<db>> open(caf::actor_system& system, const std::string& dir,
                                                 options opts = {});

  /// Sets the scheduler options KeplerDB runs best with on `cfg`: workers for half the cores,
  /// a short aggressive poll (options::worker_poll_attempts) and no moderate polling phase. For
  /// a user's own actor system; call before constructing it.
  static void tune_scheduler(caf::actor_system_config& cfg, const options& opts = {});

  /// Closes the store (see close()). On the only worker of the store's actor system (see
  /// open(system, ...)) it cannot wait: the store then closes once that worker is free again,
  /// so an open right after it may still find the store locked for a moment.
  ~db();
  db(const db&) = delete;
  db& operator=(const db&) = delete;

  /// Sets `key` to `value`. Acknowledged (returns) once visible to every later read and in the
  /// log (write_options::sync says how durable). Keys may be empty and may hold any bytes.
  /// Errors: ec::invalid_argument when key > max_key_bytes or value > max_value_bytes (nothing
  /// written), and those every write can return (above).
  caf::expected<void> insert(std::string_view key, std::string_view value, write_options wo = {});

  /// The newest value of `key`, or an empty optional when it is missing or removed. Reads the
  /// published state directly, without a message round trip; works after a write failure.
  /// Errors: ec::closed after close(); ec::invalid_argument for a key over max_key_bytes;
  /// ec::out_of_memory.
  caf::expected<std::optional<std::string>> get(std::string_view key, read_options ro = {}) const;

  /// An iterator over the store as of now (or as of ro.snapshot), within ro's bounds. See
  /// iterator.hpp. Errors: ec::closed after close(); ec::invalid_argument for a snapshot of
  /// another store; ec::out_of_memory. Errors met while iterating come from iterator::status.
  caf::expected<std::unique_ptr<iterator>> new_iterator(read_options ro = {}) const;

  /// The pairs with begin <= key < end (nullopt: unbounded), in key order, at most `limit`
  /// of them (0: no limit), read as of one moment (or ro.snapshot), as a vector. Bounds in `ro`
  /// narrow the range further. Errors: those of new_iterator and of iterator::status.
  caf::expected<std::vector<std::pair<std::string, std::string>>> scan(
      std::optional<std::string_view> begin, std::optional<std::string_view> end,
      std::size_t limit = 0, read_options ro = {}) const;

  /// Takes a snapshot of the store as of the last acknowledged write (snapshot.hpp): reads
  /// given it see that state until it is destroyed. Errors: ec::closed after close().
  caf::expected<std::unique_ptr<kepler::snapshot>> snapshot() const;

  /// Compacts every table holding keys in [begin, end] (nullopt: unbounded) down to the
  /// deepest level with data in that range, after flushing the memtable, and returns when it
  /// is done: overwritten versions and deletions that no snapshot needs are gone, and a later
  /// read touches fewer files. Writes go on meanwhile. Errors: ec::closed; ec::read_only;
  /// ec::would_deadlock (see open(system, ...)); the store's write failure, or a failure of
  /// the compaction's writes (ec::write_failed: the store then refuses writes, as after a failed
  /// log write).
  caf::expected<void> compact_range(std::optional<std::string_view> begin,
                                    std::optional<std::string_view> end);

  /// What the store holds and has done since it was opened (stats.hpp). Errors: ec::closed.
  caf::expected<db_stats> stats() const;

  /// A named property, as text, in the spirit of LevelDB's GetProperty:
  ///   "kepler.stats"                  db_stats::to_string()
  ///   "kepler.num-files-at-level<N>"  table files on level N (0..6)
  ///   "kepler.levels"                 one line per level: files and bytes
  ///   "kepler.sstables"               every table file: level, number, size, key range
  ///   "kepler.approximate-memory-usage"  memtable and block-cache bytes
  ///   "kepler.num-snapshots", "kepler.oldest-snapshot-sequence", "kepler.last-sequence"
  /// Errors: ec::invalid_argument naming an unknown property; ec::closed.
  caf::expected<std::string> property(std::string_view name) const;

  /// About how many bytes of table files hold keys in [begin, end) (the memtables are not
  /// counted), from the tables' indexes: no data block is read. Errors: ec::closed;
  /// ec::invalid_argument when begin > end; ec::corruption / ec::io_error when a table cannot
  /// be opened.
  caf::expected<std::uint64_t> approximate_size(std::string_view begin, std::string_view end) const;

  /// Removes `key`; removing a missing key succeeds. Errors as for insert.
  caf::expected<void> remove(std::string_view key, write_options wo = {});

  /// Applies every insert and remove of `batch`, all or nothing, in order (a later entry for a
  /// key wins). Errors as for insert, and ec::invalid_argument for a batch over max_batch_bytes
  /// or holding an over-long key or value (nothing written).
  /// An empty batch writes nothing. With write_options::sync it makes every write acknowledged
  /// before it durable (one fdatasync, skipped when nothing is unsynced): LevelDB's idiom for
  /// "sync now". Without sync it returns at once.
  caf::expected<void> write(const write_batch& batch, write_options wo = {});

  /// Waits for writes in flight, stops the actors, syncs and closes the log and releases the
  /// LOCK. Later calls return ec::closed; closing twice is fine. With a user's actor_system this
  /// must run before that system is destroyed (the destructor calls it).
  /// Errors: the store's first write failure (ec::write_failed, ec::out_of_memory), or the
  /// failure of the final sync (ec::io_error), in which case writes acknowledged without sync
  /// may be lost to a power failure (not to a crash); ec::would_deadlock (see open(system,
  /// ...)), in which case the store stays open.
  caf::expected<void> close();

  /// The directory this store lives in.
  const std::string& directory() const;

  /// What recovery did when this store was opened.
  const recovery_report& recovery() const;

  /// The engine behind the object; opaque to users (db::open makes one).
  struct impl;
  explicit db(std::unique_ptr<impl> p);

 private:
  friend struct db_access;  // the library's own view of impl_ (kepler::actor_of)
  std::unique_ptr<impl> impl_;
};

}  // namespace kepler
