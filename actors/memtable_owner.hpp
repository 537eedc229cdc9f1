#pragma once
#include <memory>

#include "actors/boundary/engine_state.hpp"
#include "actors/interfaces.hpp"

namespace kepler::actors {

struct memtable_owner_state {
  std::shared_ptr<engine_state> engine;
  std::shared_ptr<storage::memtable> mem;
  flush_worker_actor flusher;
  /// Set when a group failed to apply: later groups are refused, never published (publishing a
  /// higher sequence would expose the failed group's applied part).
  caf::error failed;
  static inline const char* name = "kepler.memtable_owner";
};

/// Applies groups to `mem` (the memtable recovery left, empty or not); hands each sealed
/// memtable to `flusher`.
memtable_owner_actor::behavior_type memtable_owner(
    memtable_owner_actor::stateful_pointer<memtable_owner_state> self,
    std::shared_ptr<engine_state> engine, std::shared_ptr<storage::memtable> mem,
    flush_worker_actor flusher);

}  // namespace kepler::actors
