// kepler-remote-bench: a load driver for kepler-server, shaped like redis-benchmark so the two
// can be compared (scripts/compare_redis.sh): C clients, each keeping P requests in flight, with
// 16-byte keys ("key:" and 12 digits, uniform in a keyspace, as redis-benchmark -r) and V-byte
// values, for N requests in all or T seconds per load. Loads: set (put, not sync), set-sync (put
// with sync), get (of the keyspace a set load wrote before).
//
//   kepler-remote-bench --port=P [--host=127.0.0.1] [--clients=16] [--connections=16]
//                       [--pipeline=16] [--value_size=100] [--num=200000] [--seconds=0]
//                       [--keyspace=100000] [--loads=set,get] [--seed=1]
//   kepler-remote-bench --local=DIR ...   the same clients on a store opened in this process
//                                         (its db actor, no network): what the network costs
//
// Clients and connections. Each client is an event-based actor with a handle of its own from
// kepler::remote::connect (its own guard). CAF 0.17 keeps one TCP connection per pair of nodes,
// so all clients of one actor system share one connection; --connections=K makes K actor
// systems (one scheduler worker and one middleman thread each) and deals the clients out over
// them, round robin. The default, K = C, gives each client its own TCP connection, as
// redis-benchmark -c does.
//
// One line per load: requests/s (completed requests over the time from the first send to the
// last reply), p50 and p99 latency (send to reply, as each client sees it), errors, for get the
// share found, and the CPU this process used (cores), so a driver that is itself the bound shows.

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "kepler/db.hpp"
#include "kepler/db_actor.hpp"
#include "kepler/remote.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

struct settings {
  std::string host = "127.0.0.1";
  unsigned port = 0;
  std::string local;
  int clients = 16;
  int connections = -1;  // -1: as many as clients
  int pipeline = 16;
  std::size_t value_size = 100;
  std::uint64_t num = 200000;
  double seconds = 0;
  std::uint64_t keyspace = 100000;
  std::string loads = "set,get";
  std::uint64_t seed = 1;
};

const char* usage =
    "usage: kepler-remote-bench --port=P [--host=H] [--clients=16] [--connections=C]\n"
    "         [--pipeline=16] [--value_size=100] [--num=200000] [--seconds=0]\n"
    "         [--keyspace=100000] [--loads=set,set-sync,get] [--seed=1]\n"
    "       kepler-remote-bench --local=DIR ...  (the store in this process, no network)\n"
    "  --num: requests per load in all (with --seconds=T > 0: run T seconds instead)\n";

bool parse(int argc, char** argv, settings& s) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto eq = a.find('=');
    if (a.rfind("--", 0) != 0 || eq == std::string::npos) return false;
    std::string name = a.substr(2, eq - 2), v = a.substr(eq + 1);
    try {
      if (name == "host")
        s.host = v;
      else if (name == "port")
        s.port = static_cast<unsigned>(std::stoul(v));
      else if (name == "local")
        s.local = v;
      else if (name == "clients")
        s.clients = std::stoi(v);
      else if (name == "connections")
        s.connections = std::stoi(v);
      else if (name == "pipeline")
        s.pipeline = std::stoi(v);
      else if (name == "value_size")
        s.value_size = std::stoul(v);
      else if (name == "num")
        s.num = std::stoull(v);
      else if (name == "seconds")
        s.seconds = std::stod(v);
      else if (name == "keyspace")
        s.keyspace = std::stoull(v);
      else if (name == "loads")
        s.loads = v;
      else if (name == "seed")
        s.seed = std::stoull(v);
      else
        return false;
    } catch (const std::exception&) {
      return false;
    }
  }
  if (s.connections < 0) s.connections = s.clients;
  return s.clients > 0 && s.connections > 0 && s.connections <= s.clients && s.pipeline > 0 &&
         s.keyspace > 0 && (s.num > 0 || s.seconds > 0) && (s.port != 0 || !s.local.empty()) &&
         s.port < 65536;
}

// One load's shared state: the requests handed out so far, and the clients still running.
struct run_state {
  std::uint64_t total = 0;  // 0: until the deadline
  clock_type::time_point deadline = clock_type::time_point::max();
  std::atomic<std::uint64_t> issued{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> found{0};
  std::mutex m;
  std::condition_variable cv;
  int running = 0;
  std::string first_error;

  bool take() {
    if (clock_type::now() >= deadline) return false;
    return total == 0 || issued.fetch_add(1, std::memory_order_relaxed) < total;
  }
};

struct load_kind {
  bool write = false;
  bool sync = false;
};

struct client_state {
  int in_flight = 0;
  std::uint64_t rng = 0;
  std::vector<float>* latency_us = nullptr;
  static inline const char* name = "kepler.remote_bench_client";
};

using client_actor = caf::stateful_actor<client_state>;

std::uint64_t next_random(std::uint64_t& x) {  // splitmix64
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string key_of(std::uint64_t i) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "key:%012llu",
                static_cast<unsigned long long>(i % 1000000000000ULL));
  return buf;
}

