// A table as an internal_iterator: every entry both ways, the reader held by the iterator, and
// a damaged block reported through state().

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "iterator_test_util.hpp"
#include "storage_format/iterator/table_iterator.hpp"
#include "storage_format/table/table_reader.hpp"

using kepler::storage::new_table_iterator;
using kepler::storage::read_options;
using kepler::storage::status_code;
using kepler::storage::table_options;
using kepler::storage::table_reader;
using kepler::test::entry_list;
using kepler::test::ikey;

namespace {

entry_list numbered_entries(int count) {
  entry_list out;
  for (int i = 0; i < count; ++i) {
    const std::string k = std::to_string(10000 + i);
    out.emplace_back(ikey("key" + k, 5), "value " + k);
  }
  return out;
}

table_options small_blocks() {
  table_options options;
  options.block_bytes = 256;  // many blocks, so the iterator crosses block boundaries
  return options;
}

std::shared_ptr<const table_reader> open(std::string data) {
  std::unique_ptr<table_reader> reader;
  REQUIRE(kepler::test::open_table(std::move(data), nullptr, &reader).is_ok());
  return std::shared_ptr<const table_reader>(std::move(reader));
}

}  // namespace

TEST_CASE("a table iterator yields every entry in order, both ways, across blocks") {
  const entry_list expected = numbered_entries(300);
  auto reader = open(kepler::test::build_table(expected, small_blocks()));
  REQUIRE(reader->data_blocks() > 10);
  auto it = new_table_iterator(reader, read_options{});
  CHECK(kepler::test::scan_forward(*it) == expected);
  CHECK(kepler::test::scan_backward(*it) == expected);
  it->seek(ikey("key10150", 9));
  REQUIRE(it->valid());
  CHECK(it->key() == expected[150].first);
  it->seek(ikey("key99999", 9));
  CHECK_FALSE(it->valid());
  CHECK(it->state().is_ok());
}

TEST_CASE("a table iterator keeps its reader alive after every other holder let go") {
  const entry_list expected = numbered_entries(50);
  auto reader = open(kepler::test::build_table(expected, small_blocks()));
  std::weak_ptr<const table_reader> watch = reader;
  auto it = new_table_iterator(std::move(reader), read_options{});
  CHECK(kepler::test::scan_forward(*it) == expected);
  CHECK_FALSE(watch.expired());
  it.reset();
  CHECK(watch.expired());
}

TEST_CASE("a damaged block stops a table iterator with corruption naming the file") {
  const entry_list expected = numbered_entries(300);
  std::string data = kepler::test::build_table(expected, small_blocks());
  data[data.size() / 3] ^= 0x40;  // inside a data block: its checksum no longer matches
  auto it = new_table_iterator(open(std::move(data)), read_options{});
  const entry_list seen = kepler::test::scan_forward(*it);
  CHECK(seen.size() < expected.size());
  CHECK(std::equal(seen.begin(), seen.end(), expected.begin()));
  CHECK_FALSE(it->valid());
  REQUIRE(it->state().code() == status_code::corruption);
  CHECK(it->state().message().find("mem.sst") != std::string::npos);
  MESSAGE("a flipped byte at a third of the table: " << seen.size() << " of " << expected.size()
                                                     << " entries before "
                                                     << it->state().to_string());
}
