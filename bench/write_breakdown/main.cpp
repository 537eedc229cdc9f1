// kepler-write-breakdown: where the time of one blocking insert goes, beside LevelDB's put in
// the same run. Three parts:
//  1. each piece of the write path alone: the proxy's encoding, a bare write(2), the log
//     append, the memtable insert, one and two actor hops answered through a completion (with
//     the worker polling, and after an idle gap, when it sleeps and must be woken), and a
//     caller that sleeps on its futex and is woken; request and reply between two actors with
//     64 in flight (the floor of kepler-bench fillasync's client);
//  2. the real db::insert with the write path's stamps on (actors/messages/write_trace.hpp):
//     per step (hop to the wal_writer, gathering, write(2), hop to the syncer, fdatasync, hop to
//     the memtable_owner, memtable insert, reply and wake-up, the caller's whole wait), for
//     back-to-back inserts, inserts after an idle gap, sync inserts and, with --threads, several
//     writer threads (requests per write(2) then shows group commit);
//  3. LevelDB's put for the same keys and values, non-sync, after the same gap, and sync.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <caf/all.hpp>

#ifdef KEPLER_BENCH_HAVE_LEVELDB
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#endif

#include "actors/messages/completion.hpp"
#include "actors/messages/write_request.hpp"
#include "actors/messages/write_trace.hpp"
#include "kepler/db.hpp"
#include "storage_format/log/log_writer.hpp"
#include "storage_format/memtable/batch_format.hpp"
#include "storage_format/memtable/memtable.hpp"
#include "storage_format/util/file_system.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using completion_ptr = std::shared_ptr<kepler::actors::completion>;
using kepler::actors::write_trace;
constexpr std::size_t value_bytes = 100;
// Requests in flight of the actor-to-actor figure, as kepler-bench --async's default.
constexpr int async_in_flight = 64;

struct settings {
  int ops = 100000;       // back-to-back inserts of each kind
  int gap_ops = 2000;     // inserts after an idle gap
  int gap_micros = 1000;  // the gap: longer than the workers' poll, so they sleep
  int sync_ops = 2000;    // sync inserts
  int threads = 4;        // writer threads of the concurrent run (0: none)
};

bool parse_int(const char* arg, const char* name, int* out) {
  auto n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0 || arg[n] != '=') return false;
  *out = std::atoi(arg + n + 1);
  return true;
}

std::string key_of(int i) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016d", i);
  return buf;
}

// Sleeps `micros` without spinning (the point is an idle machine).
void idle_for(int micros) {
  std::this_thread::sleep_for(std::chrono::microseconds(micros));
}

double micros_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::micro>(clock_type::now() - start).count();
}

template <class F>
double micros_per_op(int ops, F&& f) {
  auto start = clock_type::now();
  for (int i = 0; i < ops; ++i) f(i);
  return micros_since(start) / ops;
}

// Mean us of f(i), each call timed alone after an idle gap.
template <class F>
double micros_after_gap(const settings& s, F&& f) {
  double total = 0;
  for (int i = 0; i < s.gap_ops; ++i) {
    idle_for(s.gap_micros);
    auto start = clock_type::now();
    f(i);
    total += micros_since(start);
  }
  return total / s.gap_ops;
}

using hop_actor = caf::typed_actor<caf::reacts_to<completion_ptr>>;

// Answers at once: one hop.
hop_actor::behavior_type answer_at_once() {
  return {[](const completion_ptr& done) { done->signal(); }};
}

// Passes the completion on to `next`: two hops.
hop_actor::behavior_type pass_on(hop_actor::pointer self, hop_actor next) {
  return {[self, next](const completion_ptr& done) { self->send(next, done); }};
}

// The floor of an actor client's write (kepler-bench fillasync): request and response between
// two actors in one system, `in_flight` outstanding, the server replying at once.
using echo_actor = caf::typed_actor<caf::replies_to<std::string, std::string, bool>::with<bool>>;

