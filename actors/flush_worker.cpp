#include "actors/flush_worker.hpp"

#include <algorithm>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/boundary/exception_error.hpp"
#include "kepler/errors.hpp"
#include "storage_format/version/build_table.hpp"

namespace kepler::actors {

flush_worker_actor::behavior_type flush_worker(
    flush_worker_actor::stateful_pointer<flush_worker_state> self,
    std::shared_ptr<engine_state> engine, manifest_writer_actor manifest) {
  self->state.engine = std::move(engine);
  self->state.manifest = std::move(manifest);
  return {
      [self](flush_job& job) {
        auto& st = self->state;
        // After a failure nothing more is written (and nothing deleted): the memtables stay
        // readable, their logs stay on disk for the next open.
        if (st.engine->writes_failed()) return;
        const auto& cfg = st.engine->config();
        auto number = st.engine->new_file_number();
        storage::file_meta meta;
        storage::status built;
        if (auto thrown = run_catching([&] {
              built = storage::build_table(*cfg.fs, cfg.dir, cfg.table, *job.mem, number, &meta);
            })) {
          st.engine->fail_writes(thrown);
          return;
        }
        if (!built.is_ok()) {
          st.engine->fail_writes(
              make_error(ec::write_failed,
                         "flushing a memtable to a table file failed: " + built.to_string()));
          return;
        }
        flush_done done;
        if (meta.size > 0) done.edit.new_files.push_back({0, meta});
        done.edit.log_number = job.next_log_number;
        done.edit.next_file_number = st.engine->next_file_number();
        done.edit.last_sequence = meta.largest_sequence;
        done.flushed = std::move(job.mem);
        self->send(st.manifest, std::move(done));
      },
      [](flush_drain) { return true; },
  };
}

}  // namespace kepler::actors
