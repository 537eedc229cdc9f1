#include "actors/wal_syncer.hpp"

#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/boundary/status_error.hpp"
#include "kepler/errors.hpp"

namespace kepler::actors {

bool sync_written(engine_state& engine, wal_file& wal) {
  auto covered = wal.written.load(std::memory_order_acquire);
  if (covered <= wal.synced) return true;
  auto s = wal.file->sync();
  if (s.is_ok()) {
    wal.synced = covered;
    return true;
  }
  engine.fail_writes(make_error(ec::write_failed, "syncing the log failed: " + s.to_string()));
  return false;
}

namespace {

using syncer_ptr = wal_syncer_actor::stateful_pointer<wal_syncer_state>;

// Syncs `wal` unless what is written of it is on disk already. One fdatasync covers every
// group written before it started, including those queued behind this one: they skip theirs.
void sync_log(syncer_ptr self, wal_file& wal) {
  if (!sync_written(*self->state.engine, wal)) self->state.failed = true;
}

}  // namespace

wal_syncer_actor::behavior_type wal_syncer(syncer_ptr self, std::shared_ptr<engine_state> engine,
                                           memtable_owner_actor memtable,
                                           manifest_writer_actor manifest,
                                           wal_writer_actor writer) {
  auto& st = self->state;
  st.engine = std::move(engine);
  st.memtable = std::move(memtable);
  st.manifest = std::move(manifest);
  st.writer = std::move(writer);
  return {
      [self](const write_group_ptr& group) {
        group->stamp(write_trace::at_syncer);
        auto& st = self->state;
        // Only what syncs of the file covered counts as synced (wal_file::synced: this actor's,
        // or the writer's while nothing was here), never what happened to be written.
        if (!st.failed && group->needs_sync && group->end_offset > group->wal->synced)
          sync_log(self, *group->wal);
        group->stamp(write_trace::synced);
        if (st.failed)
          group->fail(st.engine->write_error());
        else
          self->send(st.memtable, group);
        self->send(st.writer, synced_atom::value);
      },
      [self](const retire_log& old) {
        auto& st = self->state;
        // Synced before anything of the next log passes: a power loss then never keeps a later
        // log's writes without this one's (no holes). The directory sync makes the new log's
        // entry durable, which the writer created before it sent this.
        if (!st.failed) sync_log(self, *old.wal);
        if (!st.failed) {
          auto s = old.wal->file->close();
          if (s.is_ok()) s = st.engine->config().fs->sync_dir(st.engine->config().dir);
          if (s.is_ok()) {
            // Anonymous: the manifest writer's reply (for close's request) is not wanted here.
            caf::anon_send(st.manifest, log_closed{old.wal->number, old.wal->synced});
          } else {
            st.failed = true;
            st.engine->fail_writes(
                make_error(ec::write_failed, "closing the old log failed: " + s.to_string()));
          }
        }
        self->send(st.writer, synced_atom::value);
      },
  };
}

}  // namespace kepler::actors
