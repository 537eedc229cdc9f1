// Workloads through an iterator: reading in key order, in reverse, and seeking.

#include <numeric>
#include <random>

#include "workload.hpp"

namespace kepler::bench {

namespace {

// Each thread reads its share of --reads entries from one end of the store, stopping early at
// the other end; ops counts the entries read.
result scan(context& ctx, const char* workload, bool forward) {
  const std::size_t threads = ctx.f.threads;
  std::vector<std::unique_ptr<iterator>> its(threads);
  std::vector<std::uint64_t> read(threads, 0);
  std::vector<bool> at_end(threads, false);
  auto stats = run_calls(workload, threads, ctx.f.read_ops(), ctx.f.histogram,
                         [&](std::size_t t, std::uint64_t) -> std::string {
                           auto& it = its[t];
                           if (at_end[t]) return {};
                           if (!it) {
                             it = ctx.db.new_iterator();
                             forward ? it->seek_to_first() : it->seek_to_last();
                           } else {
                             forward ? it->next() : it->prev();
                           }
                           if (!it->valid()) {
                             at_end[t] = true;
                             return it->status();
                           }
                           ++read[t];
                           return {};
                         });
  auto entries = std::accumulate(read.begin(), read.end(), std::uint64_t{0});
  auto r = make_result(ctx, stats, entries);
  r.counts["entries"] = entries;
  return r;
}

}  // namespace

result readseq(context& ctx) {
  return scan(ctx, "readseq", true);
}

result readreverse(context& ctx) {
  return scan(ctx, "readreverse", false);
}

// As RocksDB's db_bench (LevelDB's has no --seek_nexts): each op seeks to a random key of a
// fill, counts it found when the iterator lands on that very key, then calls next()
// --seek_nexts times, stopping early at the end. Each thread keeps one iterator for all its
// seeks.
result seekrandom(context& ctx) {
  const std::size_t threads = ctx.f.threads;
  std::vector<std::unique_ptr<iterator>> its(threads);
  std::vector<std::uint64_t> found(threads, 0), nexts(threads, 0);
  std::vector<std::mt19937_64> rngs;
  for (std::size_t t = 0; t < threads; ++t) rngs.emplace_back(thread_seed(ctx, "seekrandom", t));
  auto stats = run_calls(
      "seekrandom", threads, ctx.f.read_ops(), ctx.f.histogram, [&](std::size_t t, std::uint64_t) {
        if (!its[t]) its[t] = ctx.db.new_iterator();
        auto& it = *its[t];
        auto key = make_key(key_space::fill, rngs[t]() % ctx.f.num, ctx.f.key_size);
        it.seek(key);
        found[t] += it.valid() && it.key() == key;
        for (std::size_t j = 0; j < ctx.f.seek_nexts && it.valid(); ++j, ++nexts[t]) it.next();
        return it.status();
      });
  auto sum = [](const std::vector<std::uint64_t>& v) {
    return std::accumulate(v.begin(), v.end(), std::uint64_t{0});
  };
  auto r = make_result(ctx, stats, ctx.f.read_ops());
  r.counts["found"] = sum(found);
  r.counts["nexts"] = sum(nexts);
  return r;
}

}  // namespace kepler::bench
