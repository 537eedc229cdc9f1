// The user's iterator: each key once as of a sequence, deletions hiding keys, seeks both ways,
// direction switches, bounds that end a scan without reading past them, and errors that stop
// it.

#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "iterator_test_util.hpp"
#include "storage_format/iterator/db_iterator.hpp"

using kepler::storage::db_iterator;
using kepler::storage::max_sequence_number;
using kepler::storage::sequence_number;
using kepler::storage::status;
using kepler::storage::status_code;
using kepler::test::deletion_key;
using kepler::test::entry_list;
using kepler::test::ikey;
using kepler::test::vector_iterator;

namespace {

using bound = std::optional<std::string>;

db_iterator over(entry_list entries, sequence_number seq = max_sequence_number,
                 bound lower = std::nullopt, bound upper = std::nullopt) {
  kepler::test::sort_entries(&entries);
  return db_iterator(std::make_unique<vector_iterator>(std::move(entries)), seq, std::move(lower),
                     std::move(upper));
}

// "key=value" for every key from the first on.
std::vector<std::string> forward(db_iterator& it) {
  std::vector<std::string> out;
  for (it.seek_to_first(); it.valid(); it.next())
    out.push_back(std::string(it.key()) + "=" + std::string(it.value()));
  return out;
}

// The same from the last on, in the order read.
std::vector<std::string> backward(db_iterator& it) {
  std::vector<std::string> out;
  for (it.seek_to_last(); it.valid(); it.prev())
    out.push_back(std::string(it.key()) + "=" + std::string(it.value()));
  return out;
}

using strings = std::vector<std::string>;

// a: three values; b: deleted at 6 after a value; c: a value written after its deletion;
// d: one value at 8.
const entry_list history = {
    {ikey("a", 1), "a1"}, {ikey("a", 4), "a4"},       {ikey("a", 7), "a7"},
    {ikey("b", 2), "b2"}, {deletion_key("b", 6), ""}, {deletion_key("c", 3), ""},
    {ikey("c", 5), "c5"}, {ikey("d", 8), "d8"},
};

}  // namespace

TEST_CASE("a db iterator shows each key once, with its newest value") {
  auto it = over(history);
  CHECK(forward(it) == strings{"a=a7", "c=c5", "d=d8"});
  CHECK(backward(it) == strings{"d=d8", "c=c5", "a=a7"});
  CHECK(it.state().is_ok());
}

TEST_CASE("a db iterator as of an older sequence sees the values of then") {
  const std::vector<std::pair<sequence_number, strings>> cases = {
      {0, {}},
      {1, {"a=a1"}},
      {2, {"a=a1", "b=b2"}},
      {3, {"a=a1", "b=b2"}},
      {4, {"a=a4", "b=b2"}},
      {5, {"a=a4", "b=b2", "c=c5"}},
      {6, {"a=a4", "c=c5"}},
      {7, {"a=a7", "c=c5"}},
      {8, {"a=a7", "c=c5", "d=d8"}},
  };
  for (const auto& [seq, expected] : cases) {
    CAPTURE(seq);
    auto it = over(history, seq);
    CHECK(forward(it) == expected);
    strings reversed(expected.rbegin(), expected.rend());
    CHECK(backward(it) == reversed);
  }
}

TEST_CASE("a db iterator's seek lands at or after the key, seek_for_prev at or before it") {
  auto it = over(history);
  it.seek("b");
  REQUIRE(it.valid());
  CHECK(it.key() == "c");  // b is deleted
  it.seek("a");
  REQUIRE(it.valid());
  CHECK(it.key() == "a");
  CHECK(it.value() == "a7");
  it.seek("d\x01");
  CHECK_FALSE(it.valid());
  it.seek("");
  REQUIRE(it.valid());
  CHECK(it.key() == "a");

  it.seek_for_prev("c");
  REQUIRE(it.valid());
  CHECK(it.key() == "c");
  CHECK(it.value() == "c5");
  it.seek_for_prev("b\xff");
  REQUIRE(it.valid());
  CHECK(it.key() == "a");
  it.seek_for_prev("zzz");
  REQUIRE(it.valid());
  CHECK(it.key() == "d");
  it.seek_for_prev(" ");
  CHECK_FALSE(it.valid());
}

TEST_CASE("a db iterator's seek_for_prev of a key lands on that key, not past its extensions") {
  // "k" and "k\0": the zero byte is the least extension of a key, the edge of the seek target.
  auto it = over({{ikey("k", 1), "k"},
                  {ikey(std::string("k\0", 2), 2), "k0"},
                  {ikey("k\x01", 3), "k1"},
                  {ikey("j", 4), "j"}});
  it.seek_for_prev("k");
  REQUIRE(it.valid());
  CHECK(it.value() == "k");
  it.seek_for_prev(std::string("k\0", 2));
  REQUIRE(it.valid());
  CHECK(it.value() == "k0");
  it.next();
  REQUIRE(it.valid());
  CHECK(it.value() == "k1");
}

