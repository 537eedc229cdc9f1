#include "actors/wal_writer.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/boundary/exception_error.hpp"
#include "actors/boundary/status_error.hpp"
#include "actors/wal_syncer.hpp"
#include "kepler/errors.hpp"
#include "storage_format/memtable/batch_format.hpp"

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

// Writes the gathered group with one append and passes it on in log order. Once writes have
// failed, nothing more is appended: the group fails instead (its bytes may follow a lost one).
void send_group(writer_ptr self) {
  auto& st = self->state;
  auto group = std::move(st.group);
  if (st.engine->writes_failed()) {
    group->fail(st.engine->write_error());
    return;
  }
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

// Group commit: while more messages wait in the mailbox, a group keeps gathering; the handler
// that finds the mailbox empty sends it. Every handler ends here, whatever it did, so no
// group is ever left gathering with nothing behind it to send it. (System messages that reach
// no handler, such as an exit or down message, come here only from the linked syncer, and
// those stop the writer, which fails the group's requests as it drops them.)
void send_group_if_idle(writer_ptr self) {
  auto& st = self->state;
  if (st.group && (self->mailbox().empty() || st.log->pending_bytes() >= max_group_bytes))
    send_group(self);
}

// Why `req` is refused before it gets a sequence number, or no error.
caf::error refusal(const wal_writer_state& st) {
  if (st.closing) return make_error(ec::closed, "the store is closing");
  if (st.engine->writes_failed()) return st.engine->write_error();
  return {};
}

// Sequence numbers are 56 bits (internal_key.hpp): past the last one they would wrap, and a
// wrapped write would be acknowledged yet sort behind every older version.
bool sequences_left_for(const wal_writer_state& st, const write_request& req) {
  return st.last_sequence <= storage::max_sequence_number &&
         storage::batch::count(req.batch) <= storage::max_sequence_number - st.last_sequence;
}

caf::error sequences_used_up() {
  return make_error(ec::write_failed, "sequence numbers are used up (the last one, " +
                                          std::to_string(storage::max_sequence_number) +
                                          ", is taken): the store takes no more writes");
}

// Numbers the request's entries and adds its record to the gathering group. An empty batch
// writes nothing: it joins the group only for its sync (db::write's "make every earlier write
// durable").
void add_to_group(writer_ptr self, write_request_ptr& req) {
  auto& st = self->state;
  auto count = storage::batch::count(req->batch);
  if (count > 0) {
    storage::batch::set_sequence(&req->batch, st.last_sequence + 1);
    st.log->add_record(req->batch);
    st.last_sequence += count;
  }
  if (!st.group) st.group = std::make_shared<write_group>();
  st.group->needs_sync |= req->sync;
  st.group->last_sequence = st.last_sequence;
  st.group->requests.push_back(std::move(req));
}

}  // namespace

pending_reply::~pending_reply() {
  if (promise.pending())
    promise.deliver(make_error(ec::io_error,
                               "the log writer stopped before it synced and closed the log: "
                               "writes acknowledged without sync may not be on disk"));
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
        if (auto err = refusal(st)) {
          req->answer(err);
        } else if (!sequences_left_for(st, *req)) {
          // For good: what was gathered before goes out, every later write is refused.
          if (st.group) send_group(self);
          st.engine->fail_writes(sequences_used_up());
          req->answer(st.engine->write_error());
        } else if (auto failure = run_catching([&] { add_to_group(self, req); })) {
          // Out of memory halfway through a record: the pending bytes are unknown, so nothing
          // more is appended, and the request fails with whatever was gathered with it.
          st.engine->fail_writes(failure);
          if (req) req->answer(failure);
        }
        send_group_if_idle(self);
      },
      [self](synced_atom) {
        --self->state.groups_at_syncer;
        send_group_if_idle(self);
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
