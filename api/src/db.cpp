// The blocking proxy: sends each write to the wal_writer with a completion and waits on it;
// reads the published view directly (doc/design.md, "Write path" and "Read path").

#include "kepler/db.hpp"
#include "kepler/db_actor.hpp"

#include <atomic>
#include <mutex>
#include <thread>

#include <caf/actor_system_config.hpp>
#include <caf/all.hpp>
#include <caf/policy/work_sharing.hpp>
#include <caf/policy/work_stealing.hpp>
#include <caf/scheduler/coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/boundary/engine_state.hpp"
#include "actors/boundary/exception_error.hpp"
#include "actors/boundary/request_checks.hpp"
#include "actors/interfaces.hpp"
#include "actors/messages/completion.hpp"
#include "actors/supervisor.hpp"
#include "api/src/open_with_file_system.hpp"
#include "api/src/store_iterator.hpp"
#include "api/src/store_stats.hpp"
#include "storage_format/memtable/batch_format.hpp"

namespace kepler {

namespace {

caf::error closed_error() {
  return make_error(ec::closed, "the store is closed: open it again to use it");
}

// Runs `f`, turning any exception (out of memory, a CAF internal failure) into an error: no
// exception crosses the API.
template <class F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (...) {
    return actors::current_exception_error();
  }
}

// The thread of the only scheduler worker of `system`, or no thread when it has more (or a
// scheduler of its own kind). A blocking call made on that thread waits for actors that can
// only run on it: a certain deadlock.
template <class Policy>
std::thread::id sole_worker_of(caf::scheduler::abstract_coordinator& sched) {
  auto* coordinator = dynamic_cast<caf::scheduler::coordinator<Policy>*>(&sched);
  if (coordinator == nullptr) return {};
  return coordinator->worker_by_id(0)->get_thread().get_id();
}

std::thread::id sole_worker_thread(caf::actor_system& system) {
  auto& sched = system.scheduler();
  if (sched.num_workers() != 1) return {};
  auto id = sole_worker_of<caf::policy::work_stealing>(sched);
  if (id == std::thread::id{}) id = sole_worker_of<caf::policy::work_sharing>(sched);
  return id;
}

// Options that cannot work, refused before anything is touched.
caf::error check_options(const options& opts) {
  auto bad = [](const std::string& what) {
    return make_error(ec::invalid_argument, "bad options: " + what);
  };
  if (opts.memtable_bytes < 4096) return bad("memtable_bytes must be at least 4096");
  if (opts.max_sealed_memtables < 1) return bad("max_sealed_memtables must be at least 1");
  if (opts.max_open_files < 1) return bad("max_open_files must be at least 1");
  if (opts.read_only && opts.error_if_exists)
    return bad("read_only and error_if_exists exclude each other");
  if (opts.read_only && opts.recovery_mode == recovery_mode::salvage)
    return bad("recovery_mode salvage rewrites damaged files, so it cannot be read_only");
  if (opts.l0_compaction_trigger < 1) return bad("l0_compaction_trigger must be at least 1");
  if (opts.l0_slowdown_trigger < opts.l0_compaction_trigger)
    return bad("l0_slowdown_trigger must be at least l0_compaction_trigger");
  if (opts.l0_stop_trigger < opts.l0_slowdown_trigger)
    return bad("l0_stop_trigger must be at least l0_slowdown_trigger");
  if (opts.max_bytes_for_level_base < 64 * 1024)
    return bad("max_bytes_for_level_base must be at least 64 KiB");
  if (opts.target_file_size < 16 * 1024) return bad("target_file_size must be at least 16 KiB");
  if (opts.compression != compression_type::none && opts.compression != compression_type::lz4 &&
      opts.compression != compression_type::zstd) {
    return bad("compression must be none, lz4 or zstd");
  }
  if (!storage::valid_zstd_level(opts.zstd_level))
    return bad("zstd_level " + std::to_string(opts.zstd_level) + " is outside libzstd's range");
  return {};
}

storage::block_codec block_codec_of(compression_type c) {
  switch (c) {
    case compression_type::none:
      return storage::block_codec::none;
    case compression_type::lz4:
      return storage::block_codec::lz4;
    case compression_type::zstd:
      return storage::block_codec::zstd;
  }
  return storage::block_codec::none;
}

storage::recovery_mode recovery_mode_of(recovery_mode m) {
  switch (m) {
    case recovery_mode::point_in_time:
      return storage::recovery_mode::point_in_time;
    case recovery_mode::tolerate_tail:
      return storage::recovery_mode::tolerate_tail;
    case recovery_mode::absolute:
      return storage::recovery_mode::absolute;
    case recovery_mode::salvage:
      return storage::recovery_mode::salvage;
  }
  return storage::recovery_mode::point_in_time;
}

// Counts a call from before its closed check until it returns, even when something throws, so
// close() neither misses it nor waits for it forever.
struct counted_call {
  std::atomic<int>& count;
  explicit counted_call(std::atomic<int>& c) : count(c) { count.fetch_add(1); }
  ~counted_call() { count.fetch_sub(1); }
  counted_call(const counted_call&) = delete;
  counted_call& operator=(const counted_call&) = delete;
};

caf::error read_only_error() {
  return make_error(ec::read_only,
                    "the store is open read-only (options::read_only): writes "
                    "are refused; reopen it without read_only to write");
}

caf::error would_deadlock_error(const char* call) {
  return make_error(ec::would_deadlock,
                    std::string(call) +
                        " called on the only scheduler worker of the store's actor system, "
                        "which the store's actors need to answer it: from an actor, use "
                        "kepler::actor_of() and request/response");
}

}  // namespace