TEST_CASE("a db iterator switches direction anywhere, past hidden versions and deletions") {
  // Newer versions than the snapshot (9) lie around every key, and b is deleted.
  auto it = over({{ikey("a", 1), "a1"},
                  {ikey("a", 10), "a10"},
                  {ikey("b", 2), "b2"},
                  {deletion_key("b", 3), ""},
                  {ikey("b", 11), "b11"},
                  {ikey("c", 4), "c4"},
                  {ikey("c", 12), "c12"},
                  {ikey("d", 5), "d5"}},
                 9);
  it.seek_to_first();
  REQUIRE(it.valid());
  CHECK(it.value() == "a1");
  it.next();
  REQUIRE(it.valid());
  CHECK(it.value() == "c4");
  it.prev();
  REQUIRE(it.valid());
  CHECK(it.value() == "a1");
  it.next();
  REQUIRE(it.valid());
  CHECK(it.value() == "c4");
  it.next();
  REQUIRE(it.valid());
  CHECK(it.value() == "d5");
  it.prev();
  REQUIRE(it.valid());
  CHECK(it.value() == "c4");
  it.prev();
  REQUIRE(it.valid());
  CHECK(it.value() == "a1");
  it.prev();
  CHECK_FALSE(it.valid());
  it.seek_to_last();
  REQUIRE(it.valid());
  CHECK(it.value() == "d5");
  it.next();
  CHECK_FALSE(it.valid());
}

TEST_CASE("a db iterator's direction switch steps over only the current key's neighbours") {
  // 1000 keys of three versions each: switching direction in the middle must not rescan.
  entry_list entries;
  for (int i = 0; i < 1000; ++i) {
    const std::string k = "k" + std::to_string(1000 + i);
    for (sequence_number s = 1; s <= 3; ++s) entries.emplace_back(ikey(k, s), k);
  }
  auto it = over(entries);
  it.seek("k1500");
  const std::uint64_t after_seek = it.entries_stepped();
  it.prev();  // back over k1500's versions, then k1499's
  REQUIRE(it.valid());
  CHECK(it.key() == "k1499");
  it.next();  // forward again over k1499's versions
  REQUIRE(it.valid());
  CHECK(it.key() == "k1500");
  it.prev();
  it.next();
  const std::uint64_t switches = it.entries_stepped() - after_seek;
  MESSAGE("four direction switches in the middle of 3000 entries stepped over " << switches);
  // Each switch steps over the three versions of one key and one entry of its neighbour, which
  // shows where that key's versions end.
  CHECK(switches == 4 * 4);
}

TEST_CASE("a db iterator's bounds limit every positioning call: lower inclusive, upper exclusive") {
  auto it = over(history, max_sequence_number, std::string("b"), std::string("d"));
  CHECK(forward(it) == strings{"c=c5"});
  CHECK(backward(it) == strings{"c=c5"});
  it.seek("a");  // below the lower bound: from the bound on
  REQUIRE(it.valid());
  CHECK(it.key() == "c");
  it.seek("d");
  CHECK_FALSE(it.valid());
  it.seek_for_prev("z");  // at or above the upper bound: from just below it
  REQUIRE(it.valid());
  CHECK(it.key() == "c");
  it.seek_for_prev("a");
  CHECK_FALSE(it.valid());

  auto lower_only = over(history, max_sequence_number, std::string("a\x01"), std::nullopt);
  CHECK(forward(lower_only) == strings{"c=c5", "d=d8"});
  CHECK(backward(lower_only) == strings{"d=d8", "c=c5"});
  auto upper_only = over(history, max_sequence_number, std::nullopt, std::string("c"));
  CHECK(forward(upper_only) == strings{"a=a7"});
  CHECK(backward(upper_only) == strings{"a=a7"});
}

TEST_CASE("a db iterator stops a forward scan at the upper bound, not reading deletions past it") {
  constexpr int deletions = 1000;
  entry_list entries = {{ikey("a", 1), "a"}, {ikey("b", 2), "b"}};
  for (int i = 0; i < deletions; ++i)
    entries.emplace_back(deletion_key("c" + std::to_string(1000 + i), 3), "");
  entries.emplace_back(ikey("z", 4), "z");

  auto unbounded = over(entries);
  CHECK(forward(unbounded) == strings{"a=a", "b=b", "z=z"});
  auto bounded = over(entries, max_sequence_number, std::nullopt, std::string("c"));
  CHECK(forward(bounded) == strings{"a=a", "b=b"});
  // a, b and the first entry at the bound: nothing past it.
  CHECK(bounded.entries_stepped() == 3);
  MESSAGE("a scan to the end over "
          << deletions << " deletions stepped over " << unbounded.entries_stepped()
          << " entries; bounded just before them, " << bounded.entries_stepped());
  CHECK(unbounded.entries_stepped() == deletions + 3);
}