void finish_one(run_state* run) {
  std::lock_guard<std::mutex> hold(run->m);
  if (--run->running == 0) run->cv.notify_all();
}

void issue(client_actor* self, const kepler::db_actor& store, run_state* run, load_kind kind,
           const std::string* value, int pipeline, std::uint64_t keyspace);

void on_reply(client_actor* self, const kepler::db_actor& store, run_state* run, load_kind kind,
              const std::string* value, int pipeline, std::uint64_t keyspace,
              clock_type::time_point sent) {
  self->state.latency_us->push_back(
      std::chrono::duration<float, std::micro>(clock_type::now() - sent).count());
  --self->state.in_flight;
  issue(self, store, run, kind, value, pipeline, keyspace);
  if (self->state.in_flight == 0) {
    finish_one(run);
    self->quit();
  }
}

void on_error(run_state* run, const caf::error& err) {
  if (run->errors.fetch_add(1) == 0) {
    std::lock_guard<std::mutex> hold(run->m);
    run->first_error = kepler::to_string(err);
  }
}

void issue(client_actor* self, const kepler::db_actor& store, run_state* run, load_kind kind,
           const std::string* value, int pipeline, std::uint64_t keyspace) {
  constexpr auto timeout = std::chrono::seconds(120);
  while (self->state.in_flight < pipeline && run->take()) {
    ++self->state.in_flight;
    auto key = key_of(next_random(self->state.rng) % keyspace);
    auto sent = clock_type::now();
    if (kind.write) {
      self->request(store, timeout, kepler::put_atom::value, std::move(key), *value, kind.sync)
          .then([=](bool) { on_reply(self, store, run, kind, value, pipeline, keyspace, sent); },
                [=](caf::error& err) {
                  on_error(run, err);
                  on_reply(self, store, run, kind, value, pipeline, keyspace, sent);
                });
    } else {
      self->request(store, timeout, kepler::get_atom::value, std::move(key))
          .then(
              [=](caf::optional<std::string>& v) {
                if (v) run->found.fetch_add(1, std::memory_order_relaxed);
                on_reply(self, store, run, kind, value, pipeline, keyspace, sent);
              },
              [=](caf::error& err) {
                on_error(run, err);
                on_reply(self, store, run, kind, value, pipeline, keyspace, sent);
              });
    }
  }
}

caf::behavior client(client_actor* self, kepler::db_actor store, run_state* run, load_kind kind,
                     const std::string* value, int pipeline, std::uint64_t keyspace,
                     std::uint64_t seed, std::vector<float>* latency_us) {
  self->state.rng = seed;
  self->state.latency_us = latency_us;
  issue(self, store, run, kind, value, pipeline, keyspace);
  if (self->state.in_flight == 0) {  // nothing left to send (a tiny --num)
    finish_one(run);
    self->quit();
  }
  return {[](caf::unit_t) {}};
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double percentile(std::vector<float>& v, double p) {
  if (v.empty()) return 0;
  auto i = std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i];
}

// An actor system per connection: one scheduler worker polling briefly, then sleeping
// (KeplerDB's own settings), and its middleman.
struct endpoint {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
};

}  // namespace

