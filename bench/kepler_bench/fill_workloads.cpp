// The write workloads: fills in order, in random order, overwrites, batches, sync writes
// (one thread, and 8 threads for group commit) and deletes.

#include <algorithm>
#include <numeric>
#include <random>

#include "workload.hpp"

namespace kepler::bench {

namespace {

/// Threads of fillsync8: enough concurrent sync writers for group commit to matter.
constexpr std::size_t group_commit_threads = 8;

std::vector<std::mt19937_64> thread_rngs(const context& ctx, const char* workload,
                                         std::size_t threads) {
  std::vector<std::mt19937_64> rngs;
  for (std::size_t t = 0; t < threads; ++t) rngs.emplace_back(thread_seed(ctx, workload, t));
  return rngs;
}

std::vector<std::uint64_t> permutation(const context& ctx, const char* workload, std::uint64_t n) {
  std::vector<std::uint64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(thread_seed(ctx, workload, 0)));
  return order;
}

std::uint64_t entry_bytes(const context& ctx) {
  return ctx.f.key_size + ctx.f.value_size;
}

// Writes key `index` of `space` once per index of `order` from ctx.f.threads threads.
result put_in_order(context& ctx, const char* workload, key_space space,
                    const std::vector<std::uint64_t>& order, bool sync) {
  auto stats = run_calls(workload, ctx.f.threads, order.size(), ctx.f.histogram,
                         [&](std::size_t, std::uint64_t i) {
                           return ctx.db.put(make_key(space, order[i], ctx.f.key_size),
                                             ctx.values.value(order[i]), sync);
                         });
  auto r = make_result(ctx, stats, order.size());
  r.user_bytes_written = order.size() * entry_bytes(ctx);
  return r;
}

}  // namespace

result fillseq(context& ctx) {
  std::vector<std::uint64_t> order(ctx.f.num);
  std::iota(order.begin(), order.end(), 0);
  return put_in_order(ctx, "fillseq", key_space::fill, order, ctx.f.sync);
}

result fillrandom(context& ctx) {
  return put_in_order(ctx, "fillrandom", key_space::fill, permutation(ctx, "fillrandom", ctx.f.num),
                      ctx.f.sync);
}

result fillsync(context& ctx) {
  return put_in_order(ctx, "fillsync", key_space::sync,
                      permutation(ctx, "fillsync", ctx.f.sync_num), true);
}

result fillsync8(context& ctx) {
  std::uint64_t total = group_commit_threads * ctx.f.sync_num;
  auto stats = run_calls("fillsync8", group_commit_threads, total, ctx.f.histogram,
                         [&](std::size_t, std::uint64_t i) {
                           return ctx.db.put(make_key(key_space::threaded, i, ctx.f.key_size),
                                             ctx.values.value(i), true);
                         });
  auto r = make_result(ctx, stats, total);
  r.user_bytes_written = total * entry_bytes(ctx);
  return r;
}

result overwrite(context& ctx) {
  auto rngs = thread_rngs(ctx, "overwrite", ctx.f.threads);
  auto stats = run_calls("overwrite", ctx.f.threads, ctx.f.num, ctx.f.histogram,
                         [&](std::size_t t, std::uint64_t) {
                           auto k = rngs[t]() % ctx.f.num;
                           return ctx.db.put(make_key(key_space::fill, k, ctx.f.key_size),
                                             ctx.values.value(k + 1), ctx.f.sync);
                         });
  auto r = make_result(ctx, stats, ctx.f.num);
  r.user_bytes_written = ctx.f.num * entry_bytes(ctx);
  return r;
}

result fillbatch(context& ctx) {
  const std::uint64_t num = ctx.f.num, per_batch = ctx.f.batch_size;
  std::uint64_t batches = (num + per_batch - 1) / per_batch;
  auto stats = run_calls(
      "fillbatch", ctx.f.threads, batches, ctx.f.histogram, [&](std::size_t, std::uint64_t b) {
        key_values kvs;
        for (auto i = b * per_batch; i < std::min(num, (b + 1) * per_batch); ++i)
          kvs.emplace_back(make_key(key_space::fill, i, ctx.f.key_size), ctx.values.value(i));
        return ctx.db.write_batch(kvs, ctx.f.sync);
      });
  auto r = make_result(ctx, stats, num);
  r.counts["batches"] = batches;
  r.user_bytes_written = num * entry_bytes(ctx);
  return r;
}

result deleterandom(context& ctx) {
  auto rngs = thread_rngs(ctx, "deleterandom", ctx.f.threads);
  auto stats = run_calls(
      "deleterandom", ctx.f.threads, ctx.f.num, ctx.f.histogram, [&](std::size_t t, std::uint64_t) {
        auto k = rngs[t]() % ctx.f.num;
        return ctx.db.remove(make_key(key_space::fill, k, ctx.f.key_size), ctx.f.sync);
      });
  auto r = make_result(ctx, stats, ctx.f.num);
  r.user_bytes_written = ctx.f.num * ctx.f.key_size;
  return r;
}

}  // namespace kepler::bench
