// What a store reports about itself: write stalls and slowdowns under writes that outrun
// compaction, the named properties, and approximate sizes of key ranges.

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/store_checks.hpp"
#include "kepler/db.hpp"
#include "test_dir.hpp"

using kepler::ec;
using kepler::test::has_code;
using kepler::test::open_ok;
using kepler::test::stats_of;
using kepler::test::temp_dir;

namespace {

std::string padded_key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "key%07d", i);
  return buf;
}

// The property as a number; nullopt when it is not all digits.
std::optional<std::uint64_t> number_in(const std::string& text) {
  if (text.empty() ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoull(text);
}

std::uint64_t files_at_level(const kepler::db& store, int level) {
  auto text = store.property("kepler.num-files-at-level" + std::to_string(level));
  REQUIRE_MESSAGE(text, (text ? std::string() : kepler::to_string(text.error())));
  auto n = number_in(*text);
  REQUIRE_MESSAGE(n, "kepler.num-files-at-level" << level << " is \"" << *text << "\"");
  return *n;
}

}  // namespace

TEST_CASE(
    "writes that outrun compaction of a tiny level 0 never fail, and the stats show the "
    "waiting") {
  temp_dir dir;
  kepler::options opts;
  opts.memtable_bytes = 4096;
  opts.l0_compaction_trigger = 2;
  opts.l0_slowdown_trigger = 3;
  opts.l0_stop_trigger = 4;
  opts.target_file_size = 16 * 1024;
  opts.max_bytes_for_level_base = 64 * 1024;
  auto store = open_ok(dir.path(), opts);
  constexpr int writers = 2;
  constexpr int per_writer = 4000;
  const std::string value(200, 'x');
  std::atomic<int> failures{0};
  std::atomic<bool> writing{true};
  std::uint64_t most_level0 = 0, samples = 0, unreadable = 0;
  // Level 0 sampled all along: writes stop at l0_stop_trigger files, and the memtables already
  // sealed then may still land there.
  std::thread sampler([&] {
    while (writing.load()) {
      auto text = store->property("kepler.num-files-at-level0");
      auto files = text ? number_in(*text) : std::nullopt;
      if (files)
        most_level0 = std::max(most_level0, *files);
      else
        ++unreadable;
      ++samples;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < writers; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < per_writer; ++i)
        if (!store->insert(padded_key(t * per_writer + i), value)) ++failures;
    });
  for (auto& t : threads) t.join();
  writing = false;
  sampler.join();
  const auto s = stats_of(*store);
  MESSAGE("stalls: " << writers * per_writer << " writes of " << value.size() << " bytes, "
                     << failures.load() << " failed; " << s.flushes << " flushes, " << s.compactions
                     << " compactions; stalls=" << s.stalls << " stall_micros=" << s.stall_micros
                     << " slowdowns=" << s.slowdowns << " slowdown_micros=" << s.slowdown_micros
                     << "; level 0 at most " << most_level0 << " files in " << samples
                     << " samples");
  CHECK(failures == 0);
  CHECK(unreadable == 0);
  int present = 0;
  for (int i = 0; i < writers * per_writer; ++i)
    if (store->get(padded_key(i))->value_or("") == value) ++present;
  CHECK(present == writers * per_writer);
  CHECK(most_level0 <=
        static_cast<std::uint64_t>(opts.l0_stop_trigger) + opts.max_sealed_memtables);
  // The writes did reach the triggers (else this proves nothing), and waiting took time: a
  // slowdown delays its write group a millisecond.
  CHECK(s.stalls + s.slowdowns > 0);
  if (s.stalls > 0) CHECK(s.stall_micros > 0);
  CHECK(s.slowdown_micros >= s.slowdowns * 1000);
}