int main(int argc, char** argv) {
  settings s;
  if (!parse(argc, argv, s)) {
    std::fputs(usage, stderr);
    return 2;
  }
  std::vector<std::string> loads;
  {
    std::stringstream in(s.loads);
    for (std::string l; std::getline(in, l, ',');) {
      if (l != "set" && l != "set-sync" && l != "get") {
        std::fprintf(stderr, "kepler-remote-bench: unknown load '%s' (set, set-sync, get)\n",
                     l.c_str());
        return 2;
      }
      loads.push_back(l);
    }
  }
  const bool local = !s.local.empty();
  if (local) s.connections = 1;

  std::vector<std::unique_ptr<endpoint>> eps;
  std::unique_ptr<kepler::db> local_store;
  std::vector<kepler::db_actor> handles;  // one per client
  for (int k = 0; k < s.connections; ++k) {
    auto ep = std::make_unique<endpoint>();
    kepler::options o;
    o.worker_threads = local ? 0 : 1;  // local: the store's share, as kepler-server has
    kepler::db::tune_scheduler(ep->cfg, o);
    if (auto err = kepler::remote::configure(ep->cfg, nullptr)) {
      std::fprintf(stderr, "kepler-remote-bench: %s\n", kepler::to_string(err).c_str());
      return 1;
    }
    ep->cfg.set("logger.file-verbosity", caf::atom("quiet"));
    ep->cfg.set("logger.console-verbosity", caf::atom("quiet"));
    ep->system = std::make_unique<caf::actor_system>(ep->cfg);
    eps.push_back(std::move(ep));
  }
  if (local) {
    auto opened = kepler::db::open(*eps[0]->system, s.local);
    if (!opened) {
      std::fprintf(stderr, "kepler-remote-bench: %s: %s\n", s.local.c_str(),
                   kepler::to_string(opened.error()).c_str());
      return 1;
    }
    local_store = std::move(*opened);
    for (int c = 0; c < s.clients; ++c) handles.push_back(kepler::actor_of(*local_store));
  } else {
    for (int c = 0; c < s.clients; ++c) {
      auto h = kepler::remote::connect(*eps[static_cast<std::size_t>(c % s.connections)]->system,
                                       s.host, static_cast<std::uint16_t>(s.port));
      if (!h) {
        std::fprintf(stderr, "kepler-remote-bench: %s\n", kepler::to_string(h.error()).c_str());
        for (auto& x : handles) kepler::remote::disconnect(x);
        return 1;
      }
      handles.push_back(std::move(*h));
    }
  }
  std::printf(
      "kepler-remote-bench: %s, %d clients over %d %s, pipeline %d, %zu-byte values, 16-byte "
      "keys in a keyspace of %llu, %s per load\n",
      local ? ("local store " + s.local).c_str() : (s.host + ":" + std::to_string(s.port)).c_str(),
      s.clients, s.connections,
      local ? "actor system (no network)" : "connections (one actor system each)", s.pipeline,
      s.value_size, static_cast<unsigned long long>(s.keyspace),
      s.seconds > 0 ? (std::to_string(s.seconds) + " s").c_str()
                    : (std::to_string(s.num) + " requests").c_str());
  std::fflush(stdout);

  const std::string value(s.value_size, 'v');
  int code = 0;
  for (std::size_t li = 0; li < loads.size(); ++li) {
    const auto& name = loads[li];
    load_kind kind{name != "get", name == "set-sync"};
    run_state run;
    run.total = s.seconds > 0 ? 0 : s.num;
    run.running = s.clients;
    std::vector<std::vector<float>> lat(static_cast<std::size_t>(s.clients));
    for (auto& l : lat) l.reserve(run.total / static_cast<std::size_t>(s.clients) + 16);
    double cpu0 = cpu_seconds();
    auto t0 = clock_type::now();
    if (s.seconds > 0)
      run.deadline = t0 + std::chrono::duration_cast<clock_type::duration>(
                              std::chrono::duration<double>(s.seconds));
    for (int c = 0; c < s.clients; ++c) {
      auto& sys = *eps[static_cast<std::size_t>(c % s.connections)]->system;
      sys.spawn(client, handles[static_cast<std::size_t>(c)], &run, kind, &value, s.pipeline,
                s.keyspace, s.seed * 1000003ULL + li * 7919ULL + static_cast<std::uint64_t>(c),
                &lat[static_cast<std::size_t>(c)]);
    }
    {
      std::unique_lock<std::mutex> hold(run.m);
      run.cv.wait(hold, [&] { return run.running == 0; });
    }
    double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
    double cpu = cpu_seconds() - cpu0;
    std::vector<float> all;
    for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
    auto n = all.size();
    double p50 = percentile(all, 0.50), p99 = percentile(all, 0.99);
    std::printf(
        "%s: %.0f requests/s, p50 %.3f ms, p99 %.3f ms (%zu requests in %.2f s, errors "
        "%llu",
        name.c_str(), static_cast<double>(n) / secs, p50 / 1000, p99 / 1000, n, secs,
        static_cast<unsigned long long>(run.errors.load()));
    if (!kind.write)
      std::printf(", found %.1f%%",
                  n ? 100.0 * static_cast<double>(run.found.load()) / static_cast<double>(n) : 0.0);
    std::printf(", driver CPU %.2f cores)\n", cpu / secs);
    if (run.errors.load() != 0) {
      std::fprintf(stderr, "kepler-remote-bench: %s: first error: %s\n", name.c_str(),
                   run.first_error.c_str());
      code = 1;
    }
    std::fflush(stdout);
  }

  if (local) {
    handles.clear();
    (void)local_store->close();
    local_store.reset();
  } else {
    for (auto& h : handles) kepler::remote::disconnect(h);
    handles.clear();
  }
  eps.clear();
  return code;
}
