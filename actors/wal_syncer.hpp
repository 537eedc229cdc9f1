#pragma once
#include <memory>

#include "actors/boundary/engine_state.hpp"
#include "actors/interfaces.hpp"

namespace kepler::actors {

struct wal_syncer_state {
  std::shared_ptr<engine_state> engine;
  memtable_owner_actor memtable;
  manifest_writer_actor manifest;
  wal_writer_actor writer;
  /// Set after a failed sync: every later group fails too, so none becomes visible after a
  /// group that was lost.
  bool failed = false;
  static inline const char* name = "kepler.wal_syncer";
};

/// Fdatasyncs what is written of `wal` unless it is on disk already; on failure makes the
/// store's writes fail (sticky) and returns false. One sync covers every group written before
/// it started. Called by whoever owns `wal.synced` at the time: the syncer, or the writer while
/// nothing is at the syncer (wal_file.hpp).
bool sync_written(engine_state& engine, wal_file& wal);

wal_syncer_actor::behavior_type wal_syncer(
    wal_syncer_actor::stateful_pointer<wal_syncer_state> self, std::shared_ptr<engine_state> engine,
    memtable_owner_actor memtable, manifest_writer_actor manifest, wal_writer_actor writer);

}  // namespace kepler::actors
