// kepler-bench: db_bench-style workloads run against KeplerDB and its peers side by side.
//
//   kepler-bench --engine=all --num=100000 --benchmarks=fillseq,fillrandom,readrandom,fillsync
//
// Each workload prints one line per engine (db_bench's form, with p50/p99 latency), then a
// table of time per op and the ratio kepler/peer, measured in the same run.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine.hpp"

namespace kb = kepler::bench;
using clock_type = std::chrono::steady_clock;

namespace {

struct flags {
  std::string engine = "all";
  std::string benchmarks = "fillseq,fillrandom,readrandom,fillsync,fillsync8,idle";
  std::size_t num = 100000;
  std::size_t sync_num = 2000;
  std::size_t threads = 8;
  std::size_t key_size = 16;
  std::size_t value_size = 100;
  std::size_t kepler_workers = 0;
  std::size_t kepler_poll = 0;
  std::size_t kepler_user_system = 0;
  std::string db = (std::filesystem::temp_directory_path() / "kepler-bench").string();
};

void usage(std::FILE* to) {
  std::fprintf(
      to,
      "usage: kepler-bench [--flag=value ...]\n"
      "  --engine=kepler|leveldb|all   engines to run (default all)\n"
      "  --benchmarks=a,b,...          run in order on one store per engine:\n"
      "       fillseq     num non-sync inserts, keys in order\n"
      "       fillrandom  num non-sync inserts, keys in random order\n"
      "       readrandom  num gets of random present keys (after a fill)\n"
      "       fillsync    sync_num sync inserts from one thread\n"
      "       fillsync8   sync_num sync inserts from each of --threads threads\n"
      "       idle        CPU used by an open store serving 20 requests/s for 3 s\n"
      "  --num=N                       operations per non-sync workload (100000)\n"
      "  --sync_num=N                  operations per thread of sync workloads (2000)\n"
      "  --threads=N                   threads of fillsync8 (8)\n"
      "  --key_size=N --value_size=N   bytes (16, 100)\n"
      "  --kepler_workers=N            KeplerDB's scheduler threads (default: its own)\n"
      "  --kepler_poll=N               KeplerDB's idle poll attempts (default: its own)\n"
      "  --kepler_user_system=0|1|2   KeplerDB's actor system: 0 its own, 1 a user's with CAF's\n"
      "                                defaults, 2 a user's tuned by db::tune_scheduler\n"
      "  --db=DIR                      where stores are made (removed first)\n");
}

bool parse_size(const std::string& text, std::size_t* out) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
  *out = std::strtoull(text.c_str(), nullptr, 10);
  return true;
}

int parse_flags(int argc, char** argv, flags* f) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      usage(stdout);
      std::exit(0);
    }
    auto eq = arg.find('=');
    if (arg.rfind("--", 0) != 0 || eq == std::string::npos) {
      std::fprintf(stderr, "kepler-bench: bad argument '%s' (want --flag=value)\n", arg.c_str());
      return 2;
    }
    auto name = arg.substr(2, eq - 2);
    auto value = arg.substr(eq + 1);
    std::map<std::string, std::size_t*> sizes{{"num", &f->num},
                                              {"sync_num", &f->sync_num},
                                              {"threads", &f->threads},
                                              {"key_size", &f->key_size},
                                              {"value_size", &f->value_size},
                                              {"kepler_workers", &f->kepler_workers},
                                              {"kepler_poll", &f->kepler_poll},
                                              {"kepler_user_system", &f->kepler_user_system}};
    if (auto it = sizes.find(name); it != sizes.end()) {
      bool zero_ok = name == "kepler_user_system";
      if (!parse_size(value, it->second) || (*it->second == 0 && !zero_ok) ||
          (zero_ok && *it->second > 2)) {
        std::fprintf(stderr, "kepler-bench: --%s: bad value '%s' (see --help)\n", name.c_str(),
                     value.c_str());
        return 2;
      }
    } else if (name == "engine") {
      f->engine = value;
    } else if (name == "benchmarks") {
      f->benchmarks = value;
    } else if (name == "db") {
      f->db = value;
    } else {
      std::fprintf(stderr, "kepler-bench: unknown flag --%s (see --help)\n", name.c_str());
      return 2;
    }
  }
  if (f->key_size < 8) {
    std::fprintf(stderr, "kepler-bench: --key_size must be at least 8\n");
    return 2;
  }
  return 0;
}