echo_actor::behavior_type echo() {
  return {[](const std::string&, const std::string&, bool) { return true; }};
}

struct echo_client_state {
  int sent = 0, answered = 0;
};

void echo_send(caf::stateful_actor<echo_client_state>* self, const echo_actor& server, int total,
               std::promise<void>* finished) {
  ++self->state.sent;
  self->request(server, caf::infinite, key_of(self->state.sent), std::string(value_bytes, 'v'),
                false)
      .then([=](bool) {
        if (++self->state.answered == total) {
          finished->set_value();
          self->quit();
        } else if (self->state.sent < total) {
          echo_send(self, server, total, finished);
        }
      });
}

caf::behavior echo_client(caf::stateful_actor<echo_client_state>* self, echo_actor server,
                          int total, int in_flight, std::promise<void>* finished) {
  for (int i = 0; i < std::min(total, in_flight); ++i) echo_send(self, server, total, finished);
  return {[](caf::unit_t) {}};
}

// One step of the traced write path: from one stamp to the next.
struct step {
  const char* name;
  write_trace::point from, to;
};
const step steps[] = {
    {"hop: caller -> wal_writer (mailbox, wake-up)", write_trace::sent, write_trace::at_writer},
    {"wal_writer: stamp, frame, gather the group", write_trace::at_writer,
     write_trace::write_start},
    {"write(2) of the group", write_trace::write_start, write_trace::write_end},
    {"hop: wal_writer -> wal_syncer (detached)", write_trace::write_end, write_trace::at_syncer},
    {"fdatasync", write_trace::at_syncer, write_trace::synced},
    {"hop: wal_syncer -> memtable_owner", write_trace::synced, write_trace::at_memtable},
    {"hop: wal_writer -> memtable_owner", write_trace::write_end, write_trace::at_memtable},
    {"memtable insert (apply the group)", write_trace::at_memtable, write_trace::applied},
    {"reply: publish, signal, caller wakes", write_trace::applied, write_trace::woke},
    {"the caller's wait (sent -> woke)", write_trace::sent, write_trace::woke},
};

// The traces of one run of inserts, summarised per step.
struct traced_run {
  const char* label;
  std::vector<write_trace> traces;
  double micros_per_insert = 0;  // wall time per insert (aggregate with threads)
  int threads = 1;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
}

void print_run(const traced_run& run, double leveldb_micros) {
  bool sync = !run.traces.empty() && run.traces.front().ns[write_trace::at_syncer] != 0;
  std::printf("\n%s: %.3f us per insert%s", run.label, run.micros_per_insert,
              run.threads > 1 ? " (aggregate)" : "");
  if (leveldb_micros > 0)
    std::printf(", LevelDB %.3f (ratio %.2fx)", leveldb_micros,
                run.micros_per_insert / leveldb_micros);
  std::printf("\n  %-46s %8s %8s %8s\n", "step", "mean", "p50", "p99");
  for (auto& st : steps) {
    bool via_syncer = st.to == write_trace::at_syncer || st.to == write_trace::synced ||
                      st.from == write_trace::synced;
    bool direct = st.from == write_trace::write_end && st.to == write_trace::at_memtable;
    if ((via_syncer && !sync) || (direct && sync)) continue;
    std::vector<double> us;
    for (auto& t : run.traces)
      if (t.ns[st.from] != 0 && t.ns[st.to] != 0 && t.ns[st.to] >= t.ns[st.from])
        us.push_back((t.ns[st.to] - t.ns[st.from]) / 1000.0);
    double mean = 0;
    for (double u : us) mean += u;
    mean = us.empty() ? 0 : mean / us.size();
    std::printf("  %-46s %8.3f %8.3f %8.3f\n", st.name, mean, percentile(us, 0.5),
                percentile(us, 0.99));
  }
  std::set<std::uint64_t> writes;
  std::size_t slept = 0;
  for (auto& t : run.traces) {
    writes.insert(t.ns[write_trace::write_start]);
    slept += t.slept;
  }
  std::printf("  requests per write(2) %.2f, callers that slept on the futex %.1f%%\n",
              writes.empty() ? 0.0 : double(run.traces.size()) / writes.size(),
              run.traces.empty() ? 0.0 : 100.0 * slept / run.traces.size());
}

