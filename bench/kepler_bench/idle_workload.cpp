// idle: what an open, almost idle store costs in CPU (KeplerDB's scheduler workers poll before
// they sleep; doc/design.md "CAF").

#include <sys/resource.h>

#include <chrono>
#include <thread>

#include "workload.hpp"

namespace kepler::bench {

namespace {

/// 20 requests/s for 3 s.
constexpr int idle_requests = 60;
constexpr auto idle_gap = std::chrono::milliseconds(50);

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

result idle(context& ctx) {
  auto cpu0 = cpu_seconds();
  auto start = std::chrono::steady_clock::now();
  std::string value, error;
  std::uint64_t found = 0;
  for (int i = 0; i < idle_requests && error.empty(); ++i) {
    auto key = make_key(key_space::idle, i, ctx.f.key_size);
    error = ctx.db.put(key, ctx.values.value(i), false);
    bool hit = false;
    if (error.empty()) error = ctx.db.get(key, &value, &hit);
    found += hit;
    std::this_thread::sleep_for(idle_gap);
  }
  result r;
  r.engine = ctx.db.name();
  r.error = error;
  r.ops = idle_requests;
  r.wall_micros =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  r.idle_cores = (cpu_seconds() - cpu0) / (r.wall_micros / 1e6);
  r.counts["found"] = found;
  r.user_bytes_written = idle_requests * (ctx.f.key_size + ctx.f.value_size);
  return r;
}

}  // namespace kepler::bench