std::string make_key(std::uint64_t i, std::size_t size) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llu", static_cast<unsigned long long>(i));
  std::string key(buf);
  if (key.size() > size) key = key.substr(key.size() - size);
  key.resize(size, '0');
  return key;
}

// Values are slices of one random buffer (as in db_bench), so making a value costs a copy,
// not a random generator's work inside the timed loop.
std::string make_value(std::uint64_t i, std::size_t size) {
  static const std::string pool = [] {
    std::string p(1 << 20, 'x');
    std::mt19937_64 rng(301);
    for (auto& c : p) c = static_cast<char>('a' + rng() % 26);
    return p;
  }();
  if (size >= pool.size()) return std::string(size, 'v');
  return pool.substr((i * 7919) % (pool.size() - size), size);
}

struct result {
  double micros_per_op = 0;
  double ops_per_sec = 0;
  double p50 = 0, p99 = 0, max = 0;
  std::string note;
};

result summarize(std::vector<double>& samples, double wall_micros, std::size_t ops) {
  result r;
  r.micros_per_op = wall_micros / ops;
  r.ops_per_sec = ops / (wall_micros / 1e6);
  if (!samples.empty()) {
    std::sort(samples.begin(), samples.end());
    r.p50 = samples[samples.size() / 2];
    r.p99 = samples[std::min(samples.size() - 1, samples.size() * 99 / 100)];
    r.max = samples.back();
  }
  return r;
}

double since(clock_type::time_point t) {
  return std::chrono::duration<double, std::micro>(clock_type::now() - t).count();
}

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Runs `ops` calls of `op(i)` on `threads` threads, timing each.
template <class Op>
result timed(std::size_t threads, std::size_t ops_per_thread, Op op) {
  std::vector<std::vector<double>> samples(threads);
  std::atomic<bool> failed{false};
  auto start = clock_type::now();
  std::vector<std::thread> workers;
  for (std::size_t t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      samples[t].reserve(ops_per_thread);
      for (std::size_t i = 0; i < ops_per_thread; ++i) {
        auto s = clock_type::now();
        auto err = op(t, i);
        samples[t].push_back(since(s));
        if (!err.empty()) {
          if (!failed.exchange(true)) std::fprintf(stderr, "operation failed: %s\n", err.c_str());
          return;
        }
      }
    });
  for (auto& w : workers) w.join();
  auto wall = since(start);
  std::vector<double> all;
  for (auto& s : samples) all.insert(all.end(), s.begin(), s.end());
  auto r = summarize(all, wall, threads * ops_per_thread);
  if (failed) r.note = "FAILED";
  return r;
}

