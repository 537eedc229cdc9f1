#pragma once
// What the actors publish for readers and the proxy (doc/design.md, "Read path"): the last
// visible sequence number, the read view, the store's sticky write error, the file number
// counter, the sealed memtables waiting for a flush and the stall counters. Readers never wait
// on a mailbox. The table and block caches live here too: every view reads through them.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "actors/boundary/event_hub.hpp"
#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/memtable/memtable.hpp"
#include "storage_format/table/block_cache.hpp"
#include "storage_format/table/table_cache.hpp"
#include "storage_format/table/table_options.hpp"
#include "storage_format/util/file_system.hpp"
#include "storage_format/version/read_view.hpp"
#include "storage_format/version/snapshot_list.hpp"
#include "storage_format/version/version.hpp"

namespace kepler::actors {

/// What the engine was opened with; fixed for its life.
struct engine_config {
  storage::file_system* fs = nullptr;
  std::string dir;
  storage::table_options table;
  std::size_t memtable_bytes = 4 << 20;
  std::size_t max_sealed_memtables = 2;
  std::size_t max_open_files = 1000;
  std::size_t block_cache_bytes = 8 << 20;
  /// Roll to a new MANIFEST once the current one passes this size.
  std::uint64_t manifest_roll_bytes = 4 << 20;
  /// Level-0 files at which a compaction starts, writes slow down, writes stop (options.hpp).
  int l0_compaction_trigger = 4;
  int l0_slowdown_trigger = 8;
  int l0_stop_trigger = 12;
  std::uint64_t max_bytes_for_level_base = 10 << 20;
  std::uint64_t target_file_size = 2 << 20;
};

/// What the store has done since it opened, for db::stats; every worker adds to it.
struct engine_counters {
  std::atomic<std::uint64_t> user_bytes{0};
  std::atomic<std::uint64_t> log_bytes{0};
  std::atomic<std::uint64_t> flushes{0};
  std::atomic<std::uint64_t> flush_bytes{0};
  std::atomic<std::uint64_t> compactions{0};
  std::atomic<std::uint64_t> compaction_bytes_read{0};
  std::atomic<std::uint64_t> compaction_bytes_written{0};
  std::atomic<std::uint64_t> slowdowns{0};
  std::atomic<std::uint64_t> slowdown_micros{0};
  std::atomic<std::uint64_t> open_iterators{0};

  static void add(std::atomic<std::uint64_t>& counter, std::uint64_t n) {
    counter.fetch_add(n, std::memory_order_relaxed);
  }
};

class engine_state {
 public:
  explicit engine_state(engine_config config);
  engine_state(const engine_state&) = delete;
  engine_state& operator=(const engine_state&) = delete;

  const engine_config& config() const { return config_; }
  storage::table_cache& tables() { return tables_; }
  const storage::table_cache& tables() const { return tables_; }
  const storage::block_cache& blocks() const { return blocks_; }
  engine_counters& counters() { return counters_; }
  const engine_counters& counters() const { return counters_; }
  const event_hub& events() const { return events_; }
  event_hub& events() { return events_; }
  /// Shared with every kepler::snapshot handle, which may outlive the engine.
  const std::shared_ptr<storage::snapshot_list>& snapshots() const { return snapshots_; }

  /// Every entry at or below this sequence is applied; readers read as of it.
  storage::sequence_number last_visible() const {
    return last_visible_.load(std::memory_order_acquire);
  }
  void publish(storage::sequence_number seq) {
    last_visible_.store(seq, std::memory_order_release);
  }

  /// The newest value of `key` as of `snapshot` (a live snapshot's sequence), or of the last
  /// visible sequence when none is given: the one read that db::get and the db actor's get
  /// share. Errors: ec::corruption naming the table file and offset, ec::io_error.
  caf::expected<std::optional<std::string>> read(
      const storage::read_options& options, std::string_view key,
      std::optional<storage::sequence_number> snapshot = std::nullopt) const;

  std::shared_ptr<const storage::read_view> view() const {
    std::lock_guard<std::mutex> guard(view_mutex_);
    return view_;
  }
  /// At open: the recovered memtable and table files.
  void install_initial(std::shared_ptr<const storage::memtable> mem,
                       std::shared_ptr<const storage::version> files);
  /// The memtable_owner sealed `sealed` and writes go to `active` from now on.
  void install_seal(std::shared_ptr<const storage::memtable> sealed,
                    std::shared_ptr<const storage::memtable> active);
  /// The manifest writer installed `files`, which hold what `flushed` (a sealed memtable, or
  /// null) held: one swap, so no reader finds the data in neither.
  void install_files(std::shared_ptr<const storage::version> files,
                     const storage::memtable* flushed);
  /// Close: a running compaction stops early (its outputs removed), none starts after.
  void cancel_compactions() { cancel_compactions_.store(true, std::memory_order_release); }
  const std::atomic<bool>* compaction_cancel_flag() const { return &cancel_compactions_; }

  /// Level-0 files of the installed version: the wal_writer slows and stops writes by it.
  std::size_t level0_files() const { return level0_files_.load(std::memory_order_acquire); }

  /// One counter numbers logs, tables and MANIFESTs alike (manifest_format.md).
  std::uint64_t new_file_number() { return next_file_.fetch_add(1); }
  std::uint64_t next_file_number() const { return next_file_.load(); }
  void set_next_file_number(std::uint64_t n) { next_file_.store(n); }

  /// Memtables sealed (or about to be: the wal_writer counts a seal when it switches logs)
  /// whose flush is not yet installed; writes wait while this reaches max_sealed_memtables.
  std::size_t unflushed() const { return unflushed_.load(std::memory_order_acquire); }
  void count_seal() { unflushed_.fetch_add(1, std::memory_order_acq_rel); }
  void count_flush() { unflushed_.fetch_sub(1, std::memory_order_acq_rel); }

  /// Writes that waited for a flush (back-pressure): how often, and for how long in all.
  struct stall_counters {
    std::uint64_t events = 0;
    std::uint64_t micros = 0;
  };
  void count_stall(std::chrono::steady_clock::duration waited);
  stall_counters stalls() const;

  /// The first write failure, after which every write is refused (reads keep working).
  bool writes_failed() const { return writes_failed_.load(std::memory_order_acquire); }
  caf::error write_error() const {
    std::lock_guard<std::mutex> guard(error_mutex_);
    return write_error_;
  }
  /// Records `err` unless an earlier failure is already recorded, and tells the subscribers.
  void fail_writes(const caf::error& err);

 private:
  // Swaps in a copy of the current view changed by `change`.
  template <class Change>
  void change_view(Change&& change);

  const engine_config config_;
  storage::block_cache blocks_;
  storage::table_cache tables_;
  std::atomic<storage::sequence_number> last_visible_{0};
  mutable std::mutex view_mutex_;
  std::shared_ptr<const storage::read_view> view_;
  std::atomic<std::size_t> level0_files_{0};
  std::atomic<bool> cancel_compactions_{false};
  std::atomic<std::uint64_t> next_file_{0};
  std::atomic<std::size_t> unflushed_{0};
  std::atomic<std::uint64_t> stall_events_{0};
  std::atomic<std::uint64_t> stall_micros_{0};
  mutable std::mutex error_mutex_;
  caf::error write_error_;
  std::atomic<bool> writes_failed_{false};
  engine_counters counters_;
  event_hub events_;
  std::shared_ptr<storage::snapshot_list> snapshots_ = std::make_shared<storage::snapshot_list>();
};

}  // namespace kepler::actors
