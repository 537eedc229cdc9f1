// Crash recovery: a child process writes (sync and non-sync, single and batched) and reports
// each acknowledged operation; it is killed with SIGKILL at a random moment, the store is
// reopened and every key checked against what was acknowledged. The memtable is small, so
// every cycle flushes memtables to table files and rolls the MANIFEST while it writes.

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "crash/crash_harness.hpp"
#include "kepler/db.hpp"
#include "soak_mode.hpp"
#include "test_dir.hpp"

using namespace kepler::test::crash;

namespace {

// Small enough that a cycle of a few hundred milliseconds flushes several times.
constexpr std::uint64_t crash_memtable_bytes = 256 * 1024;
constexpr std::uint64_t crash_manifest_bytes = 16 * 1024;

}  // namespace

TEST_CASE("kill -9 at a random moment loses no acknowledged write and invents none" *
          doctest::test_suite("soak")) {
  kepler::test::temp_dir dir("kepler-crash");
  // The soak tier (KEPLER_SOAK=1) kills the writer 2,000 times.
  int cycles = kepler::test::soak_count(50, 2000);
  if (auto env = std::getenv("KEPLER_CRASH_CYCLES")) cycles = std::atoi(env);
  std::uint64_t seed = std::random_device{}();
  if (auto env = std::getenv("KEPLER_CRASH_SEED")) seed = std::strtoull(env, nullptr, 10);
  MESSAGE("seed " << seed << " (KEPLER_CRASH_SEED reruns it), " << cycles << " cycles");
  std::mt19937_64 rng(seed);
  model expected;
  tally t;
  std::uint64_t next_op = 1;
  child_options opts;
  opts.memtable_bytes = crash_memtable_bytes;
  opts.manifest_bytes = crash_manifest_bytes;
  opts.wait_for_flush = true;
  for (int cycle = 0; cycle < cycles; ++cycle)
    run_cycle(dir.path(), seed, &next_op, std::chrono::milliseconds(100 + rng() % 400), opts,
              expected, t);
  MESSAGE("cycles=" << t.cycles << " acked=" << t.acked << " lost_acked=" << t.lost_acked
                    << " phantom=" << t.phantom << " in_flight_landed=" << t.in_flight_landed
                    << " tables_made=" << t.tables_made);
  std::printf(
      "crash test: cycles=%llu acked=%llu lost_acked=%llu phantom=%llu flushes_per_cycle=%.1f "
      "cycles_without_flush=%llu cycles_with_compaction=%llu\n",
      static_cast<unsigned long long>(t.cycles), static_cast<unsigned long long>(t.acked),
      static_cast<unsigned long long>(t.lost_acked), static_cast<unsigned long long>(t.phantom),
      t.cycles ? static_cast<double>(t.tables_made) / static_cast<double>(t.cycles) : 0.0,
      static_cast<unsigned long long>(t.cycles_without_flush),
      static_cast<unsigned long long>(t.cycles_with_compaction));
  CHECK(t.cycles == static_cast<std::uint64_t>(cycles));
  // Compactions run while the child is killed, not just flushes.
  CHECK(t.cycles_with_compaction > 0);
  CHECK(t.acked > 0);
  CHECK(t.lost_acked == 0);
  CHECK(t.phantom == 0);
  CHECK(t.cycles_without_flush == 0);
}

TEST_CASE("a store another process has open is refused as locked, naming that process") {
  kepler::test::temp_dir dir("kepler-lock");
  bool checked = false;
  auto run = run_and_kill(dir.path(), 1, 1, std::chrono::milliseconds(3000), {}, [&](pid_t child) {
    auto second = kepler::db::open(dir.path());
    REQUIRE_FALSE(second);
    CHECK(second.error().code() == static_cast<std::uint8_t>(kepler::ec::locked));
    auto text = kepler::to_string(second.error());
    MESSAGE(text);
    CHECK(text.find("locked by process " + std::to_string(child)) != std::string::npos);
    checked = true;
  });
  REQUIRE_MESSAGE(run.failure.empty(), run.failure);
  CHECK(checked);
  // Once the holder is gone, the store opens.
  auto store = kepler::db::open(dir.path());
  CHECK(store);
}
