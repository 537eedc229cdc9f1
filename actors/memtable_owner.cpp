#include "actors/memtable_owner.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/boundary/exception_error.hpp"
#include "actors/boundary/status_error.hpp"
#include "kepler/errors.hpp"
#include "storage_format/memtable/apply_batch.hpp"

namespace kepler::actors {

namespace {

using owner_ptr = memtable_owner_actor::stateful_pointer<memtable_owner_state>;

// The group starts a new log: everything before it is in the old log, so the memtable that
// holds it is sealed now, readers get a view with a fresh memtable in front of it, and the
// flush worker writes it out. Once that flush is in the MANIFEST, the logs before `log_number`
// hold nothing that is not in table files.
void seal(owner_ptr self, std::uint64_t log_number) {
  auto& st = self->state;
  std::shared_ptr<const storage::memtable> sealed = std::move(st.mem);
  st.mem = std::make_shared<storage::memtable>();
  st.engine->install_seal(sealed, st.mem);
  self->send(st.flusher, flush_job{std::move(sealed), log_number});
}

}  // namespace

memtable_owner_actor::behavior_type memtable_owner(owner_ptr self,
                                                   std::shared_ptr<engine_state> engine,
                                                   std::shared_ptr<storage::memtable> mem,
                                                   flush_worker_actor flusher) {
  self->state.engine = std::move(engine);
  self->state.mem = std::move(mem);
  self->state.flusher = std::move(flusher);
  return {
      [self](const write_group_ptr& group) {
        group->stamp(write_trace::at_memtable);
        auto& st = self->state;
        if (st.failed) {
          group->fail(st.failed);
          return;
        }
        storage::status parsed;
        auto thrown = run_catching([&] {
          if (group->starts_log) seal(self, group->wal->number);
          for (auto& req : group->requests) {
            parsed = storage::apply_batch(req->batch, st.mem.get());
            if (!parsed.is_ok()) return;
          }
        });
        // The proxy encoded each batch itself, so it parses; a failure here is a bug, and out
        // of memory leaves the group half applied. Either way the group is never published, and
        // no later one is either (that would expose the applied part).
        if (thrown || !parsed.is_ok()) {
          st.failed = thrown ? thrown
                             : make_error(ec::io_error,
                                          "a batch the store encoded itself does "
                                          "not parse (a bug): " +
                                              parsed.message());
          st.engine->fail_writes(st.failed);
          group->fail(st.failed);
          return;
        }
        // Readers see the whole group at once, and only after every entry is in the memtable.
        group->stamp(write_trace::applied);
        st.engine->publish(group->last_sequence);
        for (auto& req : group->requests) req->answer();
      },
      [self](flush_drain) { return self->delegate(self->state.flusher, flush_drain{}); },
  };
}

}  // namespace kepler::actors
