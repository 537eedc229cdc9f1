// Power-loss enumeration: one run of the fixed workload (workload.hpp) through the real store
// over a memory_file_system records its trace of file operations (with their data) and when
// each write was sent and acknowledged. Each cut state is built from that trace: the operations
// before n, then a power loss in one of the modes (memory_file_system.hpp). Each state is
// reopened and must hold every write acknowledged before the cut up to the last acknowledged
// sync write (a sync covers the log up to it), and of the rest a prefix of the writes in order:
// no hole, each batch all or nothing, no phantom, no wrong value. A sample of the states also
// takes a new write and must keep it, and what it recovered, over another reopen.
//
// The default run samples the cuts; the soak run (KEPLER_SOAK=1) tries every cut in every mode.

#include <doctest/doctest.h>

#include <algorithm>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "api/src/open_with_file_system.hpp"
#include "forwarding_file_system.hpp"
#include "kepler/db.hpp"
#include "power_loss/memory_file_system.hpp"
#include "power_loss/workload.hpp"
#include "soak_mode.hpp"

using namespace kepler::test;
using namespace kepler::test::power;

namespace {

struct tally {
  int states = 0;
  int ok = 0;
  int lost_acked = 0;
  int holes = 0;
  int phantom = 0;
  int wrong_value = 0;
  int silent_loss = 0;
  int crashes = 0;       // exceptions out of an open or a read (a real crash ends the process)
  int refused_open = 0;  // the open failed with corruption
  int open_errors = 0;   // the open failed otherwise
  int read_errors = 0;
  int new_writes = 0;           // states that also took a new write and were reopened again
  std::string example;          // the first violation
  std::string refused_example;  // the first refused open
};

bool is_corruption(const caf::error& e) {
  return e.category() == caf::atom("kepler") &&
         e.code() == static_cast<std::uint8_t>(kepler::ec::corruption);
}

void note(std::string* slot, const std::string& what) {
  if (slot->empty()) *slot = what;
}

// Opens the cut state `disk`, judges what it holds, and (with `new_write`) writes once more,
// reopens and checks that the write and the recovered state are both still there.
void check_state(const std::vector<step>& plan, const kepler::options& opts, mem_disk disk,
                 std::size_t must, std::size_t may, bool new_write, const std::string& where,
                 watchdog& dog, tally* t) {
  ++t->states;
  memory_file_system fs(std::move(disk));
  try {
    dog.arm("the open of " + where);
    auto opened = kepler::detail::open_with_file_system(fs, nullptr, store_dir, opts);
    if (!opened) {
      dog.disarm();
      const auto text = where + ": " + kepler::to_string(opened.error());
      if (is_corruption(opened.error())) {
        ++t->refused_open;
        note(&t->refused_example, text);
      } else {
        ++t->open_errors;
        note(&t->example, "open failed: " + text);
      }
      return;
    }
    auto& store = **opened;
    auto observed = read_all(store);
    if (!observed) {
      ++t->read_errors;
      note(&t->example, where + ": read failed: " + kepler::to_string(observed.error()));
      return;
    }
    auto v = judge(plan, *observed, must, may);
    if (v.lost_acked) ++t->lost_acked;
    if (v.hole) ++t->holes;
    if (v.phantom) ++t->phantom;
    if (v.wrong_value) ++t->wrong_value;
    if (!v.ok) {
      note(&t->example, where + ": " + v.why + " (must " + std::to_string(must) + ", may " +
                            std::to_string(may) + ")");
      return;
    }
    if (!new_write) {
      ++t->ok;
      return;
    }
    ++t->new_writes;
    const std::string key = "zz-after-power-loss";
    auto w = store.insert(key, "kept", kepler::write_options{true});
    auto closed = store.close();
    opened->reset();
    dog.arm("the second open of " + where);
    auto again = kepler::detail::open_with_file_system(fs, nullptr, store_dir, opts);
    dog.disarm();
    auto expected = *observed;
    expected[key] = "kept";
    std::string why;
    if (!w)
      why = "the new write failed: " + kepler::to_string(w.error());
    else if (!closed)
      why = "close failed: " + kepler::to_string(closed.error());
    else if (!again)
      why = "the second open failed: " + kepler::to_string(again.error());
    else {
      auto second = read_all(**again);
      if (!second)
        why = "the second read failed: " + kepler::to_string(second.error());
      else if (*second != expected)
        why = "the second open does not hold the new write and what the first recovered";
    }
    if (!why.empty()) {
      ++t->silent_loss;
      note(&t->example, where + ": " + why);
      return;
    }
    ++t->ok;
  } catch (const std::exception& e) {
    dog.disarm();
    ++t->crashes;
    note(&t->example, where + ": exception: " + e.what());
  }
  dog.disarm();
}

void print(const char* name, power_loss_mode mode, const tally& t) {
  std::printf(
      "power loss (%s) %-13s: states=%d ok=%d lost_acked=%d holes=%d phantom=%d wrong_value=%d "
      "silent_loss=%d crashes=%d hangs=0 refused_open=%d open_errors=%d read_errors=%d "
      "new_write_checked=%d\n",
      name, to_string(mode), t.states, t.ok, t.lost_acked, t.holes, t.phantom, t.wrong_value,
      t.silent_loss, t.crashes, t.refused_open, t.open_errors, t.read_errors, t.new_writes);
  if (!t.example.empty()) std::printf("  first violation: %s\n", t.example.c_str());
  if (!t.refused_example.empty())
    std::printf("  first refused open: %s\n", t.refused_example.c_str());
}

// Records one run with `opts`, checks every (default: a sample of) cut state in every mode, and
// returns the tallies by mode.
// Cuts the recorded run of `plan` at file operations and checks each state. `random_cuts` 0:
// every operation in soak mode, about 40 per mode otherwise; else that many cuts at random
// operations, each in a random mode.
std::vector<tally> enumerate(const std::string& name, const kepler::options& opts,
                             int min_manifests, const std::vector<step>& plan = make_workload(),
                             std::size_t random_cuts = 0) {
  watchdog dog(std::chrono::seconds(30));

  // One run, recorded.
  memory_file_system live;
  live.record_trace(true);
  dog.arm("the recorded run");
  const auto run = run_workload(live, plan, opts);
  dog.disarm();
  REQUIRE_MESSAGE(run.opened, kepler::to_string(run.open_error));
  REQUIRE_MESSAGE(!run.compact_failed, kepler::to_string(run.compact_error));
  REQUIRE(!run.close_failed);
  for (const auto& w : run.writes) REQUIRE_MESSAGE(w.ok, kepler::to_string(w.error));
  const auto trace = live.trace();
  const std::size_t n_ops = trace.size();

  // The run did what the enumeration is meant to cover: flushes, a MANIFEST roll, compactions.
  int tables = 0, manifests = 0, tables_removed = 0, syncs = 0;
  for (const auto& op : trace) {
    if (op.kind == fs_op::new_file && ends_with(op.path, ".sst")) ++tables;
    if (op.kind == fs_op::new_file && op.path.find("MANIFEST-") != std::string::npos) ++manifests;
    if (op.kind == fs_op::remove && ends_with(op.path, ".sst")) ++tables_removed;
    if (op.kind == fs_op::sync) ++syncs;
  }
  std::size_t synced_writes = 0;
  for (std::size_t i = 0; i < run.writes.size(); ++i)
    if (plan[run.writes[i].step].sync) ++synced_writes;
  std::printf(
      "power loss (%s): recorded run of %zu writes (%zu synced): %zu file operations, %d syncs, %d "
      "table files made, %d removed (compactions), %d MANIFESTs\n",
      name.c_str(), run.writes.size(), synced_writes, n_ops, syncs, tables, tables_removed,
      manifests);
  CHECK(tables >= 3);
  CHECK(tables_removed >= 2);
  CHECK(manifests >= min_manifests);

  // Cut bounds from the acknowledgements: at the cut before op n (tick T), every write up to the
  // last sync write acknowledged before T must survive; at most the writes sent before T may.
  auto bounds = [&](std::size_t n, std::size_t* must, std::size_t* may) {
    const std::uint64_t t = n < n_ops ? trace[n].tick : ~std::uint64_t{0};
    *must = 0;
    *may = 0;
    for (std::size_t i = 0; i < run.writes.size(); ++i) {
      if (run.writes[i].acked < t && plan[run.writes[i].step].sync) *must = i + 1;
      if (run.writes[i].sent < t) *may = i + 1;
    }
  };

  const bool soak = soak_mode();
  // Default run: about 40 cuts per mode, each mode at other cuts; soak: every cut, every mode.
  const std::size_t stride = soak ? 1 : std::max<std::size_t>(1, (n_ops + 1) / 40);
  const int new_write_every = soak ? 1 : 4;
  tally tallies[power_loss_mode_count];
  trace_replay replay(trace);
  int sampled = 0;
  // Random cuts: sorted, since the replay only moves forward.
  std::vector<std::pair<std::size_t, int>> picks;
  if (random_cuts > 0) {
    std::mt19937_64 pick_rng(n_ops * 31 + random_cuts);
    for (std::size_t i = 0; i < random_cuts; ++i)
      picks.emplace_back(pick_rng() % (n_ops + 1),
                         static_cast<int>(pick_rng() % power_loss_mode_count));
    std::sort(picks.begin(), picks.end());
  }
  std::size_t next_pick = 0;
  for (std::size_t n = 0; n <= n_ops; ++n) {
    if (random_cuts > 0 && (next_pick == picks.size() || picks[next_pick].first != n)) continue;
    bool picked_modes[power_loss_mode_count] = {};
    while (random_cuts > 0 && next_pick < picks.size() && picks[next_pick].first == n)
      picked_modes[picks[next_pick++].second] = true;
    REQUIRE(replay.advance_to(n));
    std::size_t must = 0, may = 0;
    bounds(n, &must, &may);
    for (int m = 0; m < power_loss_mode_count; ++m) {
      if (random_cuts > 0) {
        if (!picked_modes[m]) continue;
      } else if (!soak &&
                 (n + static_cast<std::size_t>(m) * stride / power_loss_mode_count) % stride != 0 &&
                 n != n_ops)
        continue;
      const auto mode = static_cast<power_loss_mode>(m);
      std::mt19937_64 rng(n * 7919 + static_cast<std::uint64_t>(m));
      const std::string where =
          "cut before op " + std::to_string(n) + " of " + std::to_string(n_ops) +
          (n < n_ops ? " (" + describe(trace[n]) + ")" : "") + ", " + to_string(mode);
      check_state(plan, opts, replay.disk().power_loss(mode, rng), must, may,
                  sampled++ % new_write_every == 0, where, dog, &tallies[m]);
    }
  }

  int total = 0;
  for (int m = 0; m < power_loss_mode_count; ++m) {
    print(name.c_str(), static_cast<power_loss_mode>(m), tallies[m]);
    total += tallies[m].states;
  }
  MESSAGE(name << ": " << total << " power-loss states of " << n_ops << " file operations checked");
  return std::vector<tally>(tallies, tallies + power_loss_mode_count);
}

// The promise, for every count but refused_open.
void check_promise(const tally& t, power_loss_mode mode) {
  INFO("mode " << to_string(mode) << ": " << t.example);
  CHECK(t.states > 0);
  CHECK(t.lost_acked == 0);
  CHECK(t.holes == 0);
  CHECK(t.phantom == 0);
  CHECK(t.wrong_value == 0);
  CHECK(t.silent_loss == 0);
  CHECK(t.crashes == 0);
  CHECK(t.open_errors == 0);
  CHECK(t.read_errors == 0);
  CHECK(t.ok + t.refused_open == t.states);
}

}  // namespace

