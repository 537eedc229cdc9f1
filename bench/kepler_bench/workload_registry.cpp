#include <functional>

#include "workload.hpp"

namespace kepler::bench {

const std::vector<workload_info>& workloads() {
  static const std::vector<workload_info> all{
      {"fillseq", "--num writes, keys in order", fillseq, true},
      {"fillrandom", "--num writes, keys in random order (each key once)", fillrandom, true},
      {"overwrite", "--num writes of random existing keys", overwrite, true},
      {"fillbatch", "--num writes in order, --batch_size per batch (op = one entry)", fillbatch,
       true},
      {"fillsync", "--sync_num sync writes, random keys", fillsync, true},
      {"fillsync8", "--sync_num sync writes from each of 8 threads (group commit)", fillsync8,
       true},
      {"fillasync",
       "--num writes in random order from an actor, --async in flight (peers: 1 blocking thread)",
       fillasync, true},
      {"fillsyncasync",
       "8 x --sync_num sync writes from an actor, --async in flight (peers: --sync_num, 1 thread)",
       fillsyncasync, true},
      {"deleterandom", "--num deletes of random keys", deleterandom, true},
      {"readrandom", "--reads gets of random keys of a fill", readrandom, false},
      {"readmissing", "--reads gets of keys never written", readmissing, false},
      {"readseq", "--reads entries in key order through an iterator", readseq, false},
      {"readreverse", "--reads entries in reverse key order", readreverse, false},
      {"seekrandom", "--reads seeks to random keys of a fill, each then --seek_nexts next()s",
       seekrandom, false},
      {"compact", "compacts the whole key range, one timed op; then disk/live of a full scan",
       compact, true},
      {"ycsb-load", "--ycsb_records YCSB records in random order (before the first ycsb-*)",
       ycsb_load, true},
      {"ycsb-a", "YCSB A: 50% read, 50% update, zipfian", ycsb_a, true},
      {"ycsb-b", "YCSB B: 95% read, 5% update, zipfian", ycsb_b, true},
      {"ycsb-c", "YCSB C: 100% read, zipfian", ycsb_c, false},
      {"ycsb-d", "YCSB D: 95% read of the latest records, 5% insert", ycsb_d, true},
      {"ycsb-e", "YCSB E: 95% scan of 1-100 records from a zipfian key, 5% insert", ycsb_e, true},
      {"ycsb-f", "YCSB F: 50% read, 50% read-modify-write, zipfian", ycsb_f, true},
      {"idle", "CPU used by an open store serving 20 requests/s for 3 s", idle, true},
  };
  return all;
}

const workload_info* find_workload(const std::string& name) {
  for (auto& w : workloads())
    if (name == w.name) return &w;
  return nullptr;
}

result make_result(context& ctx, const run_stats& stats, std::uint64_t ops) {
  result r;
  r.engine = ctx.db.name();
  r.ops = ops;
  r.wall_micros = stats.wall_micros;
  r.error = stats.error;
  if (ctx.f.histogram) r.latency = stats.latency;
  return r;
}

result not_supported(context& ctx) {
  result r;
  r.engine = ctx.db.name();
  r.supported = false;
  return r;
}

std::uint64_t thread_seed(const context& ctx, const char* workload, std::size_t thread) {
  // Distinct odd multipliers keep the seeds of (seed, workload, thread) triples apart.
  constexpr std::uint64_t seed_multiplier = 1000003, thread_multiplier = 7919;
  return ctx.f.seed * seed_multiplier + std::hash<std::string>{}(workload) +
         thread * thread_multiplier;
}

}  // namespace kepler::bench
