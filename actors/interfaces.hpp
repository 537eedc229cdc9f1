#pragma once
// The typed interfaces of KeplerDB's actors: which actor accepts which message and replies with
// what. Write path (doc/design.md):
//
//   proxy --write_request--> wal_writer --write_group--> memtable_owner --signals--> caller
//                                 \--write_group--> wal_syncer (fdatasync) --/
//
// The supervisor recovers the store, spawns the others and closes them.

#include <cstdint>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/messages/write_request.hpp"
#include "kepler/db_actor.hpp"

namespace kepler::actors {

using open_atom = caf::atom_constant<caf::atom("open")>;
using close_atom = caf::atom_constant<caf::atom("close")>;
using synced_atom = caf::atom_constant<caf::atom("synced")>;

/// Applies groups to the memtable in the order received (log order), publishes the last
/// visible sequence, then answers each request.
using memtable_owner_actor = caf::typed_actor<caf::reacts_to<write_group_ptr>>;

/// The fdatasync stage (a detached actor, so the sync never stalls a scheduler worker): syncs
/// the log when a group asks for it, then passes the group on. Groups pass through in order.
using wal_syncer_actor = caf::typed_actor<caf::reacts_to<write_group_ptr>>;

/// Assigns sequence numbers, appends each mailbox-full of requests as one group with one
/// write(), and passes groups on in log order. `synced_atom`: the syncer passed a group on.
/// `close_atom`: finish in-flight syncs, sync and close the log.
using wal_writer_actor =
    caf::typed_actor<caf::reacts_to<write_request_ptr>, caf::reacts_to<synced_atom>,
                     caf::replies_to<close_atom>::with<bool>>;

/// The db actor's internal messages are of library-private types that never cross the network
/// (no serializer), rather than atoms: a remote peer holding the db actor's handle cannot send
/// them at all, and a user's code cannot without declaring our internal types (in-process code
/// is trusted anyway). kepler::actor_of hands out the db_actor part of the interface only.
///
/// A write of the db actor finished: `id` is its request, `outcome` none on success.
struct facade_write_done {
  std::uint64_t id;
  caf::error outcome;
};
/// From the supervisor: refuse new writes, reply once every pending one is answered.
struct facade_close {};

/// The db actor users get (kepler/db_actor.hpp) plus its internal messages. It answers its own
/// response promises.
using db_facade_actor =
    db_actor::extend<caf::reacts_to<facade_write_done>, caf::replies_to<facade_close>::with<bool>>;

/// `open_atom`: run recovery, spawn the workers, reply with the writer (the blocking proxy's
/// entry point) and the db actor (actor users' entry point). `close_atom`: close the workers,
/// release the LOCK, reply, stop.
using supervisor_actor =
    caf::typed_actor<caf::replies_to<open_atom>::with<wal_writer_actor, db_facade_actor>,
                     caf::replies_to<close_atom>::with<bool>>;

}  // namespace kepler::actors

// Local-only: no serializer, so a remote node cannot send them.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kepler::actors::facade_write_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kepler::actors::facade_close)
