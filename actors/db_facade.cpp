#include "actors/db_facade.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/weak_intrusive_ptr.hpp>

#include "actors/boundary/exception_error.hpp"
#include "actors/boundary/request_checks.hpp"
#include "actors/boundary/scan_reader.hpp"
#include "kepler/errors.hpp"
#include "storage_format/memtable/batch_format.hpp"

namespace kepler::actors {

namespace {

using facade_ptr = db_facade_actor::stateful_pointer<db_facade_state>;

// Why a write (or a compaction) is refused before it starts, or none.
caf::error refusal(const db_facade_state& st) {
  if (st.closing) return make_error(ec::closed, "the store is closing");
  if (!st.writer)
    return make_error(ec::read_only, "the store is open read-only: writes are refused");
  if (st.engine->writes_failed()) return st.engine->write_error();
  return {};
}

// Sends a request down the write path; its completion reports back as facade_write_done with
// the returned id.
std::uint64_t send_request(facade_ptr self, std::string batch, bool sync, bool seal) {
  auto& st = self->state;
  auto id = st.next_id;
  // A weak handle: a request in flight must not keep this actor alive (doc/design.md, "CAF").
  caf::weak_actor_ptr me = self->ctrl();
  auto req = st.requests->acquire();
  req->batch = std::move(batch);
  req->sync = sync;
  req->seal_memtable = seal;
  req->done = &req->own_done;
  req->own_done.reset([me, id](const caf::error& outcome) {
    if (auto strong = me.lock())
      caf::anon_send(caf::actor_cast<db_facade_actor>(strong), facade_write_done{id, outcome});
  });
  ++st.next_id;
  self->send(st.writer, std::move(req));
  return id;
}

// Gathered writes go out once they reach this size, and a batch this large is never gathered,
// so one request (one log record) stays under twice it, as the wal_writer's groups are bounded.
constexpr std::size_t max_gathered_bytes = 1 << 20;

// Sends the gathered writes down the write path as one request.
void send_gathered(facade_ptr self) {
  auto& st = self->state;
  auto& g = st.gathered;
  if (g.replies.empty()) return;
  auto id = send_request(self, std::move(g.batch), g.sync, false);
  st.pending.emplace(id, std::move(g.replies));
  g = db_facade_state::gathered_writes{};
}

// Sends an encoded batch down the write path; the reply comes when its completion reports
// back (facade_write_done). While more messages wait in the mailbox, the batch joins the ones
// gathered before it instead (group commit before the write path: the writes from one actor
// program's many requests in flight travel as one request).
caf::typed_response_promise<bool> submit(facade_ptr self, std::string batch, bool sync) {
  auto& st = self->state;
  auto rp = self->make_response_promise<bool>();
  if (auto err = refusal(st)) {
    rp.deliver(std::move(err));
    return rp;
  }
  auto& g = st.gathered;
  if (batch.size() >= max_gathered_bytes || (g.replies.empty() && self->mailbox().empty())) {
    send_gathered(self);  // first, so the log keeps arrival order
    st.pending.emplace(send_request(self, std::move(batch), sync, false),
                       db_facade_state::reply_list{rp});
    return rp;
  }
  if (g.replies.empty()) {
    g.batch = std::move(batch);
    self->send(self, facade_flush{});
  } else {
    storage::batch::append(&g.batch, batch);
  }
  g.sync |= sync;
  g.replies.push_back(rp);
  if (g.batch.size() >= max_gathered_bytes) send_gathered(self);
  return rp;
}

void finish_compact(facade_ptr self, std::uint64_t id, const caf::error& err) {
  auto it = self->state.compacts.find(id);
  if (it == self->state.compacts.end()) return;
  if (err)
    it->second.reply.deliver(err);
  else
    it->second.reply.deliver(true);
  self->state.compacts.erase(it);
}

// The memtable of a manual compaction is sealed: wait for its flush (through the
// memtable_owner, which sent the flush job before it answered the seal), then compact.
void compact_after_seal(facade_ptr self, std::uint64_t id) {
  auto& st = self->state;
  self->request(st.memtable, caf::infinite, flush_drain{})
      .then(
          [self, id](bool) {
            auto it = self->state.compacts.find(id);
            if (it == self->state.compacts.end()) return;
            compact_range_request req{it->second.begin, it->second.end};
            self->request(self->state.compactor, caf::infinite, std::move(req))
                .then([self, id](bool) { finish_compact(self, id, {}); },
                      [self, id](caf::error& err) { finish_compact(self, id, err); });
          },
          [self, id](caf::error& err) { finish_compact(self, id, err); });
}

}  // namespace

db_facade_state::~db_facade_state() {
  // Owned for as long as this actor lives: a write sent to it may outlive the store object.
  if (requests != nullptr) requests->retire();
  if (closed.pending()) closed.deliver(make_error(ec::closed, "the db actor stopped"));
  for (auto& entry : compacts)
    if (entry.second.reply.pending())
      entry.second.reply.deliver(
          make_error(ec::closed, "the store closed before the compaction finished"));
  for (auto& entry : pending)
    for (auto& reply : entry.second)
      if (reply.pending())
        reply.deliver(make_error(ec::outcome_unknown,
                                 "the store stopped before this write was "
                                 "acknowledged: it may or may not have been applied"));
  for (auto& reply : gathered.replies)
    if (reply.pending())
      reply.deliver(make_error(ec::closed,
                               "the store stopped before this write was sent to "
                               "the log: nothing was written"));
}

db_facade_actor::behavior_type db_facade(facade_ptr self, std::shared_ptr<engine_state> engine,
                                         wal_writer_actor writer, memtable_owner_actor memtable,
                                         compactor_actor compactor, request_pool* requests,
                                         caf::actor_addr supervisor) {
  self->state.engine = std::move(engine);
  self->state.writer = std::move(writer);
  self->state.memtable = std::move(memtable);
  self->state.compactor = std::move(compactor);
  requests->add_owner();
  self->state.requests = requests;
  // Exits only from the supervisor that spawned it (its link or its close): a user or a remote
  // node holding the handle cannot stop it with an exit message (a `kill` still stops it; its
  // pending writes then get outcome_unknown, and the store's writes go on).
  self->set_exit_handler([self, supervisor](caf::exit_msg& msg) {
    if (msg.source == supervisor) self->quit(msg.reason);
  });
  // Only subscribers are monitored: one that dies gets no more events.
  self->set_down_handler(
      [self](caf::down_msg& msg) { self->state.engine->events().remove(msg.source); });
  return {
      [self](put_atom, std::string& key, std::string& value,
             bool sync) -> caf::typed_response_promise<bool> {
        if (auto err = check_key_value(key, value)) {
          auto rp = self->make_response_promise<bool>();
          rp.deliver(std::move(err));
          return rp;
        }
        auto batch = storage::batch::make_empty();
        storage::batch::add_put(&batch, key, value);
        return submit(self, std::move(batch), sync);
      },
      [self](remove_atom, std::string& key, bool sync) -> caf::typed_response_promise<bool> {
        if (auto err = check_key_value(key)) {
          auto rp = self->make_response_promise<bool>();
          rp.deliver(std::move(err));
          return rp;
        }
        auto batch = storage::batch::make_empty();
        storage::batch::add_delete(&batch, key);
        return submit(self, std::move(batch), sync);
      },
      [self](write_atom, std::string& encoded, bool sync) -> caf::typed_response_promise<bool> {
        if (auto err = check_encoded_batch(encoded)) {
          auto rp = self->make_response_promise<bool>();
          rp.deliver(std::move(err));
          return rp;
        }
        if (storage::batch::count(encoded) == 0 && !sync) {
          auto rp = self->make_response_promise<bool>();
          rp.deliver(true);
          return rp;
        }
        return submit(self, std::move(encoded), sync);
      },
      [self](get_atom, const std::string& key) -> caf::result<caf::optional<std::string>> {
        if (auto err = check_key_value(key)) return err;
        caf::expected<std::optional<std::string>> found{std::nullopt};
        if (auto thrown = run_catching(
                [&] { found = self->state.engine->read(storage::read_options{}, key); }))
          return thrown;
        if (!found) return std::move(found.error());
        if (!*found) return caf::optional<std::string>{};
        return caf::optional<std::string>{std::move(**found)};
      },
      [self](scan_atom, const caf::optional<std::string>& begin,
             const caf::optional<std::string>& end, std::uint64_t limit) -> caf::result<scan_page> {
        // The loop is plain code (actors/boundary/scan_reader.hpp); the reply is bounded by
        // max_scan_reply_bytes.
        auto page = read_scan_page(*self->state.engine,
                                   begin ? std::optional<std::string>(*begin) : std::nullopt,
                                   end ? std::optional<std::string>(*end) : std::nullopt, limit);
        if (!page) return std::move(page.error());
        return std::move(*page);
      },
      [self](subscribe_atom, event_subscriber& sub) {
        if (sub && self->state.engine->events().add(sub)) self->monitor(sub);
        return true;
      },
      [self](unsubscribe_atom, const event_subscriber& sub) {
        if (sub && self->state.engine->events().remove(sub.address()))
          self->demonitor(sub.address());
        return true;
      },
      [self](facade_compact& req) -> caf::typed_response_promise<bool> {
        auto& st = self->state;
        auto rp = self->make_response_promise<bool>();
        if (auto err = refusal(st)) {
          rp.deliver(std::move(err));
          return rp;
        }
        // The seal must cover every write accepted before it, gathered ones included.
        send_gathered(self);
        auto id = send_request(self, storage::batch::make_empty(), false, true);
        st.compacts.emplace(
            id, db_facade_state::compact_job{std::move(req.begin), std::move(req.end), rp});
        return rp;
      },
      [self](facade_write_done& report) {
        if (self->state.compacts.count(report.id) != 0) {
          if (report.outcome)
            finish_compact(self, report.id, report.outcome);
          else
            compact_after_seal(self, report.id);
          return;
        }
        auto it = self->state.pending.find(report.id);
        if (it == self->state.pending.end()) return;
        for (auto& reply : it->second) {
          if (report.outcome)
            reply.deliver(report.outcome);
          else
            reply.deliver(true);
        }
        self->state.pending.erase(it);
        if (self->state.closing && self->state.pending.empty() && self->state.closed.pending())
          self->state.closed.deliver(true);
      },
      [self](facade_flush) { send_gathered(self); },
      [self](facade_close) -> caf::typed_response_promise<bool> {
        auto& st = self->state;
        send_gathered(self);  // accepted before the close: they go down the write path
        st.closing = true;
        st.closed = self->make_response_promise<bool>();
        if (st.pending.empty()) st.closed.deliver(true);
        return st.closed;
      },
  };
}

}  // namespace kepler::actors
