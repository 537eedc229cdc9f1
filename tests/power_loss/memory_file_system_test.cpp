// The memory file system's power-loss and fault semantics, and the judge the enumeration uses:
// each must be able to tell a broken state from a sound one, or the enumeration proves nothing.

#include <doctest/doctest.h>

#include <memory>
#include <random>
#include <string>

#include "api/src/open_with_file_system.hpp"
#include "kepler/db.hpp"
#include "power_loss/memory_file_system.hpp"
#include "power_loss/workload.hpp"

using namespace kepler::test;
using namespace kepler::test::power;

namespace {

std::unique_ptr<kepler::storage::writable_file> new_file(memory_file_system& fs,
                                                         const std::string& path) {
  std::unique_ptr<kepler::storage::writable_file> f;
  REQUIRE(fs.new_writable_file(path, &f).is_ok());
  return f;
}

// The contents of `path` after a power loss in `mode`, or "<missing>".
std::string after_loss(const memory_file_system& fs, const std::string& path, power_loss_mode mode,
                       std::uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  auto disk = fs.disk().power_loss(mode, rng);
  auto node = disk.file(path);
  return node ? node->data : "<missing>";
}

}  // namespace

TEST_CASE("a power loss keeps synced data of files whose directory entry was synced") {
  memory_file_system fs;
  REQUIRE(fs.create_dir("/d").is_ok());
  REQUIRE(fs.sync_dir("/").is_ok());
  auto f = new_file(fs, "/d/a");
  REQUIRE(f->append("hello").is_ok());
  REQUIRE(f->sync().is_ok());
  REQUIRE(f->append(" world").is_ok());
  // The creation is not durable until /d is synced.
  CHECK(after_loss(fs, "/d/a", power_loss_mode::drop_unsynced) == "<missing>");
  REQUIRE(fs.sync_dir("/d").is_ok());
  CHECK(after_loss(fs, "/d/a", power_loss_mode::drop_unsynced) == "hello");
  CHECK(after_loss(fs, "/d/a", power_loss_mode::zero_tail) ==
        std::string("hello") + std::string(6, '\0'));
  auto garbage = after_loss(fs, "/d/a", power_loss_mode::garbage_tail);
  CHECK(garbage.size() == 11);
  CHECK(garbage.substr(0, 5) == "hello");
  int longer = 0;
  for (std::uint64_t seed = 1; seed < 50; ++seed) {
    auto p = after_loss(fs, "/d/a", power_loss_mode::keep_prefix, seed);
    CHECK(std::string("hello world").compare(0, p.size(), p) == 0);
    CHECK(p.size() >= 5);
    if (p.size() > 5) ++longer;
  }
  CHECK(longer > 0);
  // A directory that was never synced into its parent loses everything in it.
  REQUIRE(fs.create_dir("/e").is_ok());
  auto g = new_file(fs, "/e/b");
  REQUIRE(g->append("x").is_ok());
  REQUIRE(g->sync().is_ok());
  REQUIRE(fs.sync_dir("/e").is_ok());
  CHECK(after_loss(fs, "/e/b", power_loss_mode::drop_unsynced) == "<missing>");
  MESSAGE("synced data survives only with a durable entry; the unsynced tail as each mode says");
}

TEST_CASE("a power loss undoes renames and removals no directory sync made durable") {
  memory_file_system fs;
  REQUIRE(fs.create_dir("/d").is_ok());
  REQUIRE(fs.sync_dir("/").is_ok());
  auto old_file = new_file(fs, "/d/x");
  REQUIRE(old_file->append("old").is_ok());
  REQUIRE(old_file->sync().is_ok());
  REQUIRE(fs.sync_dir("/d").is_ok());
  auto tmp = new_file(fs, "/d/x.tmp");
  REQUIRE(tmp->append("new").is_ok());
  REQUIRE(tmp->sync().is_ok());
  REQUIRE(fs.rename_file("/d/x.tmp", "/d/x").is_ok());
  CHECK(after_loss(fs, "/d/x", power_loss_mode::drop_unsynced) == "old");
  CHECK(after_loss(fs, "/d/x.tmp", power_loss_mode::drop_unsynced) == "<missing>");
  REQUIRE(fs.sync_dir("/d").is_ok());
  CHECK(after_loss(fs, "/d/x", power_loss_mode::drop_unsynced) == "new");
  REQUIRE(fs.remove_file("/d/x").is_ok());
  CHECK_FALSE(fs.exists("/d/x"));
  CHECK(after_loss(fs, "/d/x", power_loss_mode::drop_unsynced) == "new");
  REQUIRE(fs.sync_dir("/d").is_ok());
  CHECK(after_loss(fs, "/d/x", power_loss_mode::drop_unsynced) == "<missing>");
}

