#pragma once
#include <memory>

#include "actors/boundary/engine_state.hpp"
#include "actors/interfaces.hpp"
#include "actors/wal_writer.hpp"

namespace kepler::actors {

struct wal_syncer_state {
  std::shared_ptr<engine_state> engine;
  std::shared_ptr<wal_file> wal;
  memtable_owner_actor memtable;
  wal_writer_actor writer;
  /// Log offset known to be on disk: what the log held synced when it was handed over, then
  /// what this actor's own syncs covered.
  std::uint64_t synced = 0;
  /// Set after a failed sync: every later group fails too, so none becomes visible after a
  /// group that was lost.
  bool failed = false;
  static inline const char* name = "kepler.wal_syncer";
};

wal_syncer_actor::behavior_type wal_syncer(
    wal_syncer_actor::stateful_pointer<wal_syncer_state> self, std::shared_ptr<engine_state> engine,
    std::shared_ptr<wal_file> wal, memtable_owner_actor memtable, wal_writer_actor writer);

}  // namespace kepler::actors