struct db::impl {
  std::string dir;
  options opts;
  // Our own actor system when the user gave none; the config must outlive it.
  std::unique_ptr<caf::actor_system_config> own_config;
  std::unique_ptr<caf::actor_system> own_system;
  caf::actor_system* system = nullptr;
  std::shared_ptr<actors::engine_state> engine;
  // Requests are recycled, not allocated per write (write_request.hpp); retired with the store.
  actors::request_pool* requests = actors::request_pool::make();
  actors::supervisor_actor supervisor;
  actors::wal_writer_actor writer;
  // Read by actor_of() while close() clears it: guarded, and held only to copy or clear.
  std::mutex facade_mutex;
  actors::db_facade_actor facade;
  // The only scheduler worker's thread when the system has one (else none): see submit().
  std::thread::id sole_worker;
  storage::recovery_stats recovered;
  recovery_report report;
  std::atomic<bool> closed{false};
  // Writes between their closed check and their reply; close() waits for them to finish.
  std::atomic<int> in_flight{0};
  // Other calls that talk to the actors (compact_range) between their closed check and their
  // reply. close() waits for them only after the actors stopped (which answers them), just
  // before it destroys our own actor system, which they use.
  std::atomic<int> in_system{0};
  std::mutex close_mutex;

  ~impl() { requests->retire(); }

  // Sends one write down the write path and waits for its reply; `encode(std::string*)` writes
  // the batch into the (recycled) request's buffer.
  template <class Encode>
  caf::expected<void> submit(bool sync, Encode&& encode) {
    counted_call guard{in_flight};
    if (closed.load()) return closed_error();
    if (opts.read_only) return read_only_error();
    if (on_sole_worker()) return would_deadlock_error("a blocking write");
    if (engine->writes_failed()) return engine->write_error();
    // One blocking call at a time per thread: its completion is the thread's own, reused.
    thread_local actors::completion done;
    done.reset();
    auto req = requests->acquire();
    req->done = &done;  // first: if encoding throws, the dropped request answers `done`
    encode(&req->batch);
    req->sync = sync;
    actors::stamp(&done.trace(), actors::write_trace::sent);
    caf::anon_send(writer, std::move(req));
    auto err = done.wait(!sync);
    if (actors::tracing_writes.load(std::memory_order_relaxed)) {
      actors::stamp(&done.trace(), actors::write_trace::woke);
      actors::last_blocking_write = done.trace();
    }
    if (err) return err;
    return caf::unit;
  }

  bool on_sole_worker() const {
    return sole_worker != std::thread::id{} && std::this_thread::get_id() == sole_worker;
  }

