#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "storage_format/memtable/memtable.hpp"

using namespace kepler::storage;
using lookup = memtable::lookup;

namespace {

constexpr std::size_t max_value_bytes = std::size_t{64} << 20;

std::string ikey(std::string_view user_key, sequence_number seq, value_type type) {
  std::string out;
  append_internal_key(&out, user_key, seq, type);
  return out;
}

}  // namespace

TEST_CASE("an empty memtable finds nothing") {
  memtable t;
  std::string v;
  CHECK(t.get("k", max_sequence_number, &v) == lookup::absent);
  CHECK(t.get("", max_sequence_number, &v) == lookup::absent);
  CHECK(t.entry_count() == 0);
  memtable::iterator it(&t);
  it.seek_to_first();
  CHECK_FALSE(it.valid());
}

TEST_CASE("a lookup as of an older sequence sees the older value") {
  memtable t;
  t.add(1, value_type::value, "k", "v1");
  t.add(5, value_type::value, "k", "v5");
  t.add(9, value_type::deletion, "k", "");
  t.add(12, value_type::value, "k", "v12");
  std::string v;
  CHECK(t.get("k", 0, &v) == lookup::absent);
  for (sequence_number s = 1; s < 5; ++s) {
    CAPTURE(s);
    REQUIRE(t.get("k", s, &v) == lookup::found);
    CHECK(v == "v1");
  }
  for (sequence_number s = 5; s < 9; ++s) {
    CAPTURE(s);
    REQUIRE(t.get("k", s, &v) == lookup::found);
    CHECK(v == "v5");
  }
  CHECK(t.get("k", 9, &v) == lookup::deleted);
  CHECK(t.get("k", 11, &v) == lookup::deleted);
  REQUIRE(t.get("k", 12, &v) == lookup::found);
  CHECK(v == "v12");
}

TEST_CASE("a deletion marker hides older values from lookups at or after it") {
  memtable t;
  t.add(3, value_type::value, "gone", "old");
  t.add(4, value_type::deletion, "gone", "");
  std::string v = "untouched";
  CHECK(t.get("gone", max_sequence_number, &v) == lookup::deleted);
  CHECK(v == "untouched");
  CHECK(t.get("gone", 3, &v) == lookup::found);
  CHECK(v == "old");
}

TEST_CASE("the newest overwrite wins for the latest snapshot") {
  memtable t;
  for (sequence_number s = 1; s <= 100; ++s) t.add(s, value_type::value, "key", std::to_string(s));
  std::string v;
  REQUIRE(t.get("key", max_sequence_number, &v) == lookup::found);
  CHECK(v == "100");
  REQUIRE(t.get("key", 50, &v) == lookup::found);
  CHECK(v == "50");
  CHECK(t.entry_count() == 100);
}

TEST_CASE("a snapshot beyond the largest sequence number reads the newest version") {
  memtable t;
  t.add(max_sequence_number, value_type::value, "k", "last");
  std::string v;
  REQUIRE(t.get("k", std::numeric_limits<std::uint64_t>::max(), &v) == lookup::found);
  CHECK(v == "last");
}

TEST_CASE("a lookup matches the whole user key, not a prefix or a neighbour") {
  memtable t;
  t.add(1, value_type::value, "k", "v");
  std::string v;
  CHECK(t.get("", 10, &v) == lookup::absent);
  CHECK(t.get("j", 10, &v) == lookup::absent);
  CHECK(t.get("ka", 10, &v) == lookup::absent);
  CHECK(t.get(std::string("k\0", 2), 10, &v) == lookup::absent);
  CHECK(t.get("l", 10, &v) == lookup::absent);
}

TEST_CASE("empty keys and keys with NUL bytes are distinct keys") {
  const std::vector<std::string> keys = {
      "",  std::string("\0", 1),  std::string("\0\0", 2),   std::string("a\0b", 3),
      "a", std::string("a\0", 2), std::string("\xff\0", 2),
  };
  memtable t;
  sequence_number seq = 1;
  for (const auto& k : keys) t.add(seq++, value_type::value, k, "value of " + k);
  for (const auto& k : keys) {
    CAPTURE(k.size());
    std::string v;
    REQUIRE(t.get(k, max_sequence_number, &v) == lookup::found);
    CHECK(v == "value of " + k);
  }
}

TEST_CASE("empty values are values, not deletions") {
  memtable t;
  t.add(1, value_type::value, "k", "");
  std::string v = "x";
  REQUIRE(t.get("k", 1, &v) == lookup::found);
  CHECK(v.empty());
}

