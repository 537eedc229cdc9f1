#include "actors/manifest_writer.hpp"

#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/boundary/exception_error.hpp"
#include "kepler/errors.hpp"
#include "storage_format/util/kill_point.hpp"
#include "storage_format/version/file_names.hpp"

namespace kepler::actors {

namespace {

using manifest_ptr = manifest_writer_actor::stateful_pointer<manifest_writer_state>;

// Appends and syncs `edit`, then applies it; a failure stops all recording (sticky).
caf::error record(manifest_ptr self, const storage::version_edit& edit) {
  auto& st = self->state;
  if (st.failed) return st.engine->write_error();
  storage::status s;
  if (auto thrown = run_catching([&] { s = st.manifest->log_and_apply(edit, &st.versions); })) {
    st.failed = true;
    st.engine->fail_writes(thrown);
    return thrown;
  }
  if (s.is_ok()) return {};
  st.failed = true;
  auto err =
      make_error(ec::write_failed, "recording a change in the MANIFEST failed: " + s.to_string());
  st.engine->fail_writes(err);
  return err;
}

// Deletes what the last edit made obsolete: logs below the log number (their data is in table
// files now) and tables that no version a reader holds names any more. Only after the edit is
// durable and installed; a file that cannot be removed is left for the next open.
void delete_obsolete(manifest_ptr self) {
  auto& st = self->state;
  const auto& cfg = st.engine->config();
  std::vector<std::string> names;
  if (!cfg.fs->list_dir(cfg.dir, &names).is_ok()) return;
  bool first = true;
  auto remove = [&](const std::string& name) {
    cfg.fs->remove_file(storage::join_path(cfg.dir, name));
    if (first) storage::kill_points::reach(storage::kill_points::during_obsolete_deletion);
    first = false;
  };
  for (const auto& name : names) {
    std::uint64_t number = 0;
    if (storage::parse_file_name(name, &number) == storage::file_kind::log &&
        number < st.versions.log_number())
      remove(name);
  }
  for (auto number : st.versions.take_deletable_tables()) {
    st.engine->tables().evict(number);
    remove(storage::table_file_name(number));
  }
}

void roll_if_large(manifest_ptr self) {
  auto& st = self->state;
  if (!st.manifest->wants_roll(st.engine->config().manifest_roll_bytes)) return;
  // The number first, then the counter past it: the snapshot's next file number must exceed it.
  auto number = st.engine->new_file_number();
  auto s = st.manifest->roll(st.versions, number, st.engine->next_file_number());
  // Whether CURRENT names the old MANIFEST or the new one after a failed switch is unknown:
  // appending to either could lose edits, so recording stops (sticky), as after a failed sync.
  if (!s.is_ok()) {
    st.failed = true;
    st.engine->fail_writes(
        make_error(ec::write_failed, "rolling to a new MANIFEST failed: " + s.to_string()));
  }
}

// A new version may call for a compaction (more level-0 files, a larger level).
void wake_compactor(manifest_ptr self) {
  if (self->state.compactor) self->send(self->state.compactor, compaction_wake{});
}

}  // namespace

manifest_writer_actor::behavior_type manifest_writer(manifest_ptr self,
                                                     std::shared_ptr<engine_state> engine,
                                                     storage::version_set versions,
                                                     std::unique_ptr<storage::manifest> manifest) {
  auto& st = self->state;
  st.engine = std::move(engine);
  st.versions = std::move(versions);
  st.manifest = std::move(manifest);
  return {
      [self](flush_done& done) {
        auto& st = self->state;
        // After any failure of the store's writes, nothing more is recorded or deleted: a
        // reopen finds the memtable's log and replays it.
        if (st.engine->writes_failed() || record(self, done.edit)) return;
        st.engine->install_files(st.versions.current(), done.flushed.get());
        st.engine->count_flush();
        auto& counters = st.engine->counters();
        engine_counters::add(counters.flushes, 1);
        for (const auto& f : done.edit.new_files)
          engine_counters::add(counters.flush_bytes, f.meta.size);
        delete_obsolete(self);
        roll_if_large(self);
        wake_compactor(self);
      },
      [self](compaction_done& done) -> caf::result<bool> {
        auto& st = self->state;
        if (st.engine->writes_failed()) return st.engine->write_error();
        if (auto err = record(self, done.edit)) return err;
        st.engine->install_files(st.versions.current(), nullptr);
        delete_obsolete(self);
        roll_if_large(self);
        return true;
      },
      [](manifest_barrier) { return true; },
      [self](attach_compactor& attach) {
        self->state.compactor = std::move(attach.compactor);
        // Recovery may have left enough level-0 files for a compaction already.
        wake_compactor(self);
      },
      [self](const log_closed& closed) -> caf::result<bool> {
        auto& st = self->state;
        if (st.engine->writes_failed()) return st.engine->write_error();
        storage::version_edit edit;
        edit.closed_logs.push_back({closed.number, closed.length});
        edit.next_file_number = st.engine->next_file_number();
        if (auto err = record(self, edit)) return err;
        return true;
      },
  };
}

}  // namespace kepler::actors
