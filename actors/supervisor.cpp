#include "actors/supervisor.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/boundary/status_error.hpp"
#include "actors/compactor.hpp"
#include "actors/db_facade.hpp"
#include "actors/flush_worker.hpp"
#include "actors/manifest_writer.hpp"
#include "actors/memtable_owner.hpp"
#include "actors/wal_writer.hpp"
#include "kepler/errors.hpp"

namespace kepler::actors {

namespace {

using supervisor_ptr = supervisor_actor::stateful_pointer<supervisor_state>;

// Stops the workers; messages still in their mailboxes are dropped, which fails their requests
// (intrusive_ptr_release in write_request.cpp), so no caller is left waiting. Each handle is
// forgotten when its down message arrives (forget_worker).
void stop_workers(supervisor_ptr self) {
  auto& st = self->state;
  auto stop = [self](const auto& handle) {
    if (handle) self->send_exit(handle, caf::exit_reason::user_shutdown);
  };
  stop(st.facade);
  stop(st.writer);
  stop(st.memtable);
  stop(st.flusher);
  stop(st.compactor);
  stop(st.manifest);
}

// Forgets the worker that went down; true when it was the db actor.
bool forget_worker(supervisor_state& st, const caf::actor_addr& gone) {
  bool facade = st.facade && st.facade.address() == gone;
  auto forget = [&gone](auto& handle) {
    if (handle && handle.address() == gone) handle = nullptr;
  };
  forget(st.facade);
  forget(st.writer);
  forget(st.memtable);
  forget(st.flusher);
  forget(st.compactor);
  forget(st.manifest);
  return facade;
}

bool all_stopped(const supervisor_state& st) {
  return !st.facade && !st.writer && !st.memtable && !st.flusher && !st.compactor && !st.manifest;
}

// The last step of close, once every worker is down: only then is the LOCK released, so a new
// opener never meets a flush or an obsolete-file deletion of ours still running.
void complete_close(supervisor_ptr self) {
  auto& st = self->state;
  st.stopping = false;
  st.lock.reset();
  if (st.close_error)
    st.close_reply.deliver(st.close_error);
  else
    st.close_reply.deliver(true);
  self->quit();
}

// Spawns the write path over what recovery left: the manifest writer takes the version set and
// the fresh MANIFEST, the writer the new log.
void spawn_writers(supervisor_ptr self, storage::recovered_store& rec) {
  auto& st = self->state;
  // Detached: each of them blocks on fsyncs and file writes, which must not stall the
  // scheduler workers the write path runs on (a 2-core machine has one).
  st.manifest = self->spawn<caf::detached>(manifest_writer, st.engine, std::move(rec.versions),
                                           std::move(rec.manifest));
  st.flusher = self->spawn<caf::detached>(flush_worker, st.engine, st.manifest);
  st.compactor = self->spawn<caf::detached>(compactor, st.engine, st.manifest);
  self->send(st.manifest, attach_compactor{st.compactor});
  st.memtable = self->spawn(memtable_owner, st.engine, rec.mem, st.flusher);
  // Recovery made the log new and empty: nothing in it is unsynced yet.
  auto wal = std::make_shared<wal_file>(std::move(rec.log), rec.log_number, 0);
  st.writer = self->spawn(wal_writer, st.engine, wal, rec.last_sequence, st.memtable, st.manifest);
  for (const caf::actor_addr& worker :
       {st.manifest.address(), st.flusher.address(), st.compactor.address(), st.memtable.address(),
        st.writer.address()})
    self->monitor(worker);
}

// A worker that died on the way gives CAF's own error: report it as ours.
caf::error as_kepler_error(caf::error err) {
  if (!err || err.category() == caf::atom("kepler")) return err;
  return make_error(ec::io_error, "closing the store failed: a KeplerDB worker stopped (" +
                                      caf::to_string(err) + ")");
}

}  // namespace

supervisor_actor::behavior_type supervisor(supervisor_ptr self,
                                           std::shared_ptr<engine_state> engine,
                                           storage::recovery_options opts,
                                           storage::recovery_stats* stats_out,
                                           request_pool* requests) {
  auto& st = self->state;
  st.engine = std::move(engine);
  st.opts = opts;
  // A worker that stops unexpectedly may have dropped acknowledged-to-be work: refuse writes
  // from then on (sticky), never restart silently. Reads keep working.
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    bool was_facade = forget_worker(st, msg.source);
    if (st.closing) {
      // (Not close_reply.pending(): a close sent without a request, as ~db sends it on the sole
      // worker, has a promise that is never pending.)
      if (st.stopping && all_stopped(st)) complete_close(self);
      return;
    }
    // The db actor holds no part of the write path: if it stops (anyone holding its handle can
    // `kill` it), its own pending writes get outcome_unknown and the store's writes go on.
    if (was_facade) return;
    st.engine->fail_writes(make_error(
        ec::write_failed, "a KeplerDB worker actor stopped unexpectedly (" +
                              caf::to_string(msg.reason) + "); reopen the store to recover"));
  });
  return {
      [self, stats_out, requests](open_atom) -> caf::result<wal_writer_actor, db_facade_actor> {
        auto& st = self->state;
        const auto& cfg = st.engine->config();
        storage::recovered_store rec;
        auto s = storage::recover_store(*cfg.fs, cfg.dir, st.opts, &rec);
        if (!s.is_ok()) {
          self->quit();
          return to_error(s);
        }
        st.lock = std::move(rec.lock);
        st.stats = rec.stats;
        if (stats_out) *stats_out = rec.stats;
        st.engine->set_next_file_number(rec.next_file_number);
        st.engine->publish(rec.last_sequence);
        st.engine->install_initial(rec.mem, rec.versions.current());
        if (!st.opts.read_only) spawn_writers(self, rec);
        st.facade = self->spawn(db_facade, st.engine, st.writer, st.memtable, st.compactor,
                                requests, self->address());
        self->monitor(st.facade);
        return {st.writer, st.facade};
      },
      [self](close_atom) -> caf::typed_response_promise<bool> {
        auto& st = self->state;
        st.close_reply = self->make_response_promise<bool>();
        auto rp = st.close_reply;
        st.closing = true;
        auto finish = [self](caf::error err) mutable {
          auto& st = self->state;
          st.close_error = as_kepler_error(std::move(err));
          st.stopping = true;
          stop_workers(self);
          if (all_stopped(st)) complete_close(self);
        };
        // In order: the db actor stops taking writes and waits for its pending ones; the
        // writer syncs and closes the newest log; the flush worker finishes what it has; the
        // compactor stops; the manifest writer records the newest log's final length (so the next
        // open treats damage in it as corruption, not a torn tail).
        auto record_log = [self, finish](log_closed newest) mutable {
          self->request(self->state.manifest, caf::infinite, newest)
              .then([finish](bool) mutable { finish({}); },
                    [finish](caf::error& err) mutable { finish(std::move(err)); });
        };
        // Once no write can wait for a compaction any more: a running one stops early (its
        // outputs removed) and none starts; the next open compacts what is due.
        auto stop_compactions = [self, finish, record_log](log_closed newest) mutable {
          self->state.engine->cancel_compactions();
          self->request(self->state.compactor, caf::infinite, compactor_stop{})
              .then([record_log, newest](bool) mutable { record_log(newest); },
                    [finish](caf::error& err) mutable { finish(std::move(err)); });
        };
        // Through the memtable_owner: a seal it made just now sent its flush job before this.
        auto drain_flushes = [self, finish, stop_compactions](log_closed newest) mutable {
          self->request(self->state.memtable, caf::infinite, flush_drain{})
              .then([stop_compactions, newest](bool) mutable { stop_compactions(newest); },
                    [finish](caf::error& err) mutable { finish(std::move(err)); });
        };
        auto close_writer = [self, finish, drain_flushes]() mutable {
          auto& engine = *self->state.engine;
          if (!self->state.writer) {
            // Read-only (nothing was written), or the writer died: then writes failed, and the
            // close reports that failure.
            finish(engine.writes_failed() ? engine.write_error() : caf::error{});
            return;
          }
          self->request(self->state.writer, caf::infinite, close_atom::value)
              .then([drain_flushes](log_closed& newest) mutable { drain_flushes(newest); },
                    [finish](caf::error& err) mutable { finish(std::move(err)); });
        };
        if (!st.facade) {
          finish({});
          return rp;
        }
        self->request(st.facade, caf::infinite, facade_close{})
            .then([close_writer](bool) mutable { close_writer(); },
                  [close_writer](caf::error&) mutable { close_writer(); });
        return rp;
      },
  };
}

}  // namespace kepler::actors
