// kepler::iterator and db::scan through the public API: bounds, seeks both ways, scans with a
// limit, an iterator's fixed view while the store changes under it, and the counts and status
// it reports. Each behaviour is checked on three layouts of the same content: all in the
// memtable, all in tables, and tables under a memtable whose newer versions and removals shadow
// them.

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/store_checks.hpp"
#include "kepler/db.hpp"
#include "test_dir.hpp"

using kepler::test::open_ok;
using kepler::test::stats_of;
using kepler::test::temp_dir;

namespace {

using content = std::map<std::string, std::string>;

// "k00" .. "k19" -> "v00" .. "v19".
std::string k(int i) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "k%02d", i);
  return buf;
}
std::string v(int i) {
  return "v" + k(i).substr(1);
}

content twenty_keys() {
  content c;
  for (int i = 0; i < 20; ++i) c[k(i)] = v(i);
  return c;
}

enum class layout { memtable, tables, tables_under_memtable };

std::string name_of(layout where) {
  switch (where) {
    case layout::memtable:
      return "all in the memtable";
    case layout::tables:
      return "all in tables";
    default:
      return "tables under a memtable that shadows them";
  }
}

constexpr layout layouts[] = {layout::memtable, layout::tables, layout::tables_under_memtable};

// A store in `dir` holding exactly `c`, laid out as `where` says. Under the shadowing layout
// the tables hold stale values of every key and a neighbour after each (key + "~"); the memtable
// holds the right values and the neighbours' removals.
std::unique_ptr<kepler::db> store_holding(const std::string& dir, const content& c, layout where) {
  auto store = open_ok(dir);
  if (where == layout::tables_under_memtable) {
    for (const auto& [key, value] : c) {
      REQUIRE(store->insert(key, "stale " + value));
      REQUIRE(store->insert(key + "~", "removed later"));
    }
    REQUIRE(store->compact_range(std::nullopt, std::nullopt));
  }
  for (const auto& [key, value] : c) {
    REQUIRE(store->insert(key, value));
    if (where == layout::tables_under_memtable) REQUIRE(store->remove(key + "~"));
  }
  if (where == layout::tables) REQUIRE(store->compact_range(std::nullopt, std::nullopt));
  return store;
}

std::unique_ptr<kepler::iterator> iterator_ok(const kepler::db& store,
                                              kepler::read_options ro = {}) {
  auto it = store.new_iterator(std::move(ro));
  REQUIRE_MESSAGE(it, (it ? std::string() : kepler::to_string(it.error())));
  return std::move(*it);
}

// The key the iterator is at, or "(none)" when it is not valid.
std::string at(const kepler::iterator& it) {
  return it.valid() ? std::string(it.key()) : std::string("(none)");
}

// The keys from the iterator's position on, walking forward (or backward).
std::vector<std::string> keys_from(kepler::iterator& it, bool forward = true) {
  std::vector<std::string> out;
  while (it.valid()) {
    out.emplace_back(it.key());
    forward ? it.next() : it.prev();
  }
  return out;
}

std::vector<std::string> keys_between(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back(k(i));
  return out;
}

}  // namespace

TEST_CASE(
    "an upper bound stops a walk before it, a lower bound starts it at it, and a seek "
    "below the lower bound lands on it") {
  for (auto where : layouts) {
    CAPTURE(name_of(where));
    temp_dir dir;
    auto store = store_holding(dir.path(), twenty_keys(), where);
    kepler::read_options ro;
    ro.lower_bound = k(5);
    ro.upper_bound = k(10);
    auto it = iterator_ok(*store, ro);
    it->seek_to_first();
    CHECK(keys_from(*it) == keys_between(5, 10));  // k05 included, k10 not
    it->seek_to_last();
    auto backward = keys_from(*it, false);
    CHECK(backward == std::vector<std::string>{k(9), k(8), k(7), k(6), k(5)});
    it->seek(k(0));
    CHECK(at(*it) == k(5));
    it->seek(k(10));
    CHECK_FALSE(it->valid());
    it->seek(k(7));
    CHECK(at(*it) == k(7));
    it->seek_for_prev(k(15));
    CHECK(at(*it) == k(9));
    it->seek_for_prev(k(4));
    CHECK_FALSE(it->valid());
    CHECK(it->status());

    // Bounds between keys: the first key after the lower one, the last one before the upper.
    kepler::read_options between;
    between.lower_bound = k(5) + "a";
    between.upper_bound = k(10) + "a";
    auto it2 = iterator_ok(*store, between);
    it2->seek_to_first();
    CHECK(keys_from(*it2) == keys_between(6, 11));
    it2->seek_to_last();
    CHECK(at(*it2) == k(10));
    MESSAGE(name_of(where) << ": [k05, k10) walks " << keys_between(5, 10).size()
                           << " keys forward and " << backward.size() << " backward");
  }
}