result run_workload(const std::string& name, kb::engine& e, const flags& f) {
  if (name == "fillseq")
    return timed(1, f.num, [&](std::size_t, std::size_t i) {
      return e.put(make_key(i, f.key_size), make_value(i, f.value_size), false);
    });
  if (name == "fillrandom") {
    std::vector<std::uint64_t> order(f.num);
    for (std::size_t i = 0; i < f.num; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937_64(42));
    return timed(1, f.num, [&](std::size_t, std::size_t i) {
      return e.put(make_key(order[i], f.key_size), make_value(order[i], f.value_size), false);
    });
  }
  if (name == "readrandom") {
    std::mt19937_64 rng(7);
    std::vector<std::uint64_t> keys(f.num);
    for (auto& k : keys) k = rng() % f.num;
    std::size_t found_count = 0;
    std::string value;
    auto r = timed(1, f.num, [&](std::size_t, std::size_t i) {
      bool found = false;
      auto err = e.get(make_key(keys[i], f.key_size), &value, &found);
      found_count += found;
      return err;
    });
    r.note = std::to_string(found_count) + " of " + std::to_string(f.num) + " found";
    return r;
  }
  if (name == "fillsync")
    return timed(1, f.sync_num, [&](std::size_t, std::size_t i) {
      return e.put(make_key(i + 10 * f.num, f.key_size), make_value(i, f.value_size), true);
    });
  if (name == "fillsync8")
    return timed(f.threads, f.sync_num, [&](std::size_t t, std::size_t i) {
      auto k = 20 * f.num + t * f.sync_num + i;
      return e.put(make_key(k, f.key_size), make_value(k, f.value_size), true);
    });
  if (name == "idle") {
    // 20 requests/s for 3 s: what an almost idle store costs in CPU.
    constexpr int requests = 60;
    constexpr auto gap = std::chrono::milliseconds(50);
    auto cpu0 = cpu_seconds();
    auto start = clock_type::now();
    std::string value;
    bool found;
    for (int i = 0; i < requests; ++i) {
      e.put(make_key(i, f.key_size), "idle", false);
      e.get(make_key(i, f.key_size), &value, &found);
      std::this_thread::sleep_for(gap);
    }
    double wall = since(start) / 1e6;
    result r;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.3f cores busy while idle", (cpu_seconds() - cpu0) / wall);
    r.note = buf;
    r.micros_per_op = (cpu_seconds() - cpu0) / wall;
    return r;
  }
  result r;
  r.note = "unknown workload";
  r.micros_per_op = -1;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  flags f;
  if (int rc = parse_flags(argc, argv, &f); rc != 0) return rc;
  std::vector<std::string> engines;
  if (f.engine == "all") {
    engines = kb::available_engines();
  } else {
    auto avail = kb::available_engines();
    if (std::find(avail.begin(), avail.end(), f.engine) == avail.end()) {
      std::fprintf(stderr, "kepler-bench: engine '%s' is not available in this build\n",
                   f.engine.c_str());
      return 2;
    }
    engines.push_back(f.engine);
  }
  std::vector<std::string> workloads;
  std::stringstream ss(f.benchmarks);
  for (std::string w; std::getline(ss, w, ',');)
    if (!w.empty()) workloads.push_back(w);

  std::printf("keys: %zu bytes, values: %zu bytes, num: %zu, sync_num: %zu, threads: %zu\n",
              f.key_size, f.value_size, f.num, f.sync_num, f.threads);
  std::map<std::string, std::map<std::string, result>> results;  // workload -> engine -> result
  for (auto& name : engines) {
    kb::engine_settings settings;
    settings.dir = f.db + "/" + name;
    settings.kepler_workers = f.kepler_workers;
    settings.kepler_poll = f.kepler_poll;
    settings.kepler_user_system = static_cast<int>(f.kepler_user_system);
    std::filesystem::remove_all(settings.dir);
    std::filesystem::create_directories(f.db);
    std::string error;
    auto e = kb::open_engine(name, settings, &error);
    if (!e) {
      std::fprintf(stderr, "kepler-bench: cannot open %s: %s\n", name.c_str(), error.c_str());
      return 1;
    }
    for (auto& w : workloads) {
      auto r = run_workload(w, *e, f);
      results[w][name] = r;
      if (w == "idle")
        std::printf("%-8s %-11s: %s\n", name.c_str(), w.c_str(), r.note.c_str());
      else
        std::printf(
            "%-8s %-11s: %8.3f micros/op %9.0f ops/sec  p50 %.1f  p99 %.1f  max %.0f us"
            "%s%s\n",
            name.c_str(), w.c_str(), r.micros_per_op, r.ops_per_sec, r.p50, r.p99, r.max,
            r.note.empty() ? "" : "  ", r.note.c_str());
      std::fflush(stdout);
    }
    e.reset();
    std::filesystem::remove_all(settings.dir);
  }
  if (engines.size() > 1 && results.size() > 0) {
    std::printf("\n%-11s", "workload");
    for (auto& name : engines) std::printf(" %12s", (name + " us/op").c_str());
    for (std::size_t i = 1; i < engines.size(); ++i)
      std::printf(" %16s", ("kepler/" + engines[i]).c_str());
    std::printf("\n");
    for (auto& w : workloads) {
      if (w == "idle") continue;
      std::printf("%-11s", w.c_str());
      for (auto& name : engines) std::printf(" %12.3f", results[w][name].micros_per_op);
      for (std::size_t i = 1; i < engines.size(); ++i)
        std::printf(" %15.2fx",
                    results[w]["kepler"].micros_per_op / results[w][engines[i]].micros_per_op);
      std::printf("\n");
    }
  }
  return 0;
}