TEST_CASE("kepler.num-files-at-level<N> is a number for every level and agrees with stats()") {
  temp_dir dir;
  kepler::options opts;
  opts.memtable_bytes = 16 * 1024;
  opts.l0_compaction_trigger = 2;
  auto store = open_ok(dir.path(), opts);
  for (int i = 0; i < 3000; ++i) REQUIRE(store->insert(padded_key(i), kepler::test::value_of(i)));
  REQUIRE(store->compact_range(std::nullopt, std::nullopt));
  // One table on level 0 again, below the compaction trigger: a compaction of a range without
  // keys flushes the memtable and moves nothing, so the levels stay as they are while read.
  for (int i = 0; i < 150; ++i) REQUIRE(store->insert(padded_key(i), "again"));
  REQUIRE(store->compact_range(std::string_view("zzz"), std::string_view("zzzz")));
  const auto s = stats_of(*store);
  std::string counts;
  std::uint64_t total = 0;
  for (int level = 0; level < static_cast<int>(s.levels.size()); ++level) {
    const auto files = files_at_level(*store, level);
    counts += " L" + std::to_string(level) + "=" + std::to_string(files);
    total += files;
    CHECK(files == s.levels[static_cast<std::size_t>(level)].files);
  }
  MESSAGE("files per level:" << counts);
  CHECK(s.levels.size() == 7);
  CHECK(s.levels[0].files == 1);
  CHECK(total > 1);
  for (const char* bad : {"kepler.num-files-at-level7", "kepler.num-files-at-level-1",
                          "kepler.num-files-at-level", "kepler.num-files-at-level1x"}) {
    CAPTURE(bad);
    auto refused = store->property(bad);
    REQUIRE_FALSE(refused);
    CHECK(has_code(refused.error(), ec::invalid_argument));
  }
}

TEST_CASE("an unknown property is invalid_argument naming it") {
  temp_dir dir;
  auto store = open_ok(dir.path());
  for (const char* name : {"kepler.no-such-property", "leveldb.stats", "", "kepler."}) {
    CAPTURE(name);
    auto got = store->property(name);
    REQUIRE_FALSE(got);
    CHECK(has_code(got.error(), ec::invalid_argument));
    if (*name != '\0') CHECK(kepler::to_string(got.error()).find(name) != std::string::npos);
  }
  auto known = store->property("kepler.stats");
  REQUIRE(known);
  MESSAGE("kepler.stats: " << *known);
}

TEST_CASE("approximate_size grows with the key range and counts the tables' bytes") {
  temp_dir dir;
  kepler::options opts;
  opts.memtable_bytes = 64 * 1024;
  auto store = open_ok(dir.path(), opts);
  constexpr int keys = 10000;
  for (int i = 0; i < keys; ++i) REQUIRE(store->insert(padded_key(i), kepler::test::value_of(i)));
  // Every key in tables: the memtables are not counted.
  REQUIRE(store->compact_range(std::nullopt, std::nullopt));
  std::uint64_t table_bytes = 0;
  for (const auto& level : stats_of(*store).levels) table_bytes += level.bytes;
  auto size = [&](const std::string& from, const std::string& to) {
    auto got = store->approximate_size(from, to);
    REQUIRE_MESSAGE(got, (got ? std::string() : kepler::to_string(got.error())));
    return *got;
  };
  std::vector<std::uint64_t> growing;
  std::string figures;
  for (int end : {100, 1000, 2500, 5000, 7500, keys}) {
    growing.push_back(size(padded_key(0), padded_key(end)));
    figures += " [0, " + std::to_string(end) + ")=" + std::to_string(growing.back());
  }
  MESSAGE("approximate sizes:" << figures << "; tables hold " << table_bytes << " bytes");
  for (std::size_t i = 1; i < growing.size(); ++i) CHECK(growing[i] > growing[i - 1]);
  // The whole range is about every table's bytes (the index and filter at each table's end
  // are outside every key range); half the keys about half of that.
  CHECK(growing.back() <= table_bytes);
  CHECK(growing.back() >= table_bytes * 8 / 10);
  const auto half = size(padded_key(0), padded_key(keys / 2));
  CHECK(half >= growing.back() * 4 / 10);
  CHECK(half <= growing.back() * 6 / 10);
  // Nothing in an empty range, or beyond every key.
  CHECK(size(padded_key(500), padded_key(500)) == 0);
  CHECK(size("zzz", "zzzz") == 0);
  auto reversed = store->approximate_size(padded_key(5000), padded_key(10));
  REQUIRE_FALSE(reversed);
  CHECK(has_code(reversed.error(), ec::invalid_argument));
}