TEST_CASE("seek_for_prev lands on the last key at or before the target, past removed keys") {
  for (auto where : layouts) {
    CAPTURE(name_of(where));
    temp_dir dir;
    // Every other key: k00, k02, ..., k18.
    content c;
    for (int i = 0; i < 20; i += 2) c[k(i)] = v(i);
    auto store = store_holding(dir.path(), c, where);
    // k10 removed in the memtable, over whatever the layout put in tables.
    REQUIRE(store->remove(k(10)));
    auto it = iterator_ok(*store);
    it->seek_for_prev(k(4));  // a key: lands on it
    CHECK(at(*it) == k(4));
    it->seek_for_prev(k(5));  // between keys: the one before
    CHECK(at(*it) == k(4));
    CHECK(it->value() == v(4));
    it->seek_for_prev(k(11));  // k10 is removed
    CHECK(at(*it) == k(8));
    it->seek_for_prev(k(10));
    CHECK(at(*it) == k(8));
    it->next();  // over the removed key
    CHECK(at(*it) == k(12));
    it->prev();
    CHECK(at(*it) == k(8));
    it->seek_for_prev("a");  // before every key
    CHECK_FALSE(it->valid());
    it->seek_for_prev("z");  // after every key: the last
    CHECK(at(*it) == k(18));
    it->seek_for_prev(k(0));
    CHECK(at(*it) == k(0));
    it->prev();
    CHECK_FALSE(it->valid());
    CHECK(it->status());

    kepler::read_options ro;
    ro.upper_bound = k(14);
    auto bounded = iterator_ok(*store, ro);
    bounded->seek_for_prev("z");  // past the upper bound: the last key below it
    CHECK(at(*bounded) == k(12));
    bounded->seek_for_prev(k(14));
    CHECK(at(*bounded) == k(12));
  }
}

TEST_CASE(
    "db::scan returns the pairs from begin up to (not including) end in key order, at most limit "
    "of them") {
  for (auto where : layouts) {
    CAPTURE(name_of(where));
    temp_dir dir;
    auto store = store_holding(dir.path(), twenty_keys(), where);
    using pairs = std::vector<std::pair<std::string, std::string>>;
    auto expect = [](int from, int to) {
      pairs out;
      for (int i = from; i < to; ++i) out.emplace_back(k(i), v(i));
      return out;
    };
    auto scan = [&](std::optional<std::string> begin, std::optional<std::string> end,
                    std::size_t limit, kepler::read_options ro = {}) {
      std::optional<std::string_view> b, e;
      if (begin) b = *begin;
      if (end) e = *end;
      auto got = store->scan(b, e, limit, std::move(ro));
      REQUIRE_MESSAGE(got, (got ? std::string() : kepler::to_string(got.error())));
      return *got;
    };
    CHECK(scan(k(5), k(10), 0) == expect(5, 10));
    CHECK(scan(k(5), k(10), 3) == expect(5, 8));
    CHECK(scan(k(5), k(10), 100) == expect(5, 10));
    CHECK(scan(std::nullopt, k(3), 0) == expect(0, 3));
    CHECK(scan(k(17), std::nullopt, 0) == expect(17, 20));
    CHECK(scan(std::nullopt, std::nullopt, 0) == expect(0, 20));
    CHECK(scan(std::nullopt, std::nullopt, 1) == expect(0, 1));
    CHECK(scan(k(7), k(7), 0).empty());
    CHECK(scan(k(9), k(3), 0).empty());  // end before begin: nothing
    // Bounds in the read options narrow the range further.
    kepler::read_options narrower;
    narrower.lower_bound = k(7);
    narrower.upper_bound = k(9);
    CHECK(scan(k(5), k(10), 0, narrower) == expect(7, 9));
    kepler::read_options wider;
    wider.lower_bound = k(0);
    wider.upper_bound = k(19);
    CHECK(scan(k(5), k(10), 0, wider) == expect(5, 10));
    CHECK(stats_of(*store).open_iterators == 0);  // a scan leaves no iterator behind
  }
}

