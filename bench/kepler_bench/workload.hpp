#pragma once
// A workload: a named, timed sequence of operations run against one engine's store. The
// registry lists them all (workload_registry.cpp); each family lives in its own file.

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine.hpp"
#include "flags.hpp"
#include "histogram.hpp"
#include "keys.hpp"
#include "runner.hpp"
#include "space.hpp"

namespace kepler::bench {

struct result {
  std::string engine, benchmark;
  /// False when the engine lacks what the workload needs (LMDB's compaction): no timing.
  bool supported = true;
  /// The first failed operation's error; the figures then cover a partial run.
  std::string error;
  /// Operations done (for fillbatch: entries written, as db_bench counts).
  std::uint64_t ops = 0;
  double wall_micros = 0;
  /// What the operations found or did: "found", "read", "update", "insert", "scan", ...
  std::map<std::string, std::uint64_t> counts;
  /// Per call latency, with --histogram.
  std::optional<histogram> latency;
  /// Key and value bytes the workload asked the engine to write.
  std::uint64_t user_bytes_written = 0;
  /// Measured by the driver around workloads that write.
  std::optional<space_figures> space;
  /// compact only: the live data a full scan found, against the bytes on disk.
  std::optional<live_figures> live;
  /// The engine's stats() line, taken by the driver after the workload.
  std::string engine_stats;
  /// idle only: cores the open store used while almost idle.
  std::optional<double> idle_cores;

  double micros_per_op() const { return ops ? wall_micros / ops : 0; }
  double ops_per_sec() const { return wall_micros > 0 ? ops / (wall_micros / 1e6) : 0; }
};

/// What a workload runs against.
struct context {
  engine& db;
  /// The store's directory.
  const std::string& dir;
  const flags& f;
  const value_pool& values;
  /// YCSB records in the store; ycsb-load sets it, D and E inserts grow it.
  std::atomic<std::uint64_t>& ycsb_records;
};

using workload_fn = result (*)(context&);

struct workload_info {
  const char* name;
  const char* description;
  workload_fn run;
  /// Measure space and write amplification after it.
  bool writes;
};

/// Every workload, in --help's order.
const std::vector<workload_info>& workloads();
/// The named workload, or nullptr.
const workload_info* find_workload(const std::string& name);

/// The result of a timed run of `ops` operations (stats.calls calls).
result make_result(context& ctx, const run_stats& stats, std::uint64_t ops);
/// A workload the engine cannot run yet.
result not_supported(context& ctx);
/// Seed of a workload's thread-local random sequence: the same for every engine.
std::uint64_t thread_seed(const context& ctx, const char* workload, std::size_t thread);

// The workloads, by family.
result fillseq(context& ctx);
result fillrandom(context& ctx);
result overwrite(context& ctx);
result fillbatch(context& ctx);
result fillsync(context& ctx);
result fillsync8(context& ctx);
result fillasync(context& ctx);
result fillsyncasync(context& ctx);
result deleterandom(context& ctx);
result readrandom(context& ctx);
result readmissing(context& ctx);
result readseq(context& ctx);
result readreverse(context& ctx);
result seekrandom(context& ctx);
result compact(context& ctx);
result ycsb_load(context& ctx);
result ycsb_a(context& ctx);
result ycsb_b(context& ctx);
result ycsb_c(context& ctx);
result ycsb_d(context& ctx);
result ycsb_e(context& ctx);
result ycsb_f(context& ctx);
result idle(context& ctx);

}  // namespace kepler::bench
