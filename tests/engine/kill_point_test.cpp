// Whitebox crashes (RocksDB's whitebox crash test): the writer child SIGKILLs itself at each
// named point of the file protocol (storage_format/util/kill_point.hpp): after a table is
// written, after it is synced, after a MANIFEST append, after its sync, during the CURRENT
// switch, between a log switch and its flush, and during obsolete-file deletion. After each
// death the reopened store must hold every acknowledged write and nothing invented.

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>

#include "crash/crash_harness.hpp"
#include "soak_mode.hpp"
#include "storage_format/util/kill_point.hpp"
#include "test_dir.hpp"

using namespace kepler::test::crash;

TEST_SUITE("soak") {
  TEST_CASE("a kill at every whitebox point loses no acknowledged write and invents none") {
    const int per_point = kepler::test::soak_count(5, 50);
    std::uint64_t seed = std::random_device{}();
    if (auto env = std::getenv("KEPLER_CRASH_SEED")) seed = std::strtoull(env, nullptr, 10);
    MESSAGE("seed " << seed << ", " << per_point << " cycles per kill point");
    std::mt19937_64 rng(seed);
    tally all;
    for (const char* point : kepler::storage::kill_points::all) {
      auto dir = std::make_unique<kepler::test::temp_dir>("kepler-kill-point");
      model expected;
      tally t;
      std::uint64_t next_op = 1;
      int reached = 0;
      // Without compaction every cycle adds level-0 tables, and the MANIFEST's snapshot grows
      // with them until rolls (which need the MANIFEST to double) become rare: the CURRENT
      // switch's cycles start over on a fresh store every few cycles.
      const bool fresh_stores =
          std::string(point) == kepler::storage::kill_points::during_current_switch;
      for (int cycle = 0; cycle < per_point; ++cycle) {
        if (fresh_stores && cycle > 0 && cycle % 5 == 0) {
          dir = std::make_unique<kepler::test::temp_dir>("kepler-kill-point");
          expected.clear();
        }
        child_options opts;
        opts.memtable_bytes = 64 * 1024;
        opts.manifest_bytes = 4 * 1024;
        opts.kill_point = point;
        // The first pass or the second: the first CURRENT switch is the open's own, the second
        // a MANIFEST roll while writing.
        opts.kill_skip = static_cast<long>(rng() % 2);
        opts.max_wait = std::chrono::milliseconds(10000);
        auto run = run_cycle(dir->path(), seed, &next_op, std::chrono::milliseconds(10000), opts,
                             expected, t);
        if (run.killed_itself) ++reached;
      }
      std::printf(
          "kill point %s: cycles=%llu reached=%d acked=%llu lost_acked=%llu phantom=%llu "
          "tables_made=%llu\n",
          point, static_cast<unsigned long long>(t.cycles), reached,
          static_cast<unsigned long long>(t.acked), static_cast<unsigned long long>(t.lost_acked),
          static_cast<unsigned long long>(t.phantom),
          static_cast<unsigned long long>(t.tables_made));
      CHECK_MESSAGE(reached == per_point, "kill point " << std::string(point) << " reached in "
                                                        << reached << " of " << per_point
                                                        << " cycles");
      CHECK(t.lost_acked == 0);
      CHECK(t.phantom == 0);
      all.cycles += t.cycles;
      all.acked += t.acked;
      all.lost_acked += t.lost_acked;
      all.phantom += t.phantom;
    }
    std::printf("kill point test: cycles=%llu acked=%llu lost_acked=%llu phantom=%llu\n",
                static_cast<unsigned long long>(all.cycles),
                static_cast<unsigned long long>(all.acked),
                static_cast<unsigned long long>(all.lost_acked),
                static_cast<unsigned long long>(all.phantom));
  }
}
