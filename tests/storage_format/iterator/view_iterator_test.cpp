// A read view as one iterator: the active and sealed memtables, each level-0 file and each
// deeper level merged, the view (and so its version's files) kept alive by the iterator, and a
// file that fails reported through state().

#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "iterator_test_util.hpp"
#include "storage_format/iterator/view_iterator.hpp"
#include "storage_format/version/read_view.hpp"

using kepler::storage::file_meta;
using kepler::storage::new_view_iterator;
using kepler::storage::read_options;
using kepler::storage::read_view;
using kepler::storage::status_code;
using kepler::test::deletion_key;
using kepler::test::entry_list;
using kepler::test::ikey;
using kepler::test::table_dir;

namespace {

using file_ptr = std::shared_ptr<const file_meta>;

// A view whose every part holds something: each source writes the keys "<source>-<i>" and
// also a version of the shared key "shared" at its own sequence, so the merge must interleave
// the sources.
struct full_view {
  full_view() {
    auto view = std::make_shared<read_view>();
    view->tables = &tables.cache;
    int source = 0;
    auto entries_of_source = [&](int keys) {
      entry_list e;
      ++source;
      const auto seq = static_cast<kepler::storage::sequence_number>(100 - source);
      for (int i = 0; i < keys; ++i) {
        const std::string k = "s" + std::to_string(source) + "-" + std::to_string(10 + i);
        e.emplace_back(i % 4 == 3 ? deletion_key(k, seq) : ikey(k, seq), "v" + k);
      }
      e.emplace_back(ikey("shared", seq), "shared from " + std::to_string(source));
      kepler::test::sort_entries(&e);
      all.insert(all.end(), e.begin(), e.end());
      return e;
    };
    view->mem = kepler::test::memtable_of(entries_of_source(20));
    view->sealed.push_back(kepler::test::memtable_of(entries_of_source(20)));
    view->sealed.push_back(kepler::test::memtable_of(entries_of_source(20)));
    std::vector<std::vector<file_ptr>> levels(3);
    std::uint64_t number = 0;
    for (int i = 0; i < 2; ++i) levels[0].push_back(tables.write(++number, entries_of_source(30)));
    // Level 1: three disjoint files, by key range ("l1-a", "l1-b", "l1-c").
    for (const char* part : {"a", "b", "c"}) {
      entry_list e;
      ++source;
      for (int i = 0; i < 30; ++i) {
        const std::string k = std::string("l1-") + part + std::to_string(10 + i);
        e.emplace_back(ikey(k, 5), "v" + k);
      }
      all.insert(all.end(), e.begin(), e.end());
      levels[1].push_back(tables.write(++number, e));
    }
    // Level 2: one file holding the oldest version of "shared".
    entry_list oldest = {{ikey("shared", 1), "shared from level 2"}};
    all.insert(all.end(), oldest.begin(), oldest.end());
    levels[2].push_back(tables.write(++number, oldest));
    view->files = kepler::test::version_of(levels);
    kepler::test::sort_entries(&all);
    this->view = std::move(view);
  }

  table_dir tables;
  std::shared_ptr<const read_view> view;
  entry_list all;
};

}  // namespace

TEST_CASE("a view iterator merges memtables, level-0 files and deeper levels, both ways") {
  full_view v;
  auto it = new_view_iterator(v.view, read_options{});
  CHECK(kepler::test::scan_forward(*it) == v.all);
  CHECK(kepler::test::scan_backward(*it) == v.all);
  CHECK(it->state().is_ok());
  // Every source's version of "shared", newest (the active memtable's) first.
  it->seek(ikey("shared", kepler::storage::max_sequence_number));
  REQUIRE(it->valid());
  CHECK(it->value() == "shared from 1");
  MESSAGE(v.all.size() << " entries from 3 memtables, 2 level-0 files, 3 level-1 files and 1 "
                          "level-2 file");
}

TEST_CASE("a view iterator keeps the view, its memtables and its files alive") {
  full_view v;
  std::weak_ptr<const read_view> watch_view = v.view;
  std::weak_ptr<const kepler::storage::memtable> watch_mem = v.view->mem;
  std::weak_ptr<const kepler::storage::version> watch_version = v.view->files;
  auto it = new_view_iterator(std::move(v.view), read_options{});
  CHECK_FALSE(watch_view.expired());
  CHECK_FALSE(watch_mem.expired());
  CHECK_FALSE(watch_version.expired());
  CHECK(kepler::test::scan_forward(*it) == v.all);
  it.reset();
  CHECK(watch_view.expired());
  CHECK(watch_mem.expired());
  CHECK(watch_version.expired());
}

TEST_CASE("a level-0 file that fails to open makes the view iterator report it") {
  full_view v;
  std::filesystem::remove(v.tables.path(2));  // the second level-0 file
  auto it = new_view_iterator(v.view, read_options{});
  it->seek_to_first();
  CHECK_FALSE(it->valid());
  REQUIRE(it->state().code() == status_code::corruption);
  CHECK(it->state().message().find("000002.sst") != std::string::npos);
  MESSAGE(it->state().to_string());
}

TEST_CASE("a deeper file that fails to open stops the view iterator where it is needed") {
  full_view v;
  std::filesystem::remove(v.tables.path(3));  // level 1's first file, "l1-a..."
  auto it = new_view_iterator(v.view, read_options{});
  const entry_list seen = kepler::test::scan_forward(*it);
  CHECK_FALSE(it->valid());
  REQUIRE(it->state().code() == status_code::corruption);
  CHECK(it->state().message().find("000003.sst") != std::string::npos);
  // A positioning call opens the level's first file at once: nothing is read.
  CHECK(seen.empty());
  // A seek past the missing file's range reads on, as the level opens only the file it needs.
  it->seek(ikey("l1-b", kepler::storage::max_sequence_number));
  CHECK(it->state().is_ok());
  REQUIRE(it->valid());
  CHECK(it->key() == ikey("l1-b10", 5));
}

TEST_CASE("a view iterator over an empty memtable and no files is empty") {
  auto view = std::make_shared<read_view>();
  view->mem = std::make_shared<kepler::storage::memtable>();
  auto it = new_view_iterator(view, read_options{});
  it->seek_to_first();
  CHECK_FALSE(it->valid());
  it->seek_to_last();
  CHECK_FALSE(it->valid());
  CHECK(it->state().is_ok());
}