  caf::expected<void> start(storage::file_system& fs) {
    sole_worker = sole_worker_thread(*system);
    if (on_sole_worker()) return would_deadlock_error("db::open");
    if (auto err = check_options(opts)) return err;
    actors::engine_config cfg;
    cfg.fs = &fs;
    cfg.dir = dir;
    cfg.memtable_bytes = opts.memtable_bytes;
    cfg.max_sealed_memtables = opts.max_sealed_memtables;
    cfg.max_open_files = opts.max_open_files;
    cfg.block_cache_bytes = opts.block_cache_bytes;
    cfg.manifest_roll_bytes = opts.max_manifest_bytes;
    cfg.l0_compaction_trigger = opts.l0_compaction_trigger;
    cfg.l0_slowdown_trigger = opts.l0_slowdown_trigger;
    cfg.l0_stop_trigger = opts.l0_stop_trigger;
    cfg.max_bytes_for_level_base = opts.max_bytes_for_level_base;
    cfg.target_file_size = opts.target_file_size;
    cfg.table.compression = block_codec_of(opts.compression);
    cfg.table.zstd_level = opts.zstd_level;
    engine = std::make_shared<actors::engine_state>(std::move(cfg));
    storage::recovery_options ropts;
    ropts.create_if_missing = opts.create_if_missing;
    ropts.error_if_exists = opts.error_if_exists;
    ropts.read_only = opts.read_only;
    ropts.mode = recovery_mode_of(opts.recovery_mode);
    ropts.table = engine->config().table;
    // Detached: recovery replays logs and writes a table with fsyncs, which must not hold a
    // scheduler worker (a user's system may have just one) for the whole open.
    supervisor =
        system->spawn<caf::detached>(actors::supervisor, engine, ropts, &recovered, requests);
    caf::scoped_actor self{*system};
    caf::error failure;
    self->request(supervisor, caf::infinite, actors::open_atom::value)
        .receive(
            [&](actors::wal_writer_actor& w, actors::db_facade_actor& f) {
              writer = std::move(w);
              std::lock_guard<std::mutex> guard(facade_mutex);
              facade = std::move(f);
            },
            [&](caf::error& err) { failure = std::move(err); });
    if (failure) {
      supervisor = nullptr;
      return failure;
    }
    report.created = recovered.created;
    report.logs_replayed = recovered.logs_replayed;
    report.batches_replayed = recovered.records_replayed;
    report.entries_replayed = recovered.entries_replayed;
    report.torn_tail_bytes = recovered.torn_tail_bytes;
    report.dropped_records = recovered.dropped_records;
    report.damage = recovered.damage;
    report.tables_written = recovered.tables_written;
    report.files_removed = recovered.files_removed;
    return caf::unit;
  }
};

void db::tune_scheduler(caf::actor_system_config& cfg, const options& opts) {
  // Half the cores: the other half belongs to the callers, who spin briefly on their
  // completions. On 2 cores, two polling workers plus a spinning caller are three busy threads
  // on two cores, and a put took 2.5x longer than with one worker (kepler-bench fillseq).
  auto threads = opts.worker_threads != 0 ? opts.worker_threads
                                          : std::max(1u, std::thread::hardware_concurrency() / 2);
  cfg.set("scheduler.max-threads", threads);
  // Poll briefly, then sleep on the condition variable (no moderate phase, doc/design.md "CAF").
  cfg.set("work-stealing.aggressive-poll-attempts", opts.worker_poll_attempts);
  cfg.set("work-stealing.moderate-poll-attempts", 0);
}

namespace detail {

caf::expected<std::unique_ptr<db>> open_with_file_system(storage::file_system& fs,
                                                         caf::actor_system* system,
                                                         const std::string& dir, options opts) {
  return guarded([&]() -> caf::expected<std::unique_ptr<db>> {
    auto p = std::make_unique<db::impl>();
    if (system == nullptr) {
      p->own_config = std::make_unique<caf::actor_system_config>();
      auto& cfg = *p->own_config;
      db::tune_scheduler(cfg, opts);
      // A library never lets CAF write log files into the caller's working directory.
      cfg.set("logger.file-verbosity", caf::atom("quiet"));
      cfg.set("logger.console-verbosity", caf::atom("quiet"));
      p->own_system = std::make_unique<caf::actor_system>(cfg);
      system = p->own_system.get();
    }
    p->system = system;
    p->dir = dir;
    p->opts = opts;
    auto started = p->start(fs);
    if (!started) return std::move(started.error());
    return std::make_unique<db>(std::move(p));
  });
}

}  // namespace detail

caf::expected<std::unique_ptr<db>> db::open(const std::string& dir, options opts) {
  return detail::open_with_file_system(*storage::file_system::posix(), nullptr, dir, opts);
}

caf::expected<std::unique_ptr<db>> db::open(caf::actor_system& system, const std::string& dir,
                                            options opts) {
  return detail::open_with_file_system(*storage::file_system::posix(), &system, dir, opts);
}