// `ops` inserts on each of `threads` threads (keys from `first`), traced; gap > 0: each after
// an idle gap of that many us (one thread).
traced_run traced_inserts(kepler::db& store, const char* label, int first, int ops, int threads,
                          bool sync, int gap) {
  traced_run run;
  run.label = label;
  run.threads = threads;
  std::string value(value_bytes, 'v');
  std::vector<std::vector<write_trace>> per_thread(threads);
  kepler::actors::tracing_writes = true;
  auto start = clock_type::now();
  double gaps = 0;
  auto body = [&](int t) {
    auto& out = per_thread[t];
    out.reserve(ops);
    for (int i = 0; i < ops; ++i) {
      if (gap > 0) {
        auto before = clock_type::now();
        idle_for(gap);
        gaps += micros_since(before);
      }
      auto r = store.insert(key_of(first + t * ops + i), value, kepler::write_options{sync});
      if (!r) {
        std::fprintf(stderr, "insert: %s\n", kepler::to_string(r.error()).c_str());
        std::exit(1);
      }
      out.push_back(kepler::actors::last_blocking_write);
    }
  };
  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t) workers.emplace_back(body, t);
  body(0);
  for (auto& w : workers) w.join();
  run.micros_per_insert = (micros_since(start) - gaps) / (double(ops) * threads);
  kepler::actors::tracing_writes = false;
  for (auto& v : per_thread) run.traces.insert(run.traces.end(), v.begin(), v.end());
  return run;
}

struct leveldb_figures {
  double put = 0, put_after_gap = 0, sync_put = 0, threaded_put = 0;
  bool present = false;
};

leveldb_figures measure_leveldb(const std::string& dir, const settings& s) {
  leveldb_figures f;
#ifdef KEPLER_BENCH_HAVE_LEVELDB
  // As kepler-bench opens it: no compression, bloom filters of 10 bits/key, 4 MiB buffer.
  std::unique_ptr<const leveldb::FilterPolicy> bloom(leveldb::NewBloomFilterPolicy(10));
  leveldb::Options o;
  o.create_if_missing = true;
  o.compression = leveldb::kNoCompression;
  o.filter_policy = bloom.get();
  o.write_buffer_size = 4 << 20;
  leveldb::DB* raw = nullptr;
  auto st = leveldb::DB::Open(o, dir, &raw);
  if (!st.ok()) {
    std::fprintf(stderr, "leveldb open: %s\n", st.ToString().c_str());
    return f;
  }
  std::unique_ptr<leveldb::DB> db(raw);
  std::string value(value_bytes, 'v');
  leveldb::WriteOptions plain, synced;
  synced.sync = true;
  f.put = micros_per_op(s.ops, [&](int i) { db->Put(plain, key_of(i), value); });
  f.put_after_gap = micros_after_gap(s, [&](int i) { db->Put(plain, key_of(s.ops + i), value); });
  f.sync_put =
      micros_per_op(s.sync_ops, [&](int i) { db->Put(synced, key_of(2 * s.ops + i), value); });
  if (s.threads > 1) {
    auto start = clock_type::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < s.threads; ++t)
      workers.emplace_back([&, t] {
        for (int i = 0; i < s.ops; ++i) db->Put(plain, key_of(3 * s.ops + t * s.ops + i), value);
      });
    for (auto& w : workers) w.join();
    f.threaded_put = micros_since(start) / (double(s.ops) * s.threads);
  }
  f.present = true;
#else
  (void)dir;
  (void)s;
#endif
  return f;
}

}  // namespace

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(completion_ptr)