TEST_CASE(
    "an iterator keeps showing the state it was made at while writes, flushes and "
    "compactions go on") {
  temp_dir dir;
  kepler::options opts;
  opts.memtable_bytes = 4096;
  opts.l0_compaction_trigger = 2;
  opts.target_file_size = 16 * 1024;
  opts.max_bytes_for_level_base = 64 * 1024;
  auto store = open_ok(dir.path(), opts);
  constexpr int keys = 2000;
  content then;
  for (int i = 0; i < keys; ++i) {
    auto key = kepler::test::key_of(i);
    REQUIRE(store->insert(key, kepler::test::value_of(i)));
    then[key] = kepler::test::value_of(i);
  }
  const auto at_start = stats_of(*store);
  auto it = iterator_ok(*store);
  it->seek_to_first();
  // One step of the old iterator per write: every key overwritten, every third removed, new
  // keys added, and twice a compaction of the whole range.
  auto expected = then.begin();
  int seen = 0;
  auto step = [&] {
    if (!it->valid()) return;
    REQUIRE(expected != then.end());
    CHECK(it->key() == expected->first);
    CHECK(it->value() == expected->second);
    ++expected;
    ++seen;
    it->next();
  };
  for (int i = 0; i < keys; ++i) {
    auto key = kepler::test::key_of(i);
    if (i % 3 == 0)
      REQUIRE(store->remove(key));
    else
      REQUIRE(store->insert(key, "new " + std::to_string(i)));
    REQUIRE(store->insert("new " + key, "added"));
    step();
    if (i == keys / 2 || i == keys - 1) REQUIRE(store->compact_range(std::nullopt, std::nullopt));
  }
  while (it->valid()) step();
  CHECK(seen == keys);
  CHECK(expected == then.end());
  CHECK(it->status());
  // Back over the whole old state, after the compactions replaced every table it started on.
  it->seek_to_last();
  auto backward = keys_from(*it, false);
  CHECK(backward.size() == static_cast<std::size_t>(keys));
  CHECK((backward.empty() || backward.front() == then.rbegin()->first));
  const auto at_end = stats_of(*store);
  MESSAGE("the old iterator showed " << seen << " keys forward and " << backward.size()
                                     << " backward across " << at_end.flushes - at_start.flushes
                                     << " flushes and " << at_end.compactions - at_start.compactions
                                     << " compactions");
  CHECK(at_end.flushes > at_start.flushes);
  CHECK(at_end.compactions > at_start.compactions);
  // A new iterator shows the new state.
  auto fresh = iterator_ok(*store);
  fresh->seek(kepler::test::key_of(0));
  CHECK(at(*fresh) == kepler::test::key_of(1));  // key_of(0) was removed
  CHECK(fresh->value() == "new 1");
}

TEST_CASE("stats().open_iterators counts the iterators alive") {
  temp_dir dir;
  auto store = store_holding(dir.path(), twenty_keys(), layout::tables_under_memtable);
  CHECK(stats_of(*store).open_iterators == 0);
  std::vector<std::unique_ptr<kepler::iterator>> held;
  for (std::size_t n = 1; n <= 3; ++n) {
    held.push_back(iterator_ok(*store));
    CHECK(stats_of(*store).open_iterators == n);
  }
  held[1]->seek_to_first();  // using one changes nothing
  CHECK(stats_of(*store).open_iterators == 3);
  held.erase(held.begin());
  CHECK(stats_of(*store).open_iterators == 2);
  held.clear();
  CHECK(stats_of(*store).open_iterators == 0);
}

TEST_CASE("status() is ok on a sound store before, during and after a walk") {
  for (auto where : layouts) {
    CAPTURE(name_of(where));
    temp_dir dir;
    auto store = store_holding(dir.path(), twenty_keys(), where);
    auto it = iterator_ok(*store);
    CHECK_FALSE(it->valid());  // before the first positioning call
    CHECK(it->status());
    it->seek_to_first();
    CHECK(it->status());
    int walked = 0;
    for (; it->valid(); it->next()) ++walked;
    CHECK(walked == 20);
    CHECK(it->status());  // past the end is no error
    it->seek("zzz");
    CHECK_FALSE(it->valid());
    CHECK(it->status());
  }
}