db::db(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

db::~db() {
  if (impl_->on_sole_worker()) {
    // Waiting here would deadlock: let the supervisor close the store once this thread is
    // free again. What the actors share with *impl_ outlives it: the engine state (shared),
    // the request pool (the db actor co-owns it) and the file system (the process's).
    impl_->closed.store(true);
    if (impl_->supervisor) caf::anon_send(impl_->supervisor, actors::close_atom::value);
    return;
  }
  close();
}

const std::string& db::directory() const {
  return impl_->dir;
}

const recovery_report& db::recovery() const {
  return impl_->report;
}

struct db_access {
  static db::impl& of(db& store) { return *store.impl_; }
};

db_actor actor_of(db& store) {
  auto& impl = db_access::of(store);
  std::lock_guard<std::mutex> guard(impl.facade_mutex);
  return impl.facade;
}

caf::expected<void> db::insert(std::string_view key, std::string_view value, write_options wo) {
  if (auto err = actors::check_key_value(key, value)) return err;
  return guarded([&]() -> caf::expected<void> {
    return impl_->submit(wo.sync, [&](std::string* rep) {
      storage::batch::clear(rep);
      storage::batch::add_put(rep, key, value);
    });
  });
}

caf::expected<void> db::remove(std::string_view key, write_options wo) {
  if (auto err = actors::check_key_value(key)) return err;
  return guarded([&]() -> caf::expected<void> {
    return impl_->submit(wo.sync, [&](std::string* rep) {
      storage::batch::clear(rep);
      storage::batch::add_delete(rep, key);
    });
  });
}

caf::expected<void> db::write(const write_batch& batch, write_options wo) {
  if (!batch.first_violation_.empty())
    return make_error(ec::invalid_argument, "batch refused: " + batch.first_violation_);
  if (batch.encoded_bytes() > max_batch_bytes)
    return make_error(ec::invalid_argument, "batch of " + std::to_string(batch.encoded_bytes()) +
                                                " bytes exceeds the limit of " +
                                                std::to_string(max_batch_bytes) + " bytes");
  if (impl_->closed.load()) return closed_error();
  // An empty synced batch means "make every earlier write durable": it goes down the write
  // path for its sync alone (it writes no record).
  if (batch.count() == 0 && !wo.sync) return caf::unit;
  return guarded([&]() -> caf::expected<void> {
    return impl_->submit(wo.sync, [&](std::string* rep) { rep->assign(batch.rep_); });
  });
}

namespace {

storage::read_options storage_options(const read_options& ro) {
  storage::read_options options;
  options.verify_checksums = ro.verify_checksums;
  options.fill_cache = ro.fill_cache;
  return options;
}

// The sequence a read as of `ro` uses: its snapshot's, or none (the newest).
caf::expected<std::optional<storage::sequence_number>> read_sequence(
    const actors::engine_state& engine, const read_options& ro) {
  if (ro.snapshot == nullptr) return std::optional<storage::sequence_number>{};
  if (!ro.snapshot->taken_by(engine.snapshots().get()))
    return make_error(ec::invalid_argument,
                      "read_options::snapshot was taken from another store (or an earlier open "
                      "of this one)");
  return std::optional<storage::sequence_number>{ro.snapshot->sequence()};
}

}  // namespace

caf::expected<std::optional<std::string>> db::get(std::string_view key, read_options ro) const {
  if (auto err = actors::check_key_value(key)) return err;
  if (impl_->closed.load(std::memory_order_acquire)) return closed_error();
  auto seq = read_sequence(*impl_->engine, ro);
  if (!seq) return std::move(seq.error());
  return guarded([&] { return impl_->engine->read(storage_options(ro), key, *seq); });
}

caf::expected<std::unique_ptr<iterator>> db::new_iterator(read_options ro) const {
  if (impl_->closed.load(std::memory_order_acquire)) return closed_error();
  auto seq = read_sequence(*impl_->engine, ro);
  if (!seq) return std::move(seq.error());
  return guarded([&]() -> caf::expected<std::unique_ptr<iterator>> {
    return detail::new_store_iterator(impl_->engine, storage_options(ro), *seq,
                                      std::move(ro.lower_bound), std::move(ro.upper_bound));
  });
}

caf::expected<std::vector<std::pair<std::string, std::string>>> db::scan(
    std::optional<std::string_view> begin, std::optional<std::string_view> end, std::size_t limit,
    read_options ro) const {
  using pairs = std::vector<std::pair<std::string, std::string>>;
  // The narrower of the range and the options' bounds.
  if (begin && (!ro.lower_bound || *ro.lower_bound < *begin)) ro.lower_bound = std::string(*begin);
  if (end && (!ro.upper_bound || *end < *ro.upper_bound)) ro.upper_bound = std::string(*end);
  auto it = new_iterator(std::move(ro));
  if (!it) return std::move(it.error());
  return guarded([&]() -> caf::expected<pairs> {
    pairs out;
    auto& i = **it;
    for (i.seek_to_first(); i.valid() && (limit == 0 || out.size() < limit); i.next())
      out.emplace_back(std::string(i.key()), std::string(i.value()));
    if (auto ok = i.status(); !ok) return std::move(ok.error());
    return out;
  });
}

caf::expected<std::unique_ptr<kepler::snapshot>> db::snapshot() const {
  if (impl_->closed.load(std::memory_order_acquire)) return closed_error();
  return guarded([&]() -> caf::expected<std::unique_ptr<kepler::snapshot>> {
    const auto& engine = *impl_->engine;
    auto seq = engine.snapshots()->acquire([&engine] { return engine.last_visible(); });
    return std::make_unique<kepler::snapshot>(engine.snapshots(), seq);
  });
}

caf::expected<void> db::compact_range(std::optional<std::string_view> begin,
                                      std::optional<std::string_view> end) {
  if (begin && end && *end < *begin)
    return make_error(ec::invalid_argument, "compact_range: begin is after end");
  counted_call guard{impl_->in_system};
  if (impl_->closed.load()) return closed_error();
  if (impl_->opts.read_only) return read_only_error();
  if (impl_->on_sole_worker()) return would_deadlock_error("db::compact_range");
  return guarded([&]() -> caf::expected<void> {
    actors::db_facade_actor facade;
    {
      std::lock_guard<std::mutex> guard(impl_->facade_mutex);
      facade = impl_->facade;
    }
    if (!facade) return closed_error();
    actors::facade_compact req;
    if (begin) req.begin = std::string(*begin);
    if (end) req.end = std::string(*end);
    caf::error failure;
    caf::scoped_actor self{*impl_->system};
    self->request(facade, caf::infinite, std::move(req))
        .receive([](bool) {}, [&](caf::error& err) { failure = std::move(err); });
    if (failure) return failure;
    return caf::unit;
  });
}

caf::expected<db_stats> db::stats() const {
  if (impl_->closed.load(std::memory_order_acquire)) return closed_error();
  return guarded(
      [&]() -> caf::expected<db_stats> { return detail::collect_stats(*impl_->engine); });
}

caf::expected<std::string> db::property(std::string_view name) const {
  if (impl_->closed.load(std::memory_order_acquire)) return closed_error();
  return guarded([&] { return detail::property(*impl_->engine, name); });
}

caf::expected<std::uint64_t> db::approximate_size(std::string_view begin,
                                                  std::string_view end) const {
  if (impl_->closed.load(std::memory_order_acquire)) return closed_error();
  return guarded([&] { return detail::approximate_size(*impl_->engine, begin, end); });
}

caf::expected<void> db::close() {
  if (impl_->on_sole_worker()) {
    // Closing twice is fine; waiting for the actors here is not.
    if (impl_->closed.load()) return caf::unit;
    return would_deadlock_error("db::close");
  }
  std::lock_guard<std::mutex> guard(impl_->close_mutex);
  if (impl_->closed.exchange(true)) return caf::unit;
  return guarded([&]() -> caf::expected<void> {
    // Writes already past their closed check finish first; their callers get real replies.
    while (impl_->in_flight.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
    caf::error failure;
    if (impl_->supervisor) {
      caf::scoped_actor self{*impl_->system};
      self->request(impl_->supervisor, caf::infinite, actors::close_atom::value)
          .receive([](bool) {}, [&](caf::error& err) { failure = std::move(err); });
    }
    impl_->writer = nullptr;
    {
      std::lock_guard<std::mutex> facade_guard(impl_->facade_mutex);
      impl_->facade = nullptr;
    }
    impl_->supervisor = nullptr;
    // The actors are down, so a compact_range still under way has its answer (or a bounce).
    while (impl_->in_system.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
    // Our own system: its destructor waits for the (now stopping) actors.
    impl_->own_system.reset();
    if (failure) return failure;
    return caf::unit;
  });
}

}  // namespace kepler
