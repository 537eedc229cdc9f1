#pragma once
// The typed interfaces of KeplerDB's actors: which actor accepts which message and replies with
// what (doc/design.md, "The parts").
//
//   proxy --write_request--> wal_writer --write_group--> memtable_owner --signals--> caller
//                              |     \--write_group, retire_log--> wal_syncer --/   |
//                              |                                       |        flush_job
//                              |                                  log_closed         v
//                              |                                       v        flush_worker
//                              |                              manifest_writer <--flush_done
//                              |                                 |        ^
//                              |                      compaction_wake   compaction_done
//                              |                                 v        |
//                              |                                 compactor
//
// The wal_writer switches logs; the memtable_owner seals its memtable at the first group of a
// new log and hands it to the flush_worker, which writes it as a table file; the
// manifest_writer records each change in the MANIFEST and installs it for readers. The
// supervisor recovers the store, spawns the others and closes them.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/messages/write_request.hpp"
#include "kepler/db_actor.hpp"
#include "storage_format/memtable/memtable.hpp"
#include "storage_format/version/version_edit.hpp"

namespace kepler::actors {

using open_atom = caf::atom_constant<caf::atom("open")>;
using close_atom = caf::atom_constant<caf::atom("close")>;
using synced_atom = caf::atom_constant<caf::atom("synced")>;

/// The writer switched logs: the syncer syncs and closes the old one once every group before
/// it is through, then reports its final length to the manifest writer.
struct retire_log {
  std::shared_ptr<wal_file> wal;
};

/// A closed log and its final length, for the MANIFEST (damage in a closed log, or another
/// length on disk, is then corruption rather than a torn tail).
struct log_closed {
  std::uint64_t number = 0;
  std::uint64_t length = 0;
};

/// A sealed memtable to write as a table file. Once it is in the MANIFEST, logs below
/// `next_log_number` hold nothing that is not in table files.
struct flush_job {
  std::shared_ptr<const storage::memtable> mem;
  std::uint64_t next_log_number = 0;
};

/// A finished flush: the edit that names the new table, and the memtable it replaces.
struct flush_done {
  storage::version_edit edit;
  std::shared_ptr<const storage::memtable> flushed;
};

/// The writer's own reminder to look whether a flush has made room while writes wait.
struct stall_check {};

/// To the flush worker: reply once every job sent before is done (and its edit sent on).
struct flush_drain {};

/// From the manifest writer after it installed a version: look whether a compaction is due.
struct compaction_wake {};

/// A manual compaction of the user keys in [begin, end] (nullopt: unbounded), down to the
/// deepest level with data in that range (db::compact_range).
struct compact_range_request {
  std::optional<std::string> begin;
  std::optional<std::string> end;
};

/// From the supervisor at close: start no more compactions; reply once none runs.
struct compactor_stop {};

/// A finished compaction: the edit that swaps its inputs for its outputs, in one record.
struct compaction_done {
  storage::version_edit edit;
};

/// To the manifest writer: reply once every message sent to it before is handled (so a flush
/// sent on earlier is installed).
struct manifest_barrier {};

/// Applies groups to the memtable in the order received (log order), publishes the last
/// visible sequence, then answers each request. Seals at a group that starts a new log.
/// `flush_drain` goes on to the flush worker behind every flush job sent before it.
using memtable_owner_actor =
    caf::typed_actor<caf::reacts_to<write_group_ptr>, caf::replies_to<flush_drain>::with<bool>>;

/// The fdatasync stage (a detached actor, so the sync never stalls a scheduler worker): syncs a
/// group's log when the group asks for it, then passes the group on; retires old logs. Groups
/// pass through in order.
using wal_syncer_actor =
    caf::typed_actor<caf::reacts_to<write_group_ptr>, caf::reacts_to<retire_log>>;

/// Assigns sequence numbers, appends each mailbox-full of requests as one group with one
/// write(), passes groups on in log order, switches logs once a memtable's worth is written.
/// `synced_atom`: the syncer passed a group (or a retired log) on. `close_atom`: finish
/// in-flight syncs, sync and close the log, reply with its final length.
using wal_writer_actor =
    caf::typed_actor<caf::reacts_to<write_request_ptr>, caf::reacts_to<synced_atom>,
                     caf::reacts_to<stall_check>, caf::replies_to<close_atom>::with<log_closed>>;

/// Writes sealed memtables as table files, one at a time in the order sealed (a detached
/// actor: a flush is long blocking I/O).
using flush_worker_actor =
    caf::typed_actor<caf::reacts_to<flush_job>, caf::replies_to<flush_drain>::with<bool>>;

/// Merges table files down the levels (a detached actor: a compaction is long blocking I/O),
/// one compaction at a time: on `compaction_wake` while one is due, on `compact_range_request`
/// (replying once done). Installs each through the manifest writer.
using compactor_actor = caf::typed_actor<caf::reacts_to<compaction_wake>,
                                         caf::replies_to<compact_range_request>::with<bool>,
                                         caf::replies_to<compactor_stop>::with<bool>>;

/// The compactor the manifest writer wakes after each installed version (spawned after it).
struct attach_compactor {
  compactor_actor compactor;
};

/// Owns the version set and the MANIFEST: appends and syncs each edit, then installs it for
/// readers and lets obsolete files go (a detached actor: every edit waits for an fsync). As a
/// request, `log_closed` replies once the edit is durable (close uses it for the newest log),
/// and `compaction_done` once the compaction is installed.
using manifest_writer_actor =
    caf::typed_actor<caf::reacts_to<flush_done>, caf::replies_to<log_closed>::with<bool>,
                     caf::replies_to<compaction_done>::with<bool>,
                     caf::replies_to<manifest_barrier>::with<bool>,
                     caf::reacts_to<attach_compactor>>;

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
/// To itself, when the db actor starts gathering writes: sends them once everything queued
/// before it has been taken in.
struct facade_flush {};
/// From the blocking proxy: db::compact_range (the db actor flushes, then asks the compactor).
struct facade_compact {
  std::optional<std::string> begin;
  std::optional<std::string> end;
};

/// The db actor users get (kepler/db_actor.hpp) plus its internal messages. It answers its own
/// response promises.
using db_facade_actor =
    db_actor::extend<caf::reacts_to<facade_write_done>, caf::reacts_to<facade_flush>,
                     caf::replies_to<facade_close>::with<bool>,
                     caf::replies_to<facade_compact>::with<bool>>;

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
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kepler::actors::facade_flush)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kepler::actors::retire_log)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kepler::actors::log_closed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kepler::actors::flush_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kepler::actors::flush_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kepler::actors::stall_check)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kepler::actors::flush_drain)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kepler::actors::compaction_wake)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kepler::actors::compact_range_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kepler::actors::compactor_stop)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kepler::actors::compaction_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kepler::actors::manifest_barrier)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kepler::actors::attach_compactor)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kepler::actors::facade_compact)
