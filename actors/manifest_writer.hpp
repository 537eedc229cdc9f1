#pragma once
#include <memory>

#include "actors/boundary/engine_state.hpp"
#include "actors/interfaces.hpp"
#include "storage_format/version/manifest.hpp"
#include "storage_format/version/version_set.hpp"

namespace kepler::actors {

struct manifest_writer_state {
  std::shared_ptr<engine_state> engine;
  storage::version_set versions;
  std::unique_ptr<storage::manifest> manifest;
  /// Set when an edit could not be made durable: nothing more is recorded or deleted.
  bool failed = false;
  /// Woken after each installed version (null until the supervisor attaches it).
  compactor_actor compactor;
  static inline const char* name = "kepler.manifest_writer";
};

/// Records edits in `manifest` (recovery's fresh MANIFEST, which holds `versions`' state),
/// installs each new version for readers, then deletes the logs and tables it made obsolete.
manifest_writer_actor::behavior_type manifest_writer(
    manifest_writer_actor::stateful_pointer<manifest_writer_state> self,
    std::shared_ptr<engine_state> engine, storage::version_set versions,
    std::unique_ptr<storage::manifest> manifest);

}  // namespace kepler::actors
