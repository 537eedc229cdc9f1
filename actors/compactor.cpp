#include "actors/compactor.hpp"

#include <algorithm>
#include <chrono>
#include <set>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/boundary/exception_error.hpp"
#include "kepler/errors.hpp"
#include "storage_format/compaction/compaction_edit.hpp"
#include "storage_format/compaction/compaction_input.hpp"
#include "storage_format/compaction/compaction_inputs.hpp"
#include "storage_format/compaction/run_compaction.hpp"

namespace kepler::actors {

namespace {

using compactor_ptr = compactor_actor::stateful_pointer<compactor_state>;
using clock = std::chrono::steady_clock;

std::uint64_t micros_since(clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - start).count();
}

// Merges the compaction's inputs into new table files. On success `*edit` swaps them in;
// otherwise the error (the outputs are removed either way on failure).
caf::error merge(compactor_ptr self, const storage::compaction& c, storage::version_edit* edit,
                 storage::compaction_result* result) {
  auto& st = self->state;
  auto& engine = *st.engine;
  const auto& cfg = engine.config();
  // Read before the merge and after the inputs were picked (snapshot_list.hpp): a snapshot
  // taken later sees at least every entry of these inputs.
  auto snapshots = engine.snapshots()->all();
  storage::status s;
  if (auto thrown = run_catching([&] {
        auto input = storage::new_compaction_input(*cfg.fs, cfg.dir, c);
        s = storage::run_compaction(
            *cfg.fs, cfg.dir, cfg.table, c, *input, snapshots,
            [&engine] { return engine.new_file_number(); }, engine.compaction_cancel_flag(),
            result);
      }))
    return thrown;
  if (!s.is_ok()) {
    if (s.code() == storage::status_code::aborted)
      return make_error(ec::closed, "the compaction stopped: the store is closing");
    return make_error(ec::write_failed, "a compaction failed: " + s.to_string());
  }
  *edit = storage::compaction_edit(c, *result);
  edit->next_file_number = engine.next_file_number();
  return {};
}

// Runs `c` and installs it; then `then(error)` (none on success). One compaction at a time:
// the install is awaited, so no other message (a wake, another request) runs in between.
template <class Then>
void compact(compactor_ptr self, storage::compaction c, const char* reason, Then then) {
  auto& st = self->state;
  auto start = clock::now();
  compaction_started started;
  started.level = c.level;
  started.input_files = c.inputs[0].size() + c.inputs[1].size();
  started.input_bytes = c.input_bytes();
  started.reason = reason;
  st.engine->events().publish(started);
  auto finished = std::make_shared<compaction_finished>();
  finished->level = c.level;
  finished->input_files = started.input_files;
  auto report = [self, finished, start](const caf::error& err) {
    finished->micros = micros_since(start);
    if (err) finished->error = kepler::to_string(err);
    self->state.engine->events().publish(*finished);
  };
  storage::version_edit edit;
  storage::compaction_result result;
  if (auto err = merge(self, c, &edit, &result)) {
    // A closing store cancelled it: nothing failed. Anything else stops the store's writes, as
    // a failed flush does (the inputs stay as they were).
    if (err.code() != static_cast<std::uint8_t>(ec::closed)) st.engine->fail_writes(err);
    report(err);
    then(err);
    return;
  }
  finished->output_files = result.outputs.size();
  finished->bytes_read = result.bytes_read;
  finished->bytes_written = result.bytes_written;
  finished->entries_dropped = result.overwritten_dropped + result.deletions_dropped;
  // The manifest writer deletes the inputs when it installs the edit, unless a version still
  // names them: this compaction's base must not be that version (the callers hold none either),
  // or the inputs would stay on disk until the next install, or after a close until the next
  // open.
  c.base.reset();
  self->request(st.manifest, caf::infinite, compaction_done{std::move(edit)})
      .await(
          [self, result, report, then](bool) mutable {
            self->state.last_outputs.clear();
            for (const auto& f : result.outputs) self->state.last_outputs.push_back(f.number);
            auto& counters = self->state.engine->counters();
            engine_counters::add(counters.compactions, 1);
            engine_counters::add(counters.compaction_bytes_read, result.bytes_read);
            engine_counters::add(counters.compaction_bytes_written, result.bytes_written);
            report({});
            then(caf::error{});
          },
          [report, then](caf::error& err) mutable {
            report(err);
            then(err);
          });
}

std::optional<std::string_view> view_of(const std::optional<std::string>& key) {
  if (!key) return std::nullopt;
  return std::string_view(*key);
}

bool may_start(const compactor_state& st) {
  return !st.stopped && !st.engine->writes_failed() &&
         !st.engine->compaction_cancel_flag()->load(std::memory_order_acquire);
}

// One compaction that the installed version calls for, if any; a wake follows it, so the
// compactor goes on while more are due.
void compact_if_due(compactor_ptr self) {
  auto& st = self->state;
  if (!may_start(st)) return;
  auto picked = storage::pick_compaction(st.engine->view()->files, st.pointers, st.options);
  if (!picked) return;
  // Advanced when picked: a compaction that keeps failing does not hold up the rest of its
  // level (writes fail then anyway).
  st.pointers.advance(*picked);
  const char* reason = picked->level == 0 ? "level0_files" : "level_size";
  compact(self, std::move(*picked), reason, [self](const caf::error& err) {
    if (!err) self->send(compactor_actor{self}, compaction_wake{});
  });
}

// A manual compaction, one level after the other from level 0 to the one above the deepest
// that holds data in the range (LevelDB's CompactRange): every step's output is the next
// step's input, so the range's data ends on one level. Then that level is rewritten in place
// unless its files there are all this job's own outputs (RocksDB's forced bottommost
// compaction, optimized): otherwise versions that only a since released snapshot could see
// would never leave it.
}  // namespace

