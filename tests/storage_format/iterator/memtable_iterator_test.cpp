// The memtable as an internal_iterator: every version both ways, seeks by internal key, and the
// memtable kept alive by the iterator.

#include <doctest/doctest.h>

#include <memory>
#include <random>
#include <string>

#include "iterator_test_util.hpp"
#include "storage_format/iterator/memtable_iterator.hpp"
#include "storage_format/memtable/memtable.hpp"

using kepler::storage::memtable;
using kepler::storage::new_memtable_iterator;
using kepler::storage::sequence_number;
using kepler::storage::value_type;
using kepler::test::deletion_key;
using kepler::test::entry_list;
using kepler::test::ikey;

namespace {

// A memtable of `count` random puts and deletions over 50 keys, and its entries sorted.
std::shared_ptr<memtable> random_memtable(int count, entry_list* expected) {
  auto mem = std::make_shared<memtable>();
  std::mt19937 rng(11);
  for (int i = 0; i < count; ++i) {
    const std::string key = "key" + std::to_string(rng() % 50);
    const auto seq = static_cast<sequence_number>(i + 1);
    if (rng() % 4 == 0) {
      mem->add(seq, value_type::deletion, key, "");
      expected->emplace_back(deletion_key(key, seq), "");
    } else {
      const std::string value = "v" + std::to_string(i);
      mem->add(seq, value_type::value, key, value);
      expected->emplace_back(ikey(key, seq), value);
    }
  }
  kepler::test::sort_entries(expected);
  return mem;
}

}  // namespace

TEST_CASE("a memtable iterator yields every version in order, both ways") {
  entry_list expected;
  auto mem = random_memtable(500, &expected);
  auto it = new_memtable_iterator(mem);
  CHECK_FALSE(it->valid());
  CHECK(kepler::test::scan_forward(*it) == expected);
  CHECK(kepler::test::scan_backward(*it) == expected);
  CHECK(it->state().is_ok());
}

TEST_CASE("a memtable iterator seeks to the first entry at or after an internal key") {
  auto mem = std::make_shared<memtable>();
  mem->add(3, value_type::value, "b", "b3");
  mem->add(7, value_type::value, "b", "b7");
  mem->add(5, value_type::value, "d", "d5");
  auto it = new_memtable_iterator(mem);
  it->seek(ikey("b", 9));  // newer than every version: the newest
  REQUIRE(it->valid());
  CHECK(it->value() == "b7");
  it->seek(ikey("b", 6));  // between the versions: the older one
  REQUIRE(it->valid());
  CHECK(it->value() == "b3");
  it->seek(ikey("c", 100));
  REQUIRE(it->valid());
  CHECK(it->value() == "d5");
  it->prev();
  REQUIRE(it->valid());
  CHECK(it->value() == "b3");
  it->seek(ikey("d", 4));
  CHECK_FALSE(it->valid());
}

TEST_CASE("a memtable iterator keeps its memtable alive after every other holder let go") {
  entry_list expected;
  auto mem = random_memtable(200, &expected);
  std::weak_ptr<const memtable> watch = mem;
  auto it = new_memtable_iterator(std::move(mem));
  CHECK_FALSE(watch.expired());
  CHECK(kepler::test::scan_forward(*it) == expected);
  it.reset();
  CHECK(watch.expired());
}
