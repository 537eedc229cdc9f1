#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <numeric>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "storage_format/memtable/skiplist.hpp"
#include "storage_format/util/arena.hpp"

using namespace kepler::storage;

namespace {

using test_key = std::uint64_t;

struct u64_compare {
  int operator()(const test_key& a, const test_key& b) const {
    return a < b ? -1 : (a > b ? 1 : 0);
  }
};

using u64_list = skiplist<test_key, u64_compare>;

}  // namespace

TEST_CASE("an empty skiplist has nothing to find or iterate") {
  arena a;
  u64_list list(u64_compare{}, &a);
  CHECK_FALSE(list.contains(10));
  u64_list::iterator it(&list);
  CHECK_FALSE(it.valid());
  it.seek_to_first();
  CHECK_FALSE(it.valid());
  it.seek_to_last();
  CHECK_FALSE(it.valid());
  it.seek(100);
  CHECK_FALSE(it.valid());
}

TEST_CASE("a skiplist behaves like std::set for inserts, lookups and every iterator move") {
  constexpr int inserts = 2000;
  constexpr test_key key_range = 5000;
  constexpr int probes = 2000;
  std::mt19937_64 rng(42);
  arena a;
  u64_list list(u64_compare{}, &a);
  std::set<test_key> model;
  for (int i = 0; i < inserts; ++i) {
    const test_key k = rng() % key_range;
    if (model.insert(k).second) list.insert(k);
  }
  for (test_key k = 0; k < key_range; ++k) CHECK(list.contains(k) == (model.count(k) == 1));

  SUBCASE("forward from the first key visits the model's keys in order") {
    u64_list::iterator it(&list);
    it.seek_to_first();
    for (test_key k : model) {
      REQUIRE(it.valid());
      CHECK(it.key() == k);
      it.next();
    }
    CHECK_FALSE(it.valid());
  }
  SUBCASE("backward from the last key visits the model's keys in reverse") {
    u64_list::iterator it(&list);
    it.seek_to_last();
    for (auto m = model.rbegin(); m != model.rend(); ++m) {
      REQUIRE(it.valid());
      CHECK(it.key() == *m);
      it.prev();
    }
    CHECK_FALSE(it.valid());
  }
  SUBCASE("seek lands on the model's lower bound, and next and prev agree from there") {
    u64_list::iterator it(&list);
    for (int i = 0; i < probes; ++i) {
      const test_key target = rng() % (key_range + 10);
      auto m = model.lower_bound(target);
      it.seek(target);
      if (m == model.end()) {
        CHECK_FALSE(it.valid());
        continue;
      }
      REQUIRE(it.valid());
      CHECK(it.key() == *m);
      it.prev();
      if (m == model.begin()) {
        CHECK_FALSE(it.valid());
      } else {
        REQUIRE(it.valid());
        CHECK(it.key() == *std::prev(m));
        it.next();
        REQUIRE(it.valid());
        CHECK(it.key() == *m);
      }
    }
  }
}

TEST_CASE("skiplist nodes live in the arena, whose usage grows with inserts") {
  constexpr test_key inserts = 10000;
  arena a;
  u64_list list(u64_compare{}, &a);
  const std::size_t before = a.memory_usage();
  for (test_key k = 0; k < inserts; ++k) list.insert(k);
  // Every node holds at least its key and one link.
  CHECK(a.memory_usage() >= before + inserts * (sizeof(test_key) + sizeof(void*)));
}