struct manual_job {
  std::optional<std::string> begin;
  std::optional<std::string> end;
  int level = 0;
  int last_level = 0;  // the deepest level with files in the range
  bool rewritten = false;
  std::set<std::uint64_t> made;  // tables this job's compactions wrote
  caf::typed_response_promise<bool> reply;
};

compactor_state::~compactor_state() {
  for (auto& job : manual_jobs)
    if (job->reply.pending())
      job->reply.deliver(make_error(ec::closed,
                                    "the compactor stopped before the compaction "
                                    "finished (the store is closing or failed)"));
}

namespace {

// Answers a manual job and forgets it.
void finish_job(compactor_ptr self, const std::shared_ptr<manual_job>& job, caf::error err) {
  if (err)
    job->reply.deliver(std::move(err));
  else
    job->reply.deliver(true);
  auto& jobs = self->state.manual_jobs;
  jobs.erase(std::remove(jobs.begin(), jobs.end(), job), jobs.end());
}

void manual_step(compactor_ptr self, std::shared_ptr<manual_job> job);

void run_manual(compactor_ptr self, std::shared_ptr<manual_job> job, storage::compaction c) {
  compact(self, std::move(c), "manual", [self, job](const caf::error& err) {
    if (err) {
      finish_job(self, job, err);
      return;
    }
    job->made.insert(self->state.last_outputs.begin(), self->state.last_outputs.end());
    manual_step(self, job);
  });
}

caf::error why_not_started(const compactor_state& st) {
  return st.engine->writes_failed() ? st.engine->write_error()
                                    : make_error(ec::closed, "the store is closing");
}

void manual_step(compactor_ptr self, std::shared_ptr<manual_job> job) {
  auto& st = self->state;
  while (job->level < job->last_level) {
    if (!may_start(st)) {
      finish_job(self, job, why_not_started(st));
      return;
    }
    auto picked = storage::pick_range_compaction(
        st.engine->view()->files, job->level, view_of(job->begin), view_of(job->end), st.options);
    ++job->level;
    if (!picked) continue;
    run_manual(self, job, std::move(*picked));
    return;
  }
  if (!job->rewritten) {
    job->rewritten = true;
    auto rewrite = storage::pick_level_rewrite(st.engine->view()->files, job->last_level,
                                               view_of(job->begin), view_of(job->end), st.options);
    bool all_new =
        rewrite && std::all_of(rewrite->inputs[0].begin(), rewrite->inputs[0].end(),
                               [&job](const auto& f) { return job->made.count(f->number); });
    if (rewrite && !all_new) {
      if (!may_start(st)) {
        finish_job(self, job, why_not_started(st));
        return;
      }
      run_manual(self, job, std::move(*rewrite));
      return;
    }
  }
  finish_job(self, job, {});
  // Manual work may have left a level over its size: look once more.
  self->send(compactor_actor{self}, compaction_wake{});
}

int deepest_level_in_range(const storage::version& v, const std::optional<std::string>& begin,
                           const std::optional<std::string>& end) {
  int deepest = 1;  // at least level 0 into level 1
  for (int level = 1; level < storage::num_levels; ++level)
    if (!storage::overlapping_files(v, level, view_of(begin), view_of(end)).empty())
      deepest = level;
  return deepest;
}

}  // namespace

compactor_actor::behavior_type compactor(compactor_ptr self, std::shared_ptr<engine_state> engine,
                                         manifest_writer_actor manifest) {
  auto& st = self->state;
  st.engine = std::move(engine);
  st.manifest = std::move(manifest);
  const auto& cfg = st.engine->config();
  st.options.l0_compaction_trigger = cfg.l0_compaction_trigger;
  st.options.l0_slowdown_trigger = cfg.l0_slowdown_trigger;
  st.options.max_bytes_for_level_base = cfg.max_bytes_for_level_base;
  st.options.target_file_size = cfg.target_file_size;
  // LevelDB's proportions: grandparent overlap 10 and widening 25 output files' worth.
  st.options.max_grandparent_overlap = 10 * cfg.target_file_size;
  st.options.max_expanded_compaction_bytes = 25 * cfg.target_file_size;
  return {
      [self](compaction_wake) { compact_if_due(self); },
      [self](compact_range_request& req) -> caf::typed_response_promise<bool> {
        auto& st = self->state;
        auto job = std::make_shared<manual_job>();
        job->begin = std::move(req.begin);
        job->end = std::move(req.end);
        job->reply = self->make_response_promise<bool>();
        auto rp = job->reply;
        st.manual_jobs.push_back(job);
        // Flushes sent on before this request are installed once the manifest writer answers.
        self->request(st.manifest, caf::infinite, manifest_barrier{})
            .await(
                [self, job](bool) {
                  job->last_level = deepest_level_in_range(*self->state.engine->view()->files,
                                                           job->begin, job->end);
                  manual_step(self, job);
                },
                [self, job](caf::error& err) { finish_job(self, job, err); });
        return rp;
      },
      [self](compactor_stop) {
        self->state.stopped = true;
        return true;
      },
  };
}

}  // namespace kepler::actors
