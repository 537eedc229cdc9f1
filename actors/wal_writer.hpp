#pragma once
#include <atomic>
#include <cstdint>
#include <memory>

#include <caf/typed_response_promise.hpp>

#include "actors/boundary/engine_state.hpp"
#include "actors/interfaces.hpp"
#include "storage_format/log/log_writer.hpp"
#include "storage_format/util/file_system.hpp"

namespace kepler::actors {

/// Shared by the writer (which appends) and the syncer (which fdatasyncs the same file).
struct wal_file {
  /// `synced`: how much of `file` is known to be on disk, from whoever made it so (recovery
  /// hands over a new, empty log: 0). Never inferred from what happens to be written.
  wal_file(std::unique_ptr<storage::writable_file> f, std::uint64_t synced)
      : file(std::move(f)), synced_at_start(synced) {}

  std::unique_ptr<storage::writable_file> file;
  /// Bytes handed to the OS so far; a sync started after reading it covers at least that much.
  std::atomic<std::uint64_t> written{0};
  /// Bytes on disk when the writer took the file: where the syncer's own record starts.
  const std::uint64_t synced_at_start;
};

/// A reply that must never be dropped: if the actor stops with it pending, its state's
/// destruction (in on_exit, while the actor still exists) answers it with an error, so whoever
/// waits on it is not left waiting forever.
struct pending_reply {
  caf::typed_response_promise<bool> promise;
  pending_reply() = default;
  pending_reply(const pending_reply&) = delete;
  pending_reply& operator=(const pending_reply&) = delete;
  ~pending_reply();
};

struct wal_writer_state {
  std::shared_ptr<engine_state> engine;
  std::shared_ptr<wal_file> wal;
  std::unique_ptr<storage::log::writer> log;
  storage::sequence_number last_sequence = 0;
  /// The group being gathered from the mailbox.
  write_group_ptr group;
  /// Groups handed to the syncer and not yet passed on by it; while any are, every group goes
  /// through the syncer so none overtakes a sync group written before it.
  std::size_t groups_at_syncer = 0;
  memtable_owner_actor memtable;
  wal_syncer_actor syncer;
  /// The close request's reply, until the log is synced and closed.
  pending_reply pending_close;
  bool closing = false;
  static inline const char* name = "kepler.wal_writer";
};

wal_writer_actor::behavior_type wal_writer(
    wal_writer_actor::stateful_pointer<wal_writer_state> self, std::shared_ptr<engine_state> engine,
    std::shared_ptr<wal_file> wal, storage::sequence_number last_sequence,
    memtable_owner_actor memtable);

}  // namespace kepler::actors
