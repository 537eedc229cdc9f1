#pragma once
// kepler::db — the blocking interface to a KeplerDB store.
//
//   auto store = kepler::db::open("/var/lib/app/db");
//   if (!store) { std::cerr << kepler::to_string(store.error()); return; }
//   (*store)->insert("key", "value");
//   auto value = (*store)->get("key");          // caf::expected<std::optional<std::string>>
//
// Every call is thread-safe and returns caf::expected; errors are kepler::ec (errors.hpp). No
// call throws. Behind the object run CAF actors (DESIGN.md): a WAL writer that group-commits,
// a memtable owner, and a supervisor that recovered the store at open.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "kepler/errors.hpp"
#include "kepler/options.hpp"
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
  /// Bytes of half-written records a crash left at the end of a log, dropped (they were never
  /// acknowledged).
  std::uint64_t torn_tail_bytes = 0;
};

class db {
 public:
  /// Opens (or, with options::create_if_missing, creates) the store in `dir`, recovering every
  /// acknowledged write from the log. KeplerDB runs its actors in an actor system of its own.
  /// Errors: ec::locked (another opener holds the store), ec::not_a_store (the directory holds
  /// no store and create_if_missing is false, or holds other files), ec::already_exists (with
  /// error_if_exists), ec::corruption (damage other than a crash's torn tail), ec::io_error.
  static caf::expected<std::unique_ptr<db>> open(const std::string& dir, options opts = {});

  /// As above, but runs the actors in `system`, which must outlive this db: call close() (or
  /// destroy the db) BEFORE destroying `system`, whose destructor otherwise waits forever for
  /// KeplerDB's actors. The scheduler is then yours: options::worker_poll_attempts and
  /// options::worker_threads are ignored. With CAF's default scheduler settings a blocking
  /// insert costs ~90 us instead of ~4 (its workers sleep 50 us between polls); call
  /// tune_scheduler on the config before creating the system to get KeplerDB's settings.
  static caf::expected<std::unique_ptr<db>> open(caf::actor_system& system, const std::string& dir,
                                                 options opts = {});

  /// Sets the scheduler options KeplerDB runs best with on `cfg` (DESIGN.md §8): workers for
  /// half the cores, a short aggressive poll (options::worker_poll_attempts) and no moderate
  /// polling phase. For a user's own actor system; call before constructing it.
  static void tune_scheduler(caf::actor_system_config& cfg, const options& opts = {});

  /// Closes the store (see close()).
  ~db();
  db(const db&) = delete;
  db& operator=(const db&) = delete;

  /// Sets `key` to `value`. Acknowledged (returns) once visible to every later read and in the
  /// log (write_options::sync says how durable). Keys may be empty and may hold any bytes.
  /// Errors: ec::invalid_argument when key > max_key_bytes or value > max_value_bytes (nothing
  /// written); ec::closed after close(); ec::write_failed after an earlier write failed.
  caf::expected<void> insert(std::string_view key, std::string_view value, write_options wo = {});

  /// The newest value of `key`, or an empty optional when it is missing or removed. Reads the
  /// published state directly, without a message round trip; works after a write failure.
  /// Errors: ec::closed after close(); ec::invalid_argument for a key over max_key_bytes.
  caf::expected<std::optional<std::string>> get(std::string_view key, read_options ro = {}) const;

  /// Removes `key`; removing a missing key succeeds. Errors as for insert.
  caf::expected<void> remove(std::string_view key, write_options wo = {});

  /// Applies every insert and remove of `batch`, all or nothing, in order (a later entry for a
  /// key wins). Errors as for insert, and ec::invalid_argument for a batch over max_batch_bytes
  /// or holding an over-long key or value (nothing written). An empty batch is a no-op.
  caf::expected<void> write(const write_batch& batch, write_options wo = {});

  /// Waits for writes in flight, stops the actors, syncs and closes the log and releases the
  /// LOCK. Later calls return ec::closed; closing twice is fine. With a user's actor_system this
  /// must run before that system is destroyed (the destructor calls it).
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
