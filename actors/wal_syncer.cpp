#include "actors/wal_syncer.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/boundary/status_error.hpp"
#include "kepler/errors.hpp"

namespace kepler::actors {

wal_syncer_actor::behavior_type wal_syncer(
    wal_syncer_actor::stateful_pointer<wal_syncer_state> self, std::shared_ptr<engine_state> engine,
    std::shared_ptr<wal_file> wal, memtable_owner_actor memtable, wal_writer_actor writer) {
  auto& st = self->state;
  st.engine = std::move(engine);
  st.wal = std::move(wal);
  st.memtable = std::move(memtable);
  st.writer = std::move(writer);
  // Not what is written by now: the writer may already have appended a group that asked for a
  // sync, and counting it as synced would acknowledge it from the page cache.
  st.synced = st.wal->synced_at_start;
  return {
      [self](const write_group_ptr& group) {
        auto& st = self->state;
        if (!st.failed && group->needs_sync && group->end_offset > st.synced) {
          // One fdatasync covers every group written before it started, including those still
          // queued behind this one: they skip their own.
          auto covered = st.wal->written.load(std::memory_order_acquire);
          auto s = st.wal->file->sync();
          if (s.is_ok()) {
            st.synced = covered;
          } else {
            st.failed = true;
            st.engine->fail_writes(
                make_error(ec::write_failed, "syncing the log failed: " + s.to_string()));
          }
        }
        if (st.failed)
          group->fail(st.engine->write_error());
        else
          self->send(st.memtable, group);
        self->send(st.writer, synced_atom::value);
      },
  };
}

}  // namespace kepler::actors