TEST_CASE("a value of the largest allowed size is stored whole") {
  std::string big(max_value_bytes, 'b');
  big.front() = 'F';
  big.back() = 'L';
  memtable t;
  t.add(1, value_type::value, "small", "s");
  t.add(2, value_type::value, "big", big);
  t.add(3, value_type::value, "small2", "s2");
  std::string v;
  REQUIRE(t.get("big", 2, &v) == lookup::found);
  CHECK(v == big);
  REQUIRE(t.get("small2", 3, &v) == lookup::found);
  CHECK(v == "s2");
  CHECK(t.approximate_bytes() >= max_value_bytes);
}

TEST_CASE("the iterator yields every version in internal-key order") {
  constexpr int entries = 3000;
  constexpr int distinct_keys = 300;
  std::mt19937 rng(99);
  memtable t;
  struct expected_entry {
    std::string ikey;
    std::string value;
  };
  std::vector<expected_entry> expected;
  for (int i = 0; i < entries; ++i) {
    const std::string key = "key" + std::to_string(rng() % distinct_keys);
    const auto seq = static_cast<sequence_number>(i + 1);
    const value_type type = rng() % 4 == 0 ? value_type::deletion : value_type::value;
    const std::string value = type == value_type::value ? "v" + std::to_string(i) : "";
    t.add(seq, type, key, value);
    expected.push_back({ikey(key, seq, type), value});
  }
  std::sort(expected.begin(), expected.end(),
            [](const auto& a, const auto& b) { return compare_internal_keys(a.ikey, b.ikey) < 0; });

  memtable::iterator it(&t);
  it.seek_to_first();
  for (const auto& e : expected) {
    REQUIRE(it.valid());
    CHECK(it.internal_key() == e.ikey);
    CHECK(it.value() == e.value);
    it.next();
  }
  CHECK_FALSE(it.valid());

  // Seeking to an entry's own internal key lands on it.
  for (std::size_t i = 0; i < expected.size(); i += expected.size() / 10) {
    it.seek(expected[i].ikey);
    REQUIRE(it.valid());
    CHECK(it.internal_key() == expected[i].ikey);
  }
  // Seeking past every version of the largest key ends the iteration.
  it.seek(ikey("key999", 0, value_type::deletion));
  CHECK_FALSE(it.valid());
}

TEST_CASE("the iterator walks every version backwards from the last entry") {
  constexpr int entries = 2000;
  constexpr int distinct_keys = 200;
  std::mt19937 rng(7);
  memtable t;
  std::vector<std::string> expected;
  for (int i = 0; i < entries; ++i) {
    const std::string key = "key" + std::to_string(rng() % distinct_keys);
    const auto seq = static_cast<sequence_number>(i + 1);
    t.add(seq, value_type::value, key, "v" + std::to_string(i));
    expected.push_back(ikey(key, seq, value_type::value));
  }
  std::sort(expected.begin(), expected.end(),
            [](const auto& a, const auto& b) { return compare_internal_keys(a, b) < 0; });

  memtable::iterator it(&t);
  it.seek_to_last();
  for (auto e = expected.rbegin(); e != expected.rend(); ++e) {
    REQUIRE(it.valid());
    CHECK(it.internal_key() == *e);
    it.prev();
  }
  CHECK_FALSE(it.valid());

  // prev and next undo each other anywhere in the middle.
  it.seek(expected[entries / 2]);
  it.prev();
  REQUIRE(it.valid());
  CHECK(it.internal_key() == expected[entries / 2 - 1]);
  it.next();
  REQUIRE(it.valid());
  CHECK(it.internal_key() == expected[entries / 2]);
}

TEST_CASE("an empty memtable has no last entry") {
  memtable t;
  memtable::iterator it(&t);
  it.seek_to_last();
  CHECK_FALSE(it.valid());
}