TEST_CASE("a db iterator stops a backward scan at the lower bound, not reading deletions below") {
  constexpr int deletions = 1000;
  entry_list entries = {{ikey("a", 4), "a"}};
  for (int i = 0; i < deletions; ++i)
    entries.emplace_back(deletion_key("b" + std::to_string(1000 + i), 3), "");
  entries.emplace_back(ikey("y", 1), "y");
  entries.emplace_back(ikey("z", 2), "z");

  auto bounded = over(entries, max_sequence_number, std::string("c"), std::nullopt);
  CHECK(backward(bounded) == strings{"z=z", "y=y"});
  // z, y and the first entry below the bound.
  CHECK(bounded.entries_stepped() == 3);
  auto unbounded = over(entries);
  CHECK(backward(unbounded) == strings{"z=z", "y=y", "a=a"});
  MESSAGE("a backward scan over " << deletions << " deletions stepped over "
                                  << unbounded.entries_stepped()
                                  << " entries; bounded just after them, "
                                  << bounded.entries_stepped());
  CHECK(unbounded.entries_stepped() == deletions + 3);
}

TEST_CASE("a db iterator starts seek_to_first at the lower bound, seek_to_last below the upper") {
  entry_list entries;
  for (int i = 0; i < 500; ++i) entries.emplace_back(ikey("k" + std::to_string(1000 + i), 1), "v");
  auto it = over(entries, max_sequence_number, std::string("k1200"), std::string("k1300"));
  it.seek_to_first();
  REQUIRE(it.valid());
  CHECK(it.key() == "k1200");
  CHECK(it.entries_stepped() == 1);
  it.seek_to_last();
  REQUIRE(it.valid());
  CHECK(it.key() == "k1299");
  // The seek lands on k1300, steps back to k1299, and once more to see its versions end.
  CHECK(it.entries_stepped() == 1 + 3);
  it.prev();
  REQUIRE(it.valid());
  CHECK(it.key() == "k1298");
}

TEST_CASE("a malformed internal key stops the db iterator with corruption") {
  // Unsorted on purpose: the vector keeps them in the order given.
  entry_list entries = {{ikey("a", 1), "a"}, {"bad", "short"}, {ikey("c", 1), "c"}};
  db_iterator it(std::make_unique<vector_iterator>(entries), max_sequence_number, std::nullopt,
                 std::nullopt);
  it.seek_to_first();
  REQUIRE(it.valid());
  CHECK(it.key() == "a");
  it.next();
  CHECK_FALSE(it.valid());
  REQUIRE(it.state().code() == status_code::corruption);
  MESSAGE(it.state().to_string());

  std::string bad_type = ikey("b", 1);
  bad_type[bad_type.size() - 8] = 7;  // the tag's low byte: no such value type
  entries[1].first = bad_type;
  db_iterator backward_it(std::make_unique<vector_iterator>(entries), max_sequence_number,
                          std::nullopt, std::nullopt);
  // c is the last key, but only the entry before it tells that c has no more versions.
  backward_it.seek_to_last();
  CHECK_FALSE(backward_it.valid());
  CHECK(backward_it.state().code() == status_code::corruption);
  backward_it.seek_to_first();
  REQUIRE(backward_it.valid());
  CHECK(backward_it.key() == "a");
  CHECK(backward_it.state().is_ok());  // a positioning call clears the error
}

TEST_CASE("an input error stops the db iterator and is its state") {
  entry_list entries;
  for (int i = 0; i < 10; ++i) entries.emplace_back(ikey("k" + std::to_string(i), 1), "v");
  db_iterator it(std::make_unique<vector_iterator>(entries, 6), max_sequence_number, std::nullopt,
                 std::nullopt);
  int seen = 0;
  for (it.seek_to_first(); it.valid(); it.next()) ++seen;
  CHECK(seen == 6);
  CHECK(it.state().code() == status_code::io_error);
}

TEST_CASE("a db iterator shows no older value when the input fails before a key's newest version") {
  // Backward, k's versions come oldest first: the failure on the newest (a deletion) must not
  // leave the older value showing as current.
  entry_list entries = {{ikey("j", 1), "j"}, {deletion_key("k", 9), ""}, {ikey("k", 5), "k5"}};
  db_iterator it(std::make_unique<vector_iterator>(entries, 1), max_sequence_number, std::nullopt,
                 std::nullopt);
  it.seek_to_last();
  CHECK_FALSE(it.valid());
  CHECK(it.state().code() == status_code::io_error);
}
