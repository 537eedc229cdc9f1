#pragma once
#include <memory>

#include "actors/boundary/engine_state.hpp"
#include "actors/interfaces.hpp"

namespace kepler::actors {

struct flush_worker_state {
  std::shared_ptr<engine_state> engine;
  manifest_writer_actor manifest;
  static inline const char* name = "kepler.flush_worker";
};

/// Writes each sealed memtable as a level-0 table file (storage::build_table) and sends the
/// edit that names it to `manifest`. A failed flush makes writes fail (sticky); reads keep
/// working, the memtable stays in the read view and its log stays on disk.
flush_worker_actor::behavior_type flush_worker(
    flush_worker_actor::stateful_pointer<flush_worker_state> self,
    std::shared_ptr<engine_state> engine, manifest_writer_actor manifest);

}  // namespace kepler::actors
