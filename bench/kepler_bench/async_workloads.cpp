// The async workloads: writes from an actor program, through the db actor with --async requests
// in flight (fillasync: --num non-sync writes in random order; fillsyncasync: 8 x --sync_num
// sync writes). An engine without an actor interface runs the same writes as a blocking loop on
// one thread (the peers: an actor program would run them on a thread of their own), so the
// ratio table sets KeplerDB's async figure beside their single-thread one.

#include <algorithm>
#include <numeric>
#include <random>

#include "workload.hpp"

namespace kepler::bench {

namespace {

/// fillsyncasync writes this many times --sync_num: with 64 in flight, enough fdatasyncs to time.
constexpr std::uint64_t sync_async_factor = 8;

result write_async(context& ctx, const char* workload, key_space space, std::uint64_t count,
                   bool sync) {
  std::vector<std::uint64_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(thread_seed(ctx, workload, 0)));
  auto key = [&](std::uint64_t i) { return make_key(space, order[i], ctx.f.key_size); };
  auto value = [&](std::uint64_t i) { return ctx.values.value(order[i]); };
  run_stats stats;
  if (ctx.db.has_actor_interface()) {
    async_plan plan;
    plan.count = count;
    plan.in_flight = ctx.f.async;
    plan.sync = sync;
    plan.key = key;
    plan.value = value;
    auto start = std::chrono::steady_clock::now();
    stats.error = ctx.db.put_async(plan);
    stats.wall_micros =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    stats.calls = count;
  } else {
    // A blocking engine: one thread, and for sync writes --sync_num of them (a sync write
    // costs the same however many follow).
    if (sync) count = std::min<std::uint64_t>(count, ctx.f.sync_num);
    stats = run_calls(workload, 1, count, ctx.f.histogram, [&](std::size_t, std::uint64_t i) {
      return ctx.db.put(key(i), value(i), sync);
    });
  }
  auto r = make_result(ctx, stats, count);
  r.counts[ctx.db.has_actor_interface() ? "in_flight" : "blocking_threads"] =
      ctx.db.has_actor_interface() ? ctx.f.async : 1;
  r.user_bytes_written = count * (ctx.f.key_size + ctx.f.value_size);
  return r;
}

}  // namespace

result fillasync(context& ctx) {
  return write_async(ctx, "fillasync", key_space::fill, ctx.f.num, false);
}

result fillsyncasync(context& ctx) {
  return write_async(ctx, "fillsyncasync", key_space::sync, sync_async_factor * ctx.f.sync_num,
                     true);
}

}  // namespace kepler::bench
