#include "actors/supervisor.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/boundary/status_error.hpp"
#include "actors/db_facade.hpp"
#include "actors/memtable_owner.hpp"
#include "actors/wal_writer.hpp"
#include "kepler/errors.hpp"

namespace kepler::actors {

namespace {

using supervisor_ptr = supervisor_actor::stateful_pointer<supervisor_state>;

// Stops the workers; messages still in their mailboxes are dropped, which fails their requests
// (intrusive_ptr_release in write_request.cpp), so no caller is left waiting.
void stop_workers(supervisor_ptr self) {
  auto& st = self->state;
  if (st.writer) self->send_exit(st.writer, caf::exit_reason::user_shutdown);
  if (st.memtable) self->send_exit(st.memtable, caf::exit_reason::user_shutdown);
  if (st.facade) self->send_exit(st.facade, caf::exit_reason::user_shutdown);
  st.writer = nullptr;
  st.memtable = nullptr;
  st.facade = nullptr;
}

}  // namespace

supervisor_actor::behavior_type supervisor(supervisor_ptr self,
                                           std::shared_ptr<engine_state> engine,
                                           storage::file_system* fs, std::string dir,
                                           storage::recovery_options opts,
                                           storage::recovery_stats* stats_out,
                                           request_pool* requests) {
  auto& st = self->state;
  st.engine = std::move(engine);
  st.fs = fs;
  st.dir = std::move(dir);
  st.opts = opts;
  // A worker that stops unexpectedly may have dropped acknowledged-to-be work: refuse writes
  // from then on (sticky), never restart silently. Reads keep working.
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    if (st.closing) return;
    // The db actor holds no part of the write path: if it stops (anyone holding its handle can
    // `kill` it), its own pending writes get outcome_unknown and the store's writes go on.
    if (st.facade && msg.source == st.facade.address()) return;
    self->state.engine->fail_writes(make_error(
        ec::write_failed, "a KeplerDB worker actor stopped unexpectedly (" +
                              caf::to_string(msg.reason) + "); reopen the store to recover"));
  });
  return {
      [self, stats_out, requests](open_atom) -> caf::result<wal_writer_actor, db_facade_actor> {
        auto& st = self->state;
        storage::recovered_store rec;
        auto s = storage::recover_store(*st.fs, st.dir, st.opts, &rec);
        if (!s.is_ok()) {
          self->quit();
          return to_error(s);
        }
        st.lock = std::move(rec.lock);
        st.stats = rec.stats;
        if (stats_out) *stats_out = rec.stats;
        st.engine->publish(rec.last_sequence);
        auto view = std::make_shared<storage::read_view>();
        view->mem = rec.mem;
        st.engine->install_view(std::move(view));
        // Recovery made the log new and empty: nothing in it is unsynced yet.
        auto wal = std::make_shared<wal_file>(std::move(rec.log), 0);
        st.memtable = self->spawn(memtable_owner, st.engine, rec.mem);
        st.writer = self->spawn(wal_writer, st.engine, wal, rec.last_sequence, st.memtable);
        st.facade = self->spawn(db_facade, st.engine, st.writer, requests, self->address());
        self->monitor(st.memtable);
        self->monitor(st.writer);
        self->monitor(st.facade);
        return {st.writer, st.facade};
      },
      [self](close_atom) -> caf::typed_response_promise<bool> {
        auto& st = self->state;
        auto rp = self->make_response_promise<bool>();
        st.closing = true;
        if (!st.writer) {
          st.lock.reset();
          rp.deliver(true);
          self->quit();
          return rp;
        }
        // The db actor first: it stops taking writes and waits for its pending ones, which the
        // writer (still running) finishes. Then the writer syncs and closes the log.
        auto finish = [self, rp](caf::error err) mutable {
          // A worker that died on the way gives CAF's own error: report it as ours.
          if (err && err.category() != caf::atom("kepler"))
            err = make_error(ec::io_error, "closing the store failed: a KeplerDB worker stopped (" +
                                               caf::to_string(err) + ")");
          stop_workers(self);
          self->state.lock.reset();
          if (err)
            rp.deliver(std::move(err));
          else
            rp.deliver(true);
          self->quit();
        };
        auto close_writer = [self, finish]() mutable {
          self->request(self->state.writer, caf::infinite, close_atom::value)
              .then([finish](bool) mutable { finish({}); },
                    [finish](caf::error& err) mutable { finish(std::move(err)); });
        };
        self->request(st.facade, caf::infinite, facade_close{})
            .then([close_writer](bool) mutable { close_writer(); },
                  [close_writer](caf::error&) mutable { close_writer(); });
        return rp;
      },
  };
}

}  // namespace kepler::actors
