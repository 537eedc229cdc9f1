#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "actors/boundary/engine_state.hpp"
#include "actors/interfaces.hpp"
#include "storage_format/compaction/compaction_picker.hpp"

namespace kepler::actors {

struct compactor_state {
  std::shared_ptr<engine_state> engine;
  manifest_writer_actor manifest;
  storage::compaction_options options;
  /// Where each level's next size-triggered compaction starts (round robin).
  storage::compact_pointers pointers;
  /// The table files the last installed compaction wrote.
  std::vector<std::uint64_t> last_outputs;
  /// Set by compactor_stop: no compaction starts after it.
  bool stopped = false;
  static inline const char* name = "kepler.compactor";
};

/// Compacts when the installed version calls for it (level-0 files at the trigger, a level
/// over its size) and on request (compact_range_request), one compaction at a time; installs
/// each through `manifest`. A failed compaction makes writes fail (sticky), as a failed flush
/// does: its inputs stay, its outputs are removed. engine->compactions_cancelled() makes a
/// running compaction stop early and remove its outputs (close sets it).
compactor_actor::behavior_type compactor(compactor_actor::stateful_pointer<compactor_state> self,
                                         std::shared_ptr<engine_state> engine,
                                         manifest_writer_actor manifest);

}  // namespace kepler::actors
