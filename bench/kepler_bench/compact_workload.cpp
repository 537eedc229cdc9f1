// compact: the whole key range compacted, timed as one operation, then the space the store
// takes against the live data it holds: bytes on disk over the key and value bytes of a full
// scan. LMDB has no compaction; it reports the space figures alone.

#include "workload.hpp"

namespace kepler::bench {

namespace {

// The live data a full scan returns, and the store's bytes on disk; an error text on failure.
std::string measure_live(context& ctx, live_figures* live) {
  auto it = ctx.db.new_iterator();
  for (it->seek_to_first(); it->valid(); it->next()) {
    ++live->entries;
    live->bytes += it->key().size() + it->value().size();
  }
  live->bytes_on_disk = directory_bytes(ctx.dir);
  live->disk_per_live = live->bytes ? static_cast<double>(live->bytes_on_disk) / live->bytes : 0;
  return it->status();
}

}  // namespace

result compact(context& ctx) {
  result r = not_supported(ctx);
  if (ctx.db.has_compaction()) {
    auto stats = run_calls("compact", 1, 1, ctx.f.histogram,
                           [&](std::size_t, std::uint64_t) { return ctx.db.compact_all(); });
    r = make_result(ctx, stats, 1);
  }
  if (r.error.empty()) {
    live_figures live;
    r.error = measure_live(ctx, &live);
    r.live = live;
  }
  return r;
}

}  // namespace kepler::bench