TEST_CASE(
    "power loss after any file operation of a recorded run keeps every synced write and "
    "a prefix of the rest" *
    doctest::test_suite("soak")) {
  // 12 KiB memtables: two dozen flushes, compactions, a MANIFEST roll. Every log stays within
  // its first 32 KiB block but for the one record that crosses the switch threshold.
  const auto tallies = enumerate("12 KiB memtables", workload_options(12 * 1024), 3);
  // (3 MANIFESTs: the creation's, the open's, and at least one roll.)
  for (int m = 0; m < power_loss_mode_count; ++m) {
    const auto mode = static_cast<power_loss_mode>(m);
    check_promise(tallies[m], mode);
    INFO("mode " << to_string(mode) << ": " << tallies[m].refused_example);
    CHECK(tallies[m].refused_open == 0);
  }
}

TEST_CASE(
    "power loss at random points of a long workload keeps every synced write and a prefix of "
    "the rest" *
    doctest::test_suite("soak")) {
  // The soak tier's long run: 5,000 writes (a few hundred flushes and compactions, several
  // MANIFEST rolls), cut at 600 random file operations in random modes; the default run
  // takes 1,200 writes and 40 cuts.
  const bool soak = soak_mode();
  const auto plan = make_workload(soak ? 5000 : 1200, 77);
  const auto tallies =
      enumerate("long workload", workload_options(12 * 1024), 3, plan, soak ? 600 : 40);
  for (int m = 0; m < power_loss_mode_count; ++m) {
    const auto mode = static_cast<power_loss_mode>(m);
    INFO("mode " << to_string(mode) << ": " << tallies[m].example);
    CHECK(tallies[m].lost_acked == 0);
    CHECK(tallies[m].holes == 0);
    CHECK(tallies[m].phantom == 0);
    CHECK(tallies[m].wrong_value == 0);
    CHECK(tallies[m].silent_loss == 0);
    CHECK(tallies[m].crashes == 0);
    CHECK(tallies[m].refused_open == 0);
    CHECK(tallies[m].ok == tallies[m].states);
  }
}

TEST_CASE(
    "power loss in logs longer than a block keeps every synced write and a prefix of the "
    "rest" *
    doctest::test_suite("soak")) {
  // 80 KiB memtables: logs of several 32 KiB blocks, whose unsynced tail can cross a block
  // boundary, so a power loss that writes back a later block's pages but not an earlier one's
  // leaves damage followed by valid records in the newest log.
  const auto tallies = enumerate("80 KiB memtables", workload_options(80 * 1024), 2);
  for (int m = 0; m < power_loss_mode_count; ++m) {
    const auto mode = static_cast<power_loss_mode>(m);
    check_promise(tallies[m], mode);
    INFO("mode " << to_string(mode) << ": " << tallies[m].refused_example);
    // Out-of-order page writeback leaves damage followed by valid records in the newest log;
    // recovery_mode point_in_time (the default) reads it up to the first damage and drops the
    // rest, which is a prefix of the writes: no mode may refuse the open.
    CHECK(tallies[m].refused_open == 0);
  }
}