int main(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    if (parse_int(argv[i], "--ops", &s.ops) || parse_int(argv[i], "--gap_ops", &s.gap_ops) ||
        parse_int(argv[i], "--gap_us", &s.gap_micros) ||
        parse_int(argv[i], "--sync_ops", &s.sync_ops) ||
        parse_int(argv[i], "--threads", &s.threads))
      continue;
    std::fprintf(stderr,
                 "usage: kepler-write-breakdown [--ops=N (100000)] [--gap_ops=N (2000)] "
                 "[--gap_us=N (1000)] [--sync_ops=N (2000)] [--threads=N (4; 0: none)]\n");
    return 2;
  }
  if (s.ops < 1 || s.gap_ops < 1 || s.sync_ops < 1 || s.threads < 0) {
    std::fprintf(stderr, "kepler-write-breakdown: counts must be positive\n");
    return 2;
  }
  namespace fs = std::filesystem;
  auto dir = (fs::temp_directory_path() / ("kepler-breakdown-" + std::to_string(::getpid())));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string value(value_bytes, 'v');

  // 1. The pieces alone.
  auto* requests = kepler::actors::request_pool::make();
  kepler::actors::completion done;
  auto encode = micros_per_op(s.ops, [&](int i) {
    auto req = requests->acquire();
    kepler::storage::batch::clear(&req->batch);
    kepler::storage::batch::add_put(&req->batch, key_of(i), value);
    done.reset();
    req->done = &done;
    req->answer();
  });
  requests->retire();

  auto rep = kepler::storage::batch::make_empty();
  kepler::storage::batch::add_put(&rep, key_of(0), value);
  double bare_write = 0;
  {
    int fd = ::open((dir / "bare").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    std::string framed(rep.size() + 7, 'x');  // a log record's size: 7 header bytes
    bare_write = micros_per_op(s.ops, [&](int) {
      if (::write(fd, framed.data(), framed.size()) < 0) std::perror("write");
    });
    ::close(fd);
  }
  std::unique_ptr<kepler::storage::writable_file> file;
  kepler::storage::file_system::posix()->new_writable_file((dir / "log").string(), &file);
  kepler::storage::log::writer log(file.get());
  auto append = micros_per_op(s.ops, [&](int) { log.append_record(rep); });

  kepler::storage::memtable mem;
  auto insert = micros_per_op(
      s.ops, [&](int i) { mem.add(i + 1, kepler::storage::value_type::value, key_of(i), value); });
  kepler::storage::memtable shuffled;
  auto insert_random = micros_per_op(s.ops, [&](int i) {
    // A multiplicative permutation of 0..ops-1 when ops and 7919 are coprime.
    int k = static_cast<int>((static_cast<long long>(i) * 7919) % s.ops);
    shuffled.add(i + 1, kepler::storage::value_type::value, key_of(k), value);
  });

  double one_hop = 0, two_hops = 0, one_hop_woken = 0, one_hop_caller_sleeps = 0;
  double actor_request = 0;
  {
    caf::actor_system_config cfg;
    kepler::db::tune_scheduler(cfg);
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    cfg.set("logger.console-verbosity", caf::atom("quiet"));
    caf::actor_system system{cfg};
    auto last = system.spawn(answer_at_once);
    auto first = system.spawn(pass_on, last);
    auto hop_to = [](const hop_actor& target, bool spin) {
      auto done = std::make_shared<kepler::actors::completion>();
      caf::anon_send(target, done);
      done->wait(spin);
    };
    one_hop = micros_per_op(s.ops, [&](int) { hop_to(last, true); });
    two_hops = micros_per_op(s.ops, [&](int) { hop_to(first, true); });
    one_hop_woken = micros_after_gap(s, [&](int) { hop_to(last, true); });
    one_hop_caller_sleeps = micros_per_op(s.gap_ops, [&](int) { hop_to(last, false); });
    auto server = system.spawn(echo);
    auto start = clock_type::now();
    std::promise<void> finished;
    system.spawn(echo_client, server, s.ops, async_in_flight, &finished);
    finished.get_future().wait();
    actor_request = micros_since(start) / s.ops;
    caf::anon_send_exit(server, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(first, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(last, caf::exit_reason::user_shutdown);
  }

  // 2. The whole insert, untraced and traced.
  std::vector<traced_run> runs;
  double whole = 0, whole_after_gap = 0;
  {
    auto store = kepler::db::open((dir / "store").string());
    if (!store) {
      std::fprintf(stderr, "open: %s\n", kepler::to_string(store.error()).c_str());
      return 1;
    }
    auto& db = **store;
    whole = micros_per_op(s.ops, [&](int i) { db.insert(key_of(i), value); });
    whole_after_gap = micros_after_gap(s, [&](int i) { db.insert(key_of(s.ops + i), value); });
    runs.push_back(
        traced_inserts(db, "traced db::insert, back to back", 2 * s.ops, s.ops, 1, false, 0));
    runs.push_back(traced_inserts(db, "traced db::insert, each after an idle gap", 3 * s.ops,
                                  s.gap_ops, 1, false, s.gap_micros));
    runs.push_back(traced_inserts(db, "traced sync db::insert", 4 * s.ops, s.sync_ops, 1, true, 0));
    if (s.threads > 1)
      runs.push_back(traced_inserts(db, "traced db::insert from several threads", 5 * s.ops, s.ops,
                                    s.threads, false, 0));
  }

  // 3. LevelDB, same keys and values.
  auto ldb = measure_leveldb((dir / "leveldb").string(), s);
  fs::remove_all(dir);

  std::printf(
      "one blocking insert (16 B key, %zu B value), us/op; %d ops back to back, %d after "
      "a gap of %d us, %d sync:\n",
      value_bytes, s.ops, s.gap_ops, s.gap_micros, s.sync_ops);
  std::printf("pieces alone:\n");
  std::printf("  proxy: encode batch into a pooled request    %8.3f\n", encode);
  std::printf("  bare write(2) of one record's bytes          %8.3f\n", bare_write);
  std::printf("  log: add_record + write(2)                   %8.3f\n", append);
  std::printf("  memtable insert (sequential keys)            %8.3f\n", insert);
  std::printf("  memtable insert (scattered keys)             %8.3f\n", insert_random);
  std::printf("  one actor hop, worker polling                %8.3f\n", one_hop);
  std::printf("  two actor hops, worker polling               %8.3f\n", two_hops);
  std::printf("  one actor hop, worker asleep (wake-up)       %8.3f\n", one_hop_woken);
  std::printf("  one actor hop, caller sleeps on its futex    %8.3f\n", one_hop_caller_sleeps);
  std::printf("  actor -> actor request + reply, %d in flight   %8.3f\n", async_in_flight,
              actor_request);
  std::printf("  sum of the pieces (encode+log+insert+2 hops) %8.3f\n",
              encode + append + insert + two_hops);
  std::printf("whole, untraced:\n");
  std::printf("  db::insert, back to back                     %8.3f", whole);
  if (ldb.present) std::printf("   LevelDB put %8.3f  (%.2fx)", ldb.put, whole / ldb.put);
  std::printf("\n  db::insert, after an idle gap                %8.3f", whole_after_gap);
  if (ldb.present)
    std::printf("   LevelDB put %8.3f  (%.2fx)", ldb.put_after_gap,
                whole_after_gap / ldb.put_after_gap);
  std::printf("\n");
  if (!ldb.present) std::printf("  (LevelDB not built in: scripts/setup.sh installs it)\n");
  double ldb_of[] = {ldb.put, ldb.put_after_gap, ldb.sync_put, ldb.threaded_put};
  for (std::size_t i = 0; i < runs.size(); ++i) print_run(runs[i], ldb.present ? ldb_of[i] : 0);
  std::printf(
      "\n(traced figures include ~25 ns per stamp; the step rows of a sync insert show "
      "the syncer's hops in place of the direct one)\n");
  return 0;
}
