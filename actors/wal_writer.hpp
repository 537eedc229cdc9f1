#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>

#include <caf/typed_response_promise.hpp>

#include "actors/boundary/engine_state.hpp"
#include "actors/interfaces.hpp"
#include "storage_format/log/log_writer.hpp"
#include "storage_format/util/file_system.hpp"

namespace kepler::actors {

/// A reply that must never be dropped: if the actor stops with it pending, its state's
/// destruction (in on_exit, while the actor still exists) answers it with an error, so whoever
/// waits on it is not left waiting forever.
struct pending_reply {
  caf::typed_response_promise<log_closed> promise;
  pending_reply() = default;
  pending_reply(const pending_reply&) = delete;
  pending_reply& operator=(const pending_reply&) = delete;
  ~pending_reply();
};

struct wal_writer_state {
  std::shared_ptr<engine_state> engine;
  /// The newest log: every new group goes into it.
  std::shared_ptr<wal_file> wal;
  std::unique_ptr<storage::log::writer> log;
  storage::sequence_number last_sequence = 0;
  /// The group being gathered from the mailbox.
  write_group_ptr group;
  /// Groups (and retired logs) handed to the syncer and not yet passed on by it; while any are,
  /// every group goes through the syncer so none overtakes a sync group written before it.
  std::size_t groups_at_syncer = 0;
  /// The writer synced a group itself and has not found its mailbox empty since: the
  /// memtable_owner (on the same scheduler worker, maybe the only one) may not have applied that
  /// group yet, so the next sync group goes to the syncer rather than hold the worker again.
  bool synced_inline = false;
  /// The next group is the first of a new log.
  bool next_starts_log = false;
  /// Requests that arrived while writes wait for a flush or a compaction (back-pressure), or
  /// for a slowdown's delay, in arrival order.
  std::deque<write_request_ptr> stalled;
  std::chrono::steady_clock::time_point stalled_since;
  /// Why `stalled` waits (none while it is empty).
  enum class wait_reason { none, slowdown, memtables, level0_files };
  wait_reason waiting_for = wait_reason::none;
  /// While the stalled requests are taken in again after a slowdown: they were delayed once.
  bool slowed = false;
  memtable_owner_actor memtable;
  wal_syncer_actor syncer;
  /// The close request's reply, until the log is synced and closed.
  pending_reply pending_close;
  bool closing = false;
  static inline const char* name = "kepler.wal_writer";
};

/// Writes to `wal` (recovery's new, empty log) from sequence `last_sequence` + 1 on; spawns the
/// syncer, which reports closed logs to `manifest`.
wal_writer_actor::behavior_type wal_writer(
    wal_writer_actor::stateful_pointer<wal_writer_state> self, std::shared_ptr<engine_state> engine,
    std::shared_ptr<wal_file> wal, storage::sequence_number last_sequence,
    memtable_owner_actor memtable, manifest_writer_actor manifest);

}  // namespace kepler::actors
