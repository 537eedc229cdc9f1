#pragma once
// The db actor users talk to (kepler/db_actor.hpp). Writes go into the same write path as the
// blocking proxy's; a write's completion reports back here, and this actor answers its own
// response promise. Reads read the published view directly.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include "actors/boundary/engine_state.hpp"
#include "actors/interfaces.hpp"

namespace kepler::actors {

struct db_facade_state {
  std::shared_ptr<engine_state> engine;
  wal_writer_actor writer;
  memtable_owner_actor memtable;
  compactor_actor compactor;
  /// The store's request pool, of which this actor is an owner until it stops.
  request_pool* requests = nullptr;
  using reply_list = std::vector<caf::typed_response_promise<bool>>;
  /// Writes sent down the write path, by request id: the replies one request answers.
  std::unordered_map<std::uint64_t, reply_list> pending;
  /// Writes that arrived while more messages waited in the mailbox, gathered into one batch:
  /// one request, one log record and one trip down the write path for all of them. Sent when
  /// the facade_flush sent as gathering began arrives (after everything queued before it), or
  /// at max_gathered_bytes.
  struct gathered_writes {
    std::string batch;
    bool sync = false;
    reply_list replies;
  };
  gathered_writes gathered;
  /// Manual compactions (db::compact_range) by the id of the request that seals the memtable
  /// before them: they flush first, then ask the compactor.
  struct compact_job {
    std::optional<std::string> begin;
    std::optional<std::string> end;
    caf::typed_response_promise<bool> reply;
  };
  std::unordered_map<std::uint64_t, compact_job> compacts;
  std::uint64_t next_id = 0;
  /// Set by close_atom: writes are refused; `closed` is answered once `pending` is empty.
  bool closing = false;
  caf::typed_response_promise<bool> closed;
  /// Answers every pending request when the actor stops: none is dropped.
  ~db_facade_state();
  static inline const char* name = "kepler.db_facade";
};

db_facade_actor::behavior_type db_facade(db_facade_actor::stateful_pointer<db_facade_state> self,
                                         std::shared_ptr<engine_state> engine,
                                         wal_writer_actor writer, memtable_owner_actor memtable,
                                         compactor_actor compactor, request_pool* requests,
                                         caf::actor_addr supervisor);

}  // namespace kepler::actors