TEST_CASE("concurrent skiplist readers see keys in order and never lose a key once seen") {
  constexpr test_key key_count = 200000;
  constexpr int reader_count = 3;
  constexpr int scan_steps = 64;
  constexpr int recheck_samples = 8;
  constexpr int full_scan_every = 256;

  // Shuffled, so every insert splices somewhere in the middle of the list.
  std::vector<test_key> order(key_count);
  std::iota(order.begin(), order.end(), test_key{0});
  std::shuffle(order.begin(), order.end(), std::mt19937_64(7));

  arena a;
  u64_list list(u64_compare{}, &a);
  // How many of `order` are fully inserted: a key below this index must be visible.
  std::atomic<std::size_t> published{0};
  std::atomic<bool> done{false};

  struct reader_stats {
    std::uint64_t keys_seen = 0;
    std::uint64_t rounds = 0;
    std::uint64_t full_scans = 0;
    std::uint64_t errors = 0;
  };
  std::vector<reader_stats> stats(reader_count);

  auto reader = [&](int id) {
    reader_stats& st = stats[static_cast<std::size_t>(id)];
    std::mt19937_64 rng(static_cast<std::uint64_t>(id) + 100);
    std::vector<char> seen(key_count, 0);
    std::vector<test_key> seen_list;
    u64_list::iterator it(&list);
    auto note = [&](test_key k) {
      ++st.keys_seen;
      if (!seen[k]) {
        seen[k] = 1;
        seen_list.push_back(k);
      }
    };
    auto full_scan = [&] {
      const std::size_t must_have = published.load(std::memory_order_acquire);
      std::size_t n = 0;
      bool first = true;
      test_key last = 0;
      for (it.seek_to_first(); it.valid(); it.next()) {
        if (!first && it.key() <= last) ++st.errors;
        last = it.key();
        first = false;
        note(last);
        ++n;
      }
      if (n < must_have || n < seen_list.size()) ++st.errors;
      ++st.full_scans;
    };
    for (bool last_round = false; !last_round;) {
      last_round = done.load(std::memory_order_acquire);
      ++st.rounds;

      // Forward from a random place: in order, and at or after the target.
      const test_key target = rng() % key_count;
      it.seek(target);
      for (int step = 0; step < scan_steps && it.valid(); ++step) {
        const test_key k = it.key();
        if (k < target) ++st.errors;
        note(k);
        it.next();
        if (it.valid() && it.key() <= k) ++st.errors;
      }
      // Backward from the end: in reverse order.
      it.seek_to_last();
      for (int step = 0; step < scan_steps && it.valid(); ++step) {
        const test_key k = it.key();
        note(k);
        it.prev();
        if (it.valid() && it.key() >= k) ++st.errors;
      }
      // What was seen, or what the writer has finished, stays visible.
      for (int i = 0; i < recheck_samples && !seen_list.empty(); ++i) {
        const test_key k = seen_list[rng() % seen_list.size()];
        if (!list.contains(k)) ++st.errors;
      }
      const std::size_t p = published.load(std::memory_order_acquire);
      if (p > 0) {
        const test_key k = order[rng() % p];
        it.seek(k);
        if (!it.valid() || it.key() != k) ++st.errors;
      }
      if (st.rounds % full_scan_every == 0 || last_round) full_scan();
    }
  };

  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> readers;
  for (int id = 0; id < reader_count; ++id) readers.emplace_back(reader, id);
  for (std::size_t i = 0; i < order.size(); ++i) {
    list.insert(order[i]);
    published.store(i + 1, std::memory_order_release);
  }
  done.store(true, std::memory_order_release);
  for (auto& t : readers) t.join();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();

  for (int id = 0; id < reader_count; ++id) {
    const reader_stats& st = stats[static_cast<std::size_t>(id)];
    MESSAGE("reader " << id << ": " << st.rounds << " rounds, " << st.full_scans << " full scans, "
                      << st.keys_seen << " keys seen, " << st.errors << " errors");
    CHECK(st.errors == 0);
    CHECK(st.full_scans > 0);
  }
  MESSAGE(key_count << " keys inserted under " << reader_count << " readers in " << ms << " ms");

  u64_list::iterator it(&list);
  test_key expected = 0;
  for (it.seek_to_first(); it.valid(); it.next()) {
    if (it.key() != expected) break;
    ++expected;
  }
  CHECK(expected == key_count);
}