TEST_CASE("a backward walk while the writer adds stays in order and sees every earlier entry") {
  // The writer adds keys in a shuffled order while a reader walks backwards from the end again
  // and again: every walk must be strictly descending and hold every entry that was published
  // before the walk started. Every batch of entries waits for a new walk to start, so walks
  // run against many sizes of the list while the writer is adding.
  constexpr int entries = 20000;
  constexpr int batch = 1000;
  memtable t;
  std::vector<int> order(entries);
  for (int i = 0; i < entries; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(3));
  auto key_of = [](int i) {
    std::string k = std::to_string(i);
    return std::string(6 - k.size(), '0') + k;
  };
  std::atomic<int> published{0};  // order[0, published) have been added
  std::atomic<int> walks_started{0};
  std::atomic<bool> done{false};
  int overlapping = 0;  // walks during which the writer added entries
  int errors = 0;
  std::thread reader([&] {
    std::vector<bool> seen(entries);
    for (bool last_round = false; !last_round;) {
      last_round = done.load(std::memory_order_acquire);
      const int before = published.load(std::memory_order_acquire);
      walks_started.fetch_add(1, std::memory_order_release);
      std::fill(seen.begin(), seen.end(), false);
      memtable::iterator it(&t);
      std::string previous;
      for (it.seek_to_last(); it.valid(); it.prev()) {
        const std::string k(it.internal_key());
        if (!previous.empty() && compare_internal_keys(k, previous) >= 0) ++errors;
        seen[std::stoi(k.substr(0, 6))] = true;
        previous = k;
      }
      for (int i = 0; i < before; ++i)
        if (!seen[order[i]]) ++errors;
      if (published.load(std::memory_order_acquire) != before) ++overlapping;
    }
  });
  for (int i = 0; i < entries; ++i) {
    if (i % batch == 0) {
      const int walks = walks_started.load(std::memory_order_acquire);
      while (walks_started.load(std::memory_order_acquire) == walks) std::this_thread::yield();
    }
    t.add(static_cast<sequence_number>(i + 1), value_type::value, key_of(order[i]), "v");
    published.store(i + 1, std::memory_order_release);
  }
  done.store(true, std::memory_order_release);
  reader.join();
  MESSAGE(walks_started.load() << " backward walks, " << overlapping << " of them while the "
                               << entries << " entries were being added; " << errors << " errors");
  CHECK(walks_started.load() >= entries / batch);
  CHECK(errors == 0);
}

TEST_CASE("approximate_bytes grows as entries are added") {
  constexpr int entries = 1000;
  memtable t;
  std::size_t last = t.approximate_bytes();
  std::size_t increases = 0;
  for (int i = 0; i < entries; ++i) {
    t.add(static_cast<sequence_number>(i + 1), value_type::value, "key" + std::to_string(i),
          std::string(100, 'v'));
    const std::size_t now = t.approximate_bytes();
    CHECK(now >= last);
    if (now > last) ++increases;
    last = now;
  }
  CHECK(increases > 0);
  // At least the keys and values themselves.
  CHECK(last >= entries * 100);
  CHECK(t.entry_count() == entries);
}

TEST_CASE("readers looking up while the writer adds see every published entry") {
  constexpr int entries = 20000;
  constexpr int reader_count = 2;
  memtable t;
  // The last sequence the writer has finished adding, as a memtable_owner would publish it.
  std::atomic<sequence_number> visible{0};
  std::atomic<bool> done{false};
  std::vector<int> errors(reader_count, 0);
  std::vector<int> lookups(reader_count, 0);

  auto reader = [&](int id) {
    std::mt19937 rng(static_cast<unsigned>(id));
    std::string v;
    for (bool last_round = false; !last_round;) {
      last_round = done.load(std::memory_order_acquire);
      const sequence_number snap = visible.load(std::memory_order_acquire);
      if (snap == 0) continue;
      const sequence_number seq = 1 + rng() % snap;
      const std::string key = "k" + std::to_string(seq);
      if (t.get(key, snap, &v) != lookup::found || v != std::to_string(seq)) ++errors[id];
      // An entry newer than the snapshot is invisible even if the writer has added it.
      if (t.get("k" + std::to_string(snap + 1), snap, &v) != lookup::absent) ++errors[id];
      ++lookups[id];
    }
  };
  std::vector<std::thread> readers;
  for (int id = 0; id < reader_count; ++id) readers.emplace_back(reader, id);
  for (sequence_number s = 1; s <= entries; ++s) {
    t.add(s, value_type::value, "k" + std::to_string(s), std::to_string(s));
    visible.store(s, std::memory_order_release);
  }
  done.store(true, std::memory_order_release);
  for (auto& r : readers) r.join();
  for (int id = 0; id < reader_count; ++id) {
    MESSAGE("reader " << id << ": " << lookups[id] << " lookups, " << errors[id] << " errors");
    CHECK(errors[id] == 0);
  }
}
