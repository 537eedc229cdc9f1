// Taking the read view (doc/design.md, "Read path"): every get takes it under a short lock and
// copies a shared_ptr, so its cost with several reader threads at once is the read path's
// fixed price. Measured alone and as part of a whole memtable get, with 1 and 4 threads.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>

#include "actors/boundary/engine_state.hpp"
#include "storage_format/memtable/memtable.hpp"
#include "storage_format/util/file_system.hpp"

namespace {

using kepler::actors::engine_config;
using kepler::actors::engine_state;

constexpr std::size_t entries = 30000;  // about a 4 MiB memtable's worth of 100-byte values

std::string key_of(std::uint64_t n) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llu", static_cast<unsigned long long>(n));
  return buf;
}

engine_state& shared_engine() {
  static engine_state* engine = [] {
    engine_config cfg;
    cfg.fs = kepler::storage::file_system::posix();
    cfg.dir = "/nonexistent";  // no table files: the view holds a memtable only
    auto* e = new engine_state(cfg);
    auto mem = std::make_shared<kepler::storage::memtable>();
    for (std::uint64_t i = 0; i < entries; ++i)
      mem->add(i + 1, kepler::storage::value_type::value, key_of(i), std::string(100, 'v'));
    e->install_initial(mem, std::make_shared<kepler::storage::version>());
    e->publish(entries);
    return e;
  }();
  return *engine;
}

void take_read_view(benchmark::State& state) {
  auto& engine = shared_engine();
  for (auto _ : state) {
    auto view = engine.view();
    benchmark::DoNotOptimize(view.get());
  }
}
BENCHMARK(take_read_view)->Threads(1)->Threads(4)->UseRealTime();

void memtable_get_through_view(benchmark::State& state) {
  auto& engine = shared_engine();
  std::uint64_t i = static_cast<std::uint64_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    auto value = engine.read({}, key_of(i++ % entries));
    benchmark::DoNotOptimize(value);
  }
}
BENCHMARK(memtable_get_through_view)->Threads(1)->Threads(4)->UseRealTime();

}  // namespace
