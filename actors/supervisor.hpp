#pragma once
#include <memory>
#include <string>

#include "actors/boundary/engine_state.hpp"
#include "actors/interfaces.hpp"
#include "storage_format/util/file_system.hpp"
#include "storage_format/version/recovery.hpp"

namespace kepler::actors {

struct supervisor_state {
  std::shared_ptr<engine_state> engine;
  storage::recovery_options opts;
  std::unique_ptr<storage::file_lock> lock;
  manifest_writer_actor manifest;
  flush_worker_actor flusher;
  compactor_actor compactor;
  memtable_owner_actor memtable;
  wal_writer_actor writer;
  db_facade_actor facade;
  storage::recovery_stats stats;
  bool closing = false;
  /// Close sent the workers their exit and waits for their down messages.
  bool stopping = false;
  caf::typed_response_promise<bool> close_reply;
  caf::error close_error;
  static inline const char* name = "kepler.supervisor";
};

/// Recovers the store (engine->config() says where and how) on `open_atom` and owns the
/// workers until `close_atom`. `stats_out`, when not null, receives what recovery found before
/// the open reply is sent. `requests` is the store's request pool, for the db actor. A
/// read-only store gets only the db actor: no log, no flush, no MANIFEST.
supervisor_actor::behavior_type supervisor(
    supervisor_actor::stateful_pointer<supervisor_state> self, std::shared_ptr<engine_state> engine,
    storage::recovery_options opts, storage::recovery_stats* stats_out, request_pool* requests);

}  // namespace kepler::actors
