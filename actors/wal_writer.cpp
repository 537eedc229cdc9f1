#include "actors/wal_writer.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/boundary/exception_error.hpp"
#include "actors/boundary/status_error.hpp"
#include "actors/wal_syncer.hpp"
#include "kepler/errors.hpp"
#include "storage_format/memtable/batch_format.hpp"
#include "storage_format/util/kill_point.hpp"
#include "storage_format/version/file_names.hpp"

namespace kepler::actors {

namespace {

// A group stops gathering at this size even when more requests wait, so one write() stays
// bounded and callers at the front of a long queue are not held back.
constexpr std::size_t max_group_bytes = 1 << 20;
// While writes wait for a flush, the writer looks this often whether one has made room (a
// flush of a memtable takes tens of milliseconds). It is also the delay a write group gets
// while level 0 is at the slowdown trigger (LevelDB's, per write).
constexpr auto stall_poll = std::chrono::milliseconds(1);

using writer_ptr = wal_writer_actor::stateful_pointer<wal_writer_state>;

// Finishes a close once nothing is at the syncer: syncs what non-sync groups left in the OS,
// so closing makes every write durable, and replies with the log's final length.
void finish_close_if_idle(writer_ptr self) {
  auto& st = self->state;
  auto& reply = st.pending_close.promise;
  if (!st.closing || st.groups_at_syncer > 0 || !reply.pending()) return;
  // After a failed write or sync, a later sync may "succeed" without the lost data: closing
  // reports the first failure, never a clean close.
  if (st.engine->writes_failed()) {
    reply.deliver(st.engine->write_error());
    return;
  }
  auto s = st.wal->file->sync();
  if (s.is_ok()) s = st.wal->file->close();
  if (!s.is_ok()) {
    reply.deliver(to_error(s));
    return;
  }
  reply.deliver(log_closed{st.wal->number, st.wal->written.load()});
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
  group->stamp(write_trace::write_start);
  auto s = st.log->write_pending();
  group->stamp(write_trace::write_end);
  if (!s.is_ok()) {
    // The log's tail is now unknown: never append after it. Reads keep working; reopening
    // recovers every acknowledged write.
    auto err = make_error(ec::write_failed, "writing the log failed: " + s.to_string());
    st.engine->fail_writes(err);
    group->fail(err);
    return;
  }
  group->end_offset = st.log->end_offset();
  engine_counters::add(st.engine->counters().log_bytes,
                       group->end_offset - st.wal->written.load(std::memory_order_relaxed));
  st.wal->written.store(group->end_offset, std::memory_order_release);
  if (group->needs_sync && st.groups_at_syncer == 0 && !st.synced_inline) {
    // Nothing is at the syncer, so no earlier group waits for a sync: the writer syncs this
    // group itself and passes it straight on. That saves the two wake-ups of a trip through
    // the syncer's thread (doc/design.md, "Write path"). Requests arriving meanwhile gather
    // in the mailbox; their group goes through the syncer (synced_inline), so this group's
    // acknowledgement never waits behind a second sync on this worker.
    st.synced_inline = true;
    group->stamp(write_trace::at_syncer);
    if (!sync_written(*st.engine, *group->wal)) {
      group->fail(st.engine->write_error());
      return;
    }
    group->stamp(write_trace::synced);
    self->send(st.memtable, std::move(group));
  } else if (group->needs_sync || st.groups_at_syncer > 0) {
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
  // Idle now: the worker moves on to the memtable_owner, which applies what was synced inline.
  if (self->mailbox().empty()) st.synced_inline = false;
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

using wait_reason = wal_writer_state::wait_reason;

// Whether writes must stop until a flush or a compaction makes room, and why.
wait_reason stop_reason(const wal_writer_state& st) {
  const auto& cfg = st.engine->config();
  if (st.engine->unflushed() >= cfg.max_sealed_memtables) return wait_reason::memtables;
  if (st.engine->level0_files() >= static_cast<std::size_t>(cfg.l0_stop_trigger))
    return wait_reason::level0_files;
  return wait_reason::none;
}

const char* reason_name(wait_reason r) {
  return r == wait_reason::memtables ? "memtables" : "level0_files";
}

enum class switch_outcome { switched, must_wait, failed };

// Starts a new log once the current one holds a memtable's worth (doc/design.md, "Flush"):
// the writer decides, at a group boundary, because it runs ahead of the memtable_owner; the
// first group of the new log tells the memtable_owner to seal. While max_sealed_memtables wait
// for their flush, writes wait instead.
switch_outcome switch_log(writer_ptr self, wait_reason* why) {
  auto& st = self->state;
  const auto& cfg = st.engine->config();
  *why = stop_reason(st);
  if (*why != wait_reason::none) return switch_outcome::must_wait;
  auto number = st.engine->new_file_number();
  std::unique_ptr<storage::writable_file> file;
  auto s =
      cfg.fs->new_writable_file(storage::join_path(cfg.dir, storage::log_file_name(number)), &file);
  if (!s.is_ok()) {
    st.engine->fail_writes(
        make_error(ec::write_failed, "starting a new log failed: " + s.to_string()));
    return switch_outcome::failed;
  }
  // The syncer syncs and closes the old log after every group before it, and makes the new
  // log's directory entry durable before any group of the new log passes it.
  ++st.groups_at_syncer;
  self->send(st.syncer, retire_log{st.wal});
  st.wal = std::make_shared<wal_file>(std::move(file), number, 0);
  st.log = std::make_unique<storage::log::writer>(st.wal->file.get());
  st.next_starts_log = true;
  st.engine->count_seal();
  storage::kill_points::reach(storage::kill_points::after_log_switch);
  return switch_outcome::switched;
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
    engine_counters::add(st.engine->counters().user_bytes, req->batch.size());
  }
  if (!st.group) {
    st.group = std::make_shared<write_group>();
    st.group->wal = st.wal;
    st.group->starts_log = st.next_starts_log;
    st.next_starts_log = false;
  }
  st.group->needs_sync |= req->sync;
  st.group->last_sequence = st.last_sequence;
  st.group->requests.push_back(std::move(req));
}

// Holds `req` (and every request after it) back for `why`: until a flush or a compaction makes
// room, or for one stall_poll (a slowdown).
void hold_back(writer_ptr self, write_request_ptr req, wait_reason why) {
  auto& st = self->state;
  if (st.stalled.empty()) {
    st.stalled_since = std::chrono::steady_clock::now();
    st.waiting_for = why;
    if (why != wait_reason::slowdown)
      st.engine->events().publish(write_stall_started{reason_name(why)});
    self->delayed_send(wal_writer_actor{self}, stall_poll, stall_check{});
  }
  st.stalled.push_back(std::move(req));
}

bool must_slow_down(const wal_writer_state& st) {
  return !st.slowed && st.engine->level0_files() >=
                           static_cast<std::size_t>(st.engine->config().l0_slowdown_trigger);
}

// Takes one request into the log: refused, waiting for a flush, or added to the group.
void accept(writer_ptr self, write_request_ptr req) {
  auto& st = self->state;
  if (auto err = refusal(st)) {
    req->answer(err);
    return;
  }
  if (!sequences_left_for(st, *req)) {
    // For good: what was gathered before goes out, every later write is refused.
    if (st.group) send_group(self);
    st.engine->fail_writes(sequences_used_up());
    req->answer(st.engine->write_error());
    return;
  }
  if (must_slow_down(st)) {
    hold_back(self, std::move(req), wait_reason::slowdown);
    return;
  }
  // A seal request closes the group before it, so the seal covers every earlier write.
  if (req->seal_memtable && st.group) send_group(self);
  const auto written = st.wal->written.load();
  if (!st.group &&
      (written >= st.engine->config().memtable_bytes || (req->seal_memtable && written > 0))) {
    wait_reason why = wait_reason::none;
    switch (switch_log(self, &why)) {
      case switch_outcome::switched:
        break;
      case switch_outcome::must_wait:
        hold_back(self, std::move(req), why);
        return;
      case switch_outcome::failed:
        req->answer(st.engine->write_error());
        return;
    }
  }
  if (auto failure = run_catching([&] { add_to_group(self, req); })) {
    // Out of memory halfway through a record: the pending bytes are unknown, so nothing more
    // is appended, and the request fails with whatever was gathered with it.
    st.engine->fail_writes(failure);
    if (req) req->answer(failure);
  }
  if (st.group && st.log->pending_bytes() >= max_group_bytes) send_group(self);
}

// A flush or compaction made room, or a slowdown's delay is over (or writes failed, or the
// store closes): the waiting requests go on in their order; some may have to wait again.
void resume_stalled(writer_ptr self) {
  auto& st = self->state;
  auto waited = std::chrono::steady_clock::now() - st.stalled_since;
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(waited).count();
  if (st.waiting_for == wait_reason::slowdown) {
    auto& counters = st.engine->counters();
    engine_counters::add(counters.slowdowns, 1);
    engine_counters::add(counters.slowdown_micros, micros);
  } else {
    st.engine->count_stall(waited);
    st.engine->events().publish(
        write_stall_ended{reason_name(st.waiting_for), static_cast<std::uint64_t>(micros)});
  }
  const bool was_slowdown = st.waiting_for == wait_reason::slowdown;
  st.waiting_for = wait_reason::none;
  auto waiting = std::move(st.stalled);
  st.stalled.clear();
  // Delayed once is enough: every request held back by a slowdown goes on now.
  st.slowed = was_slowdown;
  while (!waiting.empty()) {
    auto req = std::move(waiting.front());
    waiting.pop_front();
    if (st.stalled.empty())
      accept(self, std::move(req));
    else
      st.stalled.push_back(std::move(req));  // behind one that waits again
  }
  st.slowed = false;
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
                                           memtable_owner_actor memtable,
                                           manifest_writer_actor manifest) {
  auto& st = self->state;
  st.engine = std::move(engine);
  st.wal = std::move(wal);
  st.log = std::make_unique<storage::log::writer>(st.wal->file.get());
  st.wal->written.store(st.log->end_offset());
  st.last_sequence = last_sequence;
  st.memtable = std::move(memtable);
  st.syncer = self->spawn<caf::detached + caf::linked>(wal_syncer, st.engine, st.memtable,
                                                       std::move(manifest), wal_writer_actor{self});
  return {
      [self](write_request_ptr& req) {
        req->stamp(write_trace::at_writer);
        auto& st = self->state;
        // Behind requests that wait for a flush: log order is arrival order.
        if (!st.stalled.empty() && !st.closing)
          st.stalled.push_back(std::move(req));
        else
          accept(self, std::move(req));
        send_group_if_idle(self);
      },
      [self](synced_atom) {
        --self->state.groups_at_syncer;
        send_group_if_idle(self);
        finish_close_if_idle(self);
      },
      [self](stall_check) {
        auto& st = self->state;
        if (st.stalled.empty()) return;
        // A slowdown waits one poll; a stop waits until a flush or a compaction ends it.
        if (st.waiting_for != wait_reason::slowdown && stop_reason(st) != wait_reason::none &&
            !st.engine->writes_failed()) {
          self->delayed_send(wal_writer_actor{self}, stall_poll, stall_check{});
          return;
        }
        resume_stalled(self);
        send_group_if_idle(self);
      },
      [self](close_atom) -> caf::typed_response_promise<log_closed> {
        auto& st = self->state;
        // The blocking callers' writes finished before close (db::close waits for them), and
        // the db actor's too: whatever still waits for a flush now did nothing.
        st.closing = true;
        if (!st.stalled.empty()) resume_stalled(self);
        if (st.group) send_group(self);
        st.pending_close.promise = self->make_response_promise<log_closed>();
        finish_close_if_idle(self);
        return st.pending_close.promise;
      },
  };
}

}  // namespace kepler::actors
