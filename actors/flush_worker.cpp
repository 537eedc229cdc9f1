#include "actors/flush_worker.hpp"

#include <algorithm>
#include <chrono>

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
        auto start = std::chrono::steady_clock::now();
        st.engine->events().publish(
            flush_started{job.mem->approximate_bytes(), job.mem->entry_count()});
        flush_finished finished;
        finished.table_number = number;
        finished.entries = job.mem->entry_count();
        auto report = [&](const caf::error& err) {
          finished.micros = std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::steady_clock::now() - start)
                                .count();
          if (err) finished.error = kepler::to_string(err);
          st.engine->events().publish(finished);
        };
        storage::file_meta meta;
        storage::status built;
        if (auto thrown = run_catching([&] {
              built = storage::build_table(*cfg.fs, cfg.dir, cfg.table, *job.mem, number, &meta);
            })) {
          st.engine->fail_writes(thrown);
          report(thrown);
          return;
        }
        if (!built.is_ok()) {
          auto err = make_error(ec::write_failed,
                                "flushing a memtable to a table file failed: " + built.to_string());
          st.engine->fail_writes(err);
          report(err);
          return;
        }
        finished.table_bytes = meta.size;
        report({});
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