TEST_CASE("out-of-order writeback keeps a random subset of the unsynced pages") {
  memory_file_system fs;
  REQUIRE(fs.sync_dir("/").is_ok());
  auto f = new_file(fs, "/a");
  REQUIRE(fs.sync_dir("/").is_ok());
  const std::string synced(1000, 's');
  std::string tail;
  for (int i = 0; i < 3 * 4096; ++i) tail.push_back(static_cast<char>('a' + i % 26));
  REQUIRE(f->append(synced).is_ok());
  REQUIRE(f->sync().is_ok());
  REQUIRE(f->append(tail).is_ok());
  const std::string full = synced + tail;
  int hole_then_data = 0;
  for (std::uint64_t seed = 1; seed < 64; ++seed) {
    auto got = after_loss(fs, "/a", power_loss_mode::keep_pages, seed);
    REQUIRE(got.size() >= synced.size());
    CHECK(got.compare(0, synced.size(), synced) == 0);
    CHECK(
        (got.size() % page_bytes == 0 || got.size() == full.size() || got.size() == synced.size()));
    bool zeroed_page = false, later_kept = false;
    for (std::uint64_t page = 0; page < got.size(); page += page_bytes) {
      const auto from = std::max<std::uint64_t>(page, synced.size());
      const auto to = std::min<std::uint64_t>(page + page_bytes, got.size());
      if (from >= to) continue;
      const auto part = got.substr(from, to - from);
      const bool kept = part == full.substr(from, to - from);
      const bool zero = part == std::string(to - from, '\0');
      CHECK((kept || zero));
      if (zero) zeroed_page = true;
      if (kept && zeroed_page) later_kept = true;
    }
    if (later_kept) ++hole_then_data;
  }
  CHECK(hole_then_data > 0);
  MESSAGE(hole_then_data << " of 63 power losses wrote a later page back without an earlier one");
}

TEST_CASE("the nth operation of a kind fails once or from then on, without touching the file") {
  memory_file_system fs;
  auto f = new_file(fs, "/a");
  fs.fail_nth(fs_op::append, 2, memory_file_system::repeat::once);
  CHECK(f->append("1").is_ok());
  auto failed = f->append("2");
  CHECK_FALSE(failed.is_ok());
  CHECK(failed.message().find("injected") != std::string::npos);
  CHECK(f->append("3").is_ok());
  std::string data;
  REQUIRE(fs.peek("/a", &data));
  CHECK(data == "13");
  fs.fail_nth(fs_op::sync, 1, memory_file_system::repeat::from_then_on);
  CHECK_FALSE(f->sync().is_ok());
  CHECK_FALSE(f->sync().is_ok());
  fs.disarm();
  CHECK(f->sync().is_ok());
  CHECK(fs.injections().size() == 3);
  CHECK(fs.counted(fs_op::append) == 3);
  std::unique_ptr<kepler::storage::file_lock> lock, second;
  REQUIRE(fs.lock_file("/LOCK", &lock).is_ok());
  CHECK(fs.lock_file("/LOCK", &second).code() == kepler::storage::status_code::locked);
  lock.reset();
  CHECK(fs.lock_file("/LOCK", &second).is_ok());
}

