#include "actors/wal_writer.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/status_error.hpp"
#include "actors/wal_syncer.hpp"
#include "kepler/errors.hpp"
#include "storage_format/batch_format.hpp"

namespace kepler::actors {

namespace {

// A group stops gathering at this size even when more requests wait, so one write() stays
// bounded and callers at the front of a long queue are not held back.
constexpr std::size_t max_group_bytes = 1 << 20;

using writer_ptr = wal_writer_actor::stateful_pointer<wal_writer_state>;

// Finishes a close once no group is at the syncer: syncs what non-sync groups left in the OS,
// so closing makes every write durable.
void finish_close_if_idle(writer_ptr self) {
  auto& st = self->state;
  auto& reply = st.pending_close.promise;
  if (!st.closing || st.groups_at_syncer > 0 || !reply.pending()) return;
  auto s = st.wal->file->sync();
  if (s.is_ok()) s = st.wal->file->close();
  // After a failed write or sync, a later sync may "succeed" without the lost data: closing
  // reports the first failure, never a clean close.
  if (st.engine->writes_failed())
    reply.deliver(st.engine->write_error());
  else if (s.is_ok())
    reply.deliver(true);
  else
    reply.deliver(to_error(s));
}

// Writes the gathered group with one append and passes it on in log order.
void send_group(writer_ptr self) {
  auto& st = self->state;
  auto group = std::move(st.group);
  auto s = st.log->write_pending();
  if (!s.is_ok()) {
    // The log's tail is now unknown: never append after it. Reads keep working; reopening
    // recovers every acknowledged write.
    auto err = make_error(ec::write_failed, "writing the log failed: " + s.to_string());
    st.engine->fail_writes(err);
    group->fail(err);
    return;
  }
  group->end_offset = st.log->end_offset();
  st.wal->written.store(group->end_offset, std::memory_order_release);
  if (group->needs_sync || st.groups_at_syncer > 0) {
    ++st.groups_at_syncer;
    self->send(st.syncer, std::move(group));
  } else {
    self->send(st.memtable, std::move(group));
  }
}

}  // namespace

pending_reply::~pending_reply() {
  if (promise.pending())
    promise.deliver(make_error(ec::closed, "the log writer stopped before closing the log"));
}

wal_writer_actor::behavior_type wal_writer(writer_ptr self, std::shared_ptr<engine_state> engine,
                                           std::shared_ptr<wal_file> wal,
                                           storage::sequence_number last_sequence,
                                           memtable_owner_actor memtable) {
  auto& st = self->state;
  st.engine = std::move(engine);
  st.wal = std::move(wal);
  st.log = std::make_unique<storage::log::writer>(st.wal->file.get());
  st.wal->written.store(st.log->end_offset());
  st.last_sequence = last_sequence;
  st.memtable = std::move(memtable);
  st.syncer = self->spawn<caf::detached + caf::linked>(wal_syncer, st.engine, st.wal, st.memtable,
                                                       wal_writer_actor{self});
  return {
      [self](write_request_ptr& req) {
        auto& st = self->state;
        if (st.closing) {
          req->answer(make_error(ec::closed, "the store is closing"));
          return;
        }
        if (st.engine->writes_failed()) {
          req->answer(st.engine->write_error());
          return;
        }
        auto count = storage::batch::count(req->batch);
        storage::batch::set_sequence(&req->batch, st.last_sequence + 1);
        st.last_sequence += count;
        st.log->add_record(req->batch);
        if (!st.group) st.group = std::make_shared<write_group>();
        st.group->needs_sync |= req->sync;
        st.group->last_sequence = st.last_sequence;
        st.group->requests.push_back(std::move(req));
        // Group commit: while more requests wait in the mailbox, keep gathering; the last one
        // in sends the whole group out with one write().
        if (self->mailbox().empty() || st.log->pending_bytes() >= max_group_bytes) send_group(self);
      },
      [self](synced_atom) {
        auto& st = self->state;
        --st.groups_at_syncer;
        // A group still gathering saw this message in the mailbox and waited for more
        // requests: if none follow, it goes out now.
        if (st.group && self->mailbox().empty()) send_group(self);
        finish_close_if_idle(self);
      },
      [self](close_atom) -> caf::typed_response_promise<bool> {
        auto& st = self->state;
        if (st.group) send_group(self);
        st.closing = true;
        st.pending_close.promise = self->make_response_promise<bool>();
        finish_close_if_idle(self);
        return st.pending_close.promise;
      },
  };
}

}  // namespace kepler::actors
