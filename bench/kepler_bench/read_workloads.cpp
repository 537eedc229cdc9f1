// Point reads: gets of keys a fill wrote (readrandom) and of keys never written, inside the
// written key range (readmissing).

#include <numeric>
#include <random>

#include "workload.hpp"

namespace kepler::bench {

namespace {

// --reads gets of uniformly random indexes below --num in `space` (with `suffix` appended),
// counting the keys found.
result get_random(context& ctx, const char* workload, key_space space,
                  std::string_view suffix = {}) {
  std::vector<std::uint64_t> found(ctx.f.threads, 0);
  std::vector<std::mt19937_64> rngs;
  for (std::size_t t = 0; t < ctx.f.threads; ++t) rngs.emplace_back(thread_seed(ctx, workload, t));
  auto stats = run_calls(workload, ctx.f.threads, ctx.f.read_ops(), ctx.f.histogram,
                         [&](std::size_t t, std::uint64_t) {
                           std::string value;
                           bool hit = false;
                           auto key = make_key(space, rngs[t]() % ctx.f.num, ctx.f.key_size);
                           key.append(suffix);
                           auto err = ctx.db.get(key, &value, &hit);
                           found[t] += hit;
                           return err;
                         });
  auto r = make_result(ctx, stats, ctx.f.read_ops());
  r.counts["found"] = std::accumulate(found.begin(), found.end(), std::uint64_t{0});
  return r;
}

}  // namespace

result readrandom(context& ctx) {
  return get_random(ctx, "readrandom", key_space::fill);
}

// As db_bench: a written key with "." appended, never written itself but inside every table's
// key range, so each engine has to ask its bloom filters (a key outside every range is
// refused by the ranges alone and measures nothing).
result readmissing(context& ctx) {
  return get_random(ctx, "readmissing", key_space::fill, ".");
}

}  // namespace kepler::bench