TEST_CASE("the judge tells lost, holes, torn batches, phantoms and wrong values from prefixes") {
  const auto plan = make_workload();
  std::vector<const step*> writes;
  for (const auto& s : plan)
    if (!s.compact) writes.push_back(&s);
  auto state_after = [&](std::size_t k) {
    kv_state s;
    for (std::size_t i = 0; i < k; ++i)
      for (const auto& op : writes[i]->ops)
        op.value ? (void)(s[op.key] = *op.value) : (void)s.erase(op.key);
    return s;
  };
  CHECK(judge(plan, state_after(50), 40, 60).ok);
  CHECK(judge(plan, state_after(40), 40, 40).ok);
  CHECK(judge(plan, state_after(39), 40, 60).lost_acked);
  // A later write without an earlier one: find a put whose key another put overwrote later
  // is not needed; skipping a put of a fresh key makes a hole.
  std::size_t skip = 0;
  for (std::size_t i = 10; i < 60 && skip == 0; ++i)
    if (!writes[i]->batch && writes[i]->ops[0].value) {
      bool written_again = false;
      for (std::size_t j = i + 1; j < 61; ++j)
        for (const auto& op : writes[j]->ops)
          if (op.key == writes[i]->ops[0].key) written_again = true;
      if (!written_again) skip = i;
    }
  REQUIRE(skip != 0);
  auto holed = state_after(61);
  auto before = state_after(skip);
  const auto& key = writes[skip]->ops[0].key;
  if (before.count(key))
    holed[key] = before[key];
  else
    holed.erase(key);
  auto v = judge(plan, holed, 0, 61);
  CHECK_FALSE(v.ok);
  CHECK(v.hole);
  // Half of a batch.
  std::size_t b = 0;
  for (std::size_t i = 5; i < writes.size() && b == 0; ++i)
    if (writes[i]->batch && writes[i]->ops.size() >= 2 && writes[i]->ops[0].value &&
        writes[i]->ops[1].key != writes[i]->ops[0].key)
      b = i;
  REQUIRE(b != 0);
  auto torn = state_after(b);
  torn[writes[b]->ops[0].key] = *writes[b]->ops[0].value;
  CHECK(judge(plan, torn, 0, b + 1).hole);
  auto phantom = state_after(30);
  phantom["k07"] = "w3/k07/never";
  CHECK(judge(plan, phantom, 0, 30).phantom);
  phantom = state_after(30);
  phantom["zz"] = "x";
  CHECK(judge(plan, phantom, 0, 30).phantom);
  // A value written for another key.
  auto wrong = state_after(30);
  std::string other_key, other_value;
  for (const auto& [k, val] : wrong)
    if (k != "k00") {
      other_key = k;
      other_value = val;
    }
  wrong["k00"] = other_value;
  CHECK(judge(plan, wrong, 0, 30).wrong_value);
}

TEST_CASE("the power-loss check finds lost writes when it demands writes that were not synced") {
  // The enumeration's bounds come from the acknowledgements; demanding every acknowledged
  // write, synced or not, must find losses after power losses that drop unsynced data.
  const auto plan = make_workload();
  const auto opts = workload_options();
  memory_file_system live;
  live.record_trace(true);
  auto run = run_workload(live, plan, opts);
  REQUIRE(run.opened);
  const auto trace = live.trace();
  trace_replay replay(trace);
  int states = 0, lost = 0;
  for (std::size_t n = trace.size() / 10; n < trace.size(); n += trace.size() / 10) {
    REQUIRE(replay.advance_to(n));
    std::size_t acked = 0, sent = 0;
    for (std::size_t i = 0; i < run.writes.size(); ++i) {
      if (run.writes[i].acked < trace[n].tick) acked = i + 1;
      if (run.writes[i].sent < trace[n].tick) sent = i + 1;
    }
    std::mt19937_64 rng(n);
    memory_file_system fs(replay.disk().power_loss(power_loss_mode::drop_unsynced, rng));
    auto opened = kepler::detail::open_with_file_system(fs, nullptr, store_dir, opts);
    REQUIRE_MESSAGE(opened, kepler::to_string(opened.error()));
    auto observed = read_all(**opened);
    REQUIRE(observed);
    ++states;
    if (judge(plan, *observed, acked, sent).lost_acked) ++lost;
  }
  MESSAGE(lost << " of " << states << " cut states lost acknowledged unsynced writes");
  CHECK(states >= 5);
  CHECK(lost > 0);
}
