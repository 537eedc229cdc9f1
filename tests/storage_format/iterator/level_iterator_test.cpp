// A deeper level as one iterator: its sorted, disjoint files in order both ways, seeks that
// open only the file that can hold the target, one reader held at a time, and a file that
// fails stopping the level with its error.

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "iterator_test_util.hpp"
#include "storage_format/iterator/level_iterator.hpp"

using kepler::storage::file_meta;
using kepler::storage::new_level_iterator;
using kepler::storage::read_options;
using kepler::storage::status_code;
using kepler::storage::table_options;
using kepler::test::deletion_key;
using kepler::test::entry_list;
using kepler::test::ikey;
using kepler::test::table_dir;

namespace {

constexpr int file_count = 5;
constexpr int keys_per_file = 40;

std::string user_key(int file, int i) {
  // Files hold "f<file>-<i>": disjoint ranges in file order.
  return "f" + std::to_string(file) + "-" + std::to_string(100 + i);
}

// file_count files numbered 1..file_count; each key has two versions, every fifth key's newer
// one a deletion.
struct level_files {
  explicit level_files(std::size_t max_open_files = 100) : tables(max_open_files) {
    table_options options;
    options.block_bytes = 200;
    for (int f = 1; f <= file_count; ++f) {
      entry_list entries;
      for (int i = 0; i < keys_per_file; ++i) {
        const std::string k = user_key(f, i);
        if (i % 5 == 0) {
          entries.emplace_back(deletion_key(k, 20), "");
        } else {
          entries.emplace_back(ikey(k, 20), "new " + k);
        }
        entries.emplace_back(ikey(k, 10), "old " + k);
      }
      files.push_back(tables.write(static_cast<std::uint64_t>(f), entries, options));
      all.insert(all.end(), entries.begin(), entries.end());
    }
  }
  std::unique_ptr<kepler::storage::internal_iterator> iterator() {
    return new_level_iterator(tables.cache, files, read_options{});
  }

  table_dir tables;
  std::vector<std::shared_ptr<const file_meta>> files;
  entry_list all;  // every entry of every file, in order
};

}  // namespace

TEST_CASE("a level iterator reads its files in order, both ways") {
  level_files level;
  auto it = level.iterator();
  CHECK_FALSE(it->valid());
  CHECK(kepler::test::scan_forward(*it) == level.all);
  CHECK(kepler::test::scan_backward(*it) == level.all);
  CHECK(it->state().is_ok());
}

TEST_CASE("a level iterator's next and prev cross file boundaries both ways") {
  level_files level;
  auto it = level.iterator();
  // The last entry of file 2, then into file 3 and back.
  it->seek(level.files[1]->largest);
  REQUIRE(it->valid());
  CHECK(it->key() == level.files[1]->largest);
  it->next();
  REQUIRE(it->valid());
  CHECK(it->key() == level.files[2]->smallest);
  it->prev();
  REQUIRE(it->valid());
  CHECK(it->key() == level.files[1]->largest);
}

TEST_CASE("a level iterator's seek opens only the one file that can hold the target") {
  level_files level;
  auto it = level.iterator();
  CHECK(level.tables.cache.open_readers() == 0);  // nothing opened before the first seek

  it->seek(ikey(user_key(3, 7), 15));  // between the key's two versions: the older one
  REQUIRE(it->valid());
  CHECK(it->key() == ikey(user_key(3, 7), 10));
  CHECK(level.tables.cache.open_readers() == 1);

  // After file 3's last key and before file 4's first: file 4's first entry.
  it->seek(ikey(user_key(3, keys_per_file - 1) + "~", 30));
  REQUIRE(it->valid());
  CHECK(it->key() == level.files[3]->smallest);
  CHECK(level.tables.cache.open_readers() == 2);

  it->seek(ikey("a", 30));  // before everything
  REQUIRE(it->valid());
  CHECK(it->key() == level.all.front().first);

  it->seek(ikey("z", 30));  // after everything: no file is opened for it
  CHECK_FALSE(it->valid());
  CHECK(it->state().is_ok());
  CHECK(level.tables.cache.open_readers() == 3);
}

TEST_CASE("a level iterator holds one reader at a time, so a scan fits a table cache of one") {
  level_files level(1);
  auto it = level.iterator();
  CHECK(kepler::test::scan_forward(*it) == level.all);
  CHECK(it->state().is_ok());
  CHECK(kepler::test::scan_backward(*it) == level.all);
  CHECK(it->state().is_ok());
  CHECK(level.tables.cache.open_readers() == 1);
}

TEST_CASE("a level iterator stops at a file that fails to open, with its error, a seek retries") {
  level_files level;
  const std::string path = level.tables.path(3);
  std::filesystem::rename(path, path + ".away");
  auto it = level.iterator();

  entry_list seen = kepler::test::scan_forward(*it);
  // Files 1 and 2, then the stop: file 4 is not read past the missing file.
  CHECK(seen.size() == 2 * 2 * keys_per_file);
  CHECK_FALSE(it->valid());
  REQUIRE(it->state().code() == status_code::corruption);
  CHECK(it->state().message().find("000003.sst") != std::string::npos);
  MESSAGE("forward: " << seen.size() << " entries, then " << it->state().to_string());

  seen = kepler::test::scan_backward(*it);
  CHECK(seen.size() == 2 * 2 * keys_per_file);  // files 5 and 4
  CHECK(it->state().code() == status_code::corruption);

  it->seek(ikey(user_key(3, 0), 30));
  CHECK_FALSE(it->valid());
  CHECK(it->state().code() == status_code::corruption);

  std::filesystem::rename(path + ".away", path);
  it->seek(ikey(user_key(3, 0), 30));
  CHECK(it->state().is_ok());
  REQUIRE(it->valid());
  CHECK(it->key() == level.files[2]->smallest);
  CHECK(kepler::test::scan_forward(*it) == level.all);
}

TEST_CASE("a damaged block stops a level iterator instead of skipping to the next file") {
  level_files level;
  {
    // Flip a byte early in file 2, inside its first data blocks.
    std::fstream f(level.tables.path(2), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);
    char c = 0;
    f.read(&c, 1);
    f.seekp(40);
    c ^= 0x20;
    f.write(&c, 1);
  }
  auto it = level.iterator();
  const entry_list seen = kepler::test::scan_forward(*it);
  CHECK(seen.size() == 2 * keys_per_file);  // file 1 only
  CHECK_FALSE(it->valid());
  REQUIRE(it->state().code() == status_code::corruption);
  CHECK(it->state().message().find("000002.sst") != std::string::npos);
  MESSAGE("forward: " << seen.size() << " entries, then " << it->state().to_string());

  // A seek tries again with a fresh reading of the file: its last block is sound.
  it->seek(level.files[1]->largest);
  CHECK(it->state().is_ok());
  REQUIRE(it->valid());
  CHECK(it->key() == level.files[1]->largest);
}

TEST_CASE("a level iterator of no files is empty") {
  table_dir tables;
  auto it = new_level_iterator(tables.cache, {}, read_options{});
  it->seek_to_first();
  CHECK_FALSE(it->valid());
  it->seek_to_last();
  CHECK_FALSE(it->valid());
  it->seek(ikey("k", 1));
  CHECK_FALSE(it->valid());
  CHECK(it->state().is_ok());
}
