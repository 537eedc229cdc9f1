// build_table: a memtable written as a table file, read back entry for entry; no file for an
// empty memtable; a failed append or sync removes the file; the directory is synced after the
// file.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fault_file_system.hpp"
#include "recording_file_system.hpp"
#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/memtable/memtable.hpp"
#include "storage_format/table/table_reader.hpp"
#include "storage_format/version/build_table.hpp"
#include "storage_format/version/file_names.hpp"
#include "test_dir.hpp"

using kepler::storage::build_table;
using kepler::storage::file_meta;
using kepler::storage::memtable;
using kepler::storage::sequence_number;
using kepler::storage::status_code;
using kepler::storage::table_lookup;
using kepler::storage::table_options;
using kepler::storage::table_reader;
using kepler::storage::value_type;
using kepler::test::fault_file_system;
using kepler::test::fs_event;
using kepler::test::op_faults;
using kepler::test::recording_file_system;
using kepler::test::temp_dir;

namespace {

namespace storage = kepler::storage;

std::string user_key(int i) {
  return "key" + std::to_string(100000 + i);
}

// Keys 0..keys-1 in three rounds of versions: round r writes sequence base + r * keys + i;
// every third key is deleted in round 1, every fifth rewritten in round 2. Sequences start at
// `first_sequence`, not 1, so the meta's range is not the trivial one.
constexpr int keys = 600;
constexpr sequence_number first_sequence = 1000;

struct filled_memtable {
  memtable mem;
  sequence_number smallest = 0, largest = 0;

  filled_memtable() {
    sequence_number seq = first_sequence;
    smallest = seq;
    for (int i = 0; i < keys; ++i)
      mem.add(seq++, value_type::value, user_key(i), "v0-" + std::to_string(i));
    for (int i = 0; i < keys; i += 3) mem.add(seq++, value_type::deletion, user_key(i), "");
    for (int i = 0; i < keys; i += 5)
      mem.add(seq++, value_type::value, user_key(i),
              "v2-" + std::to_string(i) + std::string(40, 'x'));
    largest = seq - 1;
  }
};

std::string lookup_key(const std::string& user_key, sequence_number seq) {
  std::string k;
  storage::append_internal_key(&k, user_key, seq, storage::value_type_for_seek);
  return k;
}

table_options small_blocks() {
  table_options options;
  options.block_bytes = 1024;  // several data blocks, so appends happen before finish()
  return options;
}

std::vector<std::string> dir_entries(const std::string& dir) {
  std::vector<std::string> names;
  REQUIRE(storage::file_system::posix()->list_dir(dir, &names).is_ok());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("a built table holds every entry of the memtable, and its meta describes it") {
  temp_dir dir("kepler-build-table");
  auto& fs = *storage::file_system::posix();
  REQUIRE(fs.create_dir(dir.path()).is_ok());
  filled_memtable m;
  file_meta meta;
  REQUIRE(build_table(fs, dir.path(), small_blocks(), m.mem, 7, &meta).is_ok());

  const std::string path = dir.file("000007.sst");
  CHECK(dir_entries(dir.path()) == std::vector<std::string>{"000007.sst"});
  std::uint64_t on_disk = 0;
  REQUIRE(fs.file_size(path, &on_disk).is_ok());
  CHECK(meta.number == 7);
  CHECK(meta.size == on_disk);
  CHECK(meta.smallest_sequence == m.smallest);
  CHECK(meta.largest_sequence == m.largest);

  std::unique_ptr<storage::readable_file> file;
  REQUIRE(fs.new_readable_file(path, &file).is_ok());
  std::unique_ptr<table_reader> reader;
  REQUIRE(table_reader::open(std::move(file), nullptr, &reader).is_ok());
  CHECK(reader->data_blocks() > 1);
  CHECK(reader->has_filter());  // the default table_options: bloom bits 10

  // Entry for entry, in the memtable's order.
  memtable::iterator want(&m.mem);
  want.seek_to_first();
  auto got = reader->new_iterator();
  got->seek_to_first();
  std::size_t entries = 0;
  std::string first, last;
  for (; want.valid(); want.next(), got->next(), ++entries) {
    REQUIRE(got->valid());
    CHECK(got->key() == want.internal_key());
    CHECK(got->value() == want.value());
    if (entries == 0) first = std::string(want.internal_key());
    last = std::string(want.internal_key());
  }
  CHECK_FALSE(got->valid());
  CHECK(got->state().is_ok());
  CHECK(entries == m.mem.entry_count());
  CHECK(reader->properties().entries == entries);
  CHECK(meta.smallest == first);
  CHECK(meta.largest == last);

  // Lookups as of each round's end see that round's versions.
  const sequence_number after_round0 = first_sequence + keys - 1;
  for (int i = 0; i < keys; i += 7) {
    CAPTURE(i);
    table_lookup result;
    std::string value;
    REQUIRE(reader->get({}, lookup_key(user_key(i), after_round0), &result, &value).is_ok());
    CHECK(result == table_lookup::found);
    CHECK(value == "v0-" + std::to_string(i));
    REQUIRE(reader->get({}, lookup_key(user_key(i), m.largest), &result, &value).is_ok());
    if (i % 5 == 0) {
      CHECK(result == table_lookup::found);
      CHECK(value == "v2-" + std::to_string(i) + std::string(40, 'x'));
    } else if (i % 3 == 0) {
      CHECK(result == table_lookup::deleted);
    } else {
      CHECK(result == table_lookup::found);
      CHECK(value == "v0-" + std::to_string(i));
    }
    REQUIRE(reader->get({}, lookup_key(user_key(i), first_sequence - 1), &result, &value).is_ok());
    CHECK(result == table_lookup::absent);
  }
  MESSAGE(entries << " entries in " << reader->data_blocks() << " data blocks, " << meta.size
                  << " bytes, sequences " << meta.smallest_sequence << ".."
                  << meta.largest_sequence);
}

TEST_CASE("an empty memtable builds no table file") {
  temp_dir dir("kepler-build-table");
  auto& fs = *storage::file_system::posix();
  REQUIRE(fs.create_dir(dir.path()).is_ok());
  memtable mem;
  file_meta meta;
  meta.size = 123;  // overwritten
  REQUIRE(build_table(fs, dir.path(), {}, mem, 3, &meta).is_ok());
  CHECK(meta.size == 0);
  CHECK(meta.number == 3);
  CHECK(dir_entries(dir.path()).empty());
}

TEST_CASE("a failed append or sync while building a table removes the file and names it") {
  struct fault_case {
    const char* what;
    bool sync;
    std::uint64_t nth;
  };
  // The first append (a data block, while entries are added), a later one (in finish), the
  // table's sync (in finish).
  for (const fault_case& c : {fault_case{"first append", false, 1},
                              fault_case{"fifth append", false, 5}, fault_case{"sync", true, 1}}) {
    const std::string what = c.what;
    CAPTURE(what);
    temp_dir dir("kepler-build-table");
    fault_file_system fs(storage::file_system::posix());
    REQUIRE(fs.create_dir(dir.path()).is_ok());
    (c.sync ? fs.syncs : fs.appends).fail_nth(c.nth, op_faults::repeat::once);
    filled_memtable m;
    file_meta meta;
    auto s = build_table(fs, dir.path(), small_blocks(), m.mem, 12, &meta);
    REQUIRE(s.code() == status_code::io_error);
    MESSAGE(what << ": " << s.to_string());
    CHECK(s.message().find(dir.file("000012.sst")) != std::string::npos);
    CHECK((c.sync ? fs.syncs : fs.appends).injected() == 1);
    CHECK(dir_entries(dir.path()).empty());
  }
}

TEST_CASE("a failed directory sync after building a table removes the file") {
  // The file is complete and synced, but its name may not survive a power loss: the flush fails.
  struct failing_dir_sync : kepler::test::forwarding_file_system {
    failing_dir_sync() : forwarding_file_system(storage::file_system::posix()) {}
    storage::status sync_dir(const std::string& dir) override {
      return storage::status::io_error(dir + ": injected directory sync failure");
    }
  } fs;
  temp_dir dir("kepler-build-table");
  REQUIRE(fs.create_dir(dir.path()).is_ok());
  filled_memtable m;
  file_meta meta;
  auto s = build_table(fs, dir.path(), small_blocks(), m.mem, 9, &meta);
  REQUIRE(s.code() == status_code::io_error);
  MESSAGE(s.to_string());
  CHECK(s.message().find(dir.file("000009.sst")) != std::string::npos);
  CHECK(dir_entries(dir.path()).empty());
}

TEST_CASE("building a table syncs the file, closes it, then syncs its directory") {
  temp_dir dir("kepler-build-table");
  recording_file_system fs(storage::file_system::posix());
  REQUIRE(fs.create_dir(dir.path()).is_ok());
  fs.clear();
  filled_memtable m;
  file_meta meta;
  REQUIRE(build_table(fs, dir.path(), small_blocks(), m.mem, 5, &meta).is_ok());
  const std::string path = dir.file("000005.sst");
  const auto events = fs.events();
  std::uint64_t created = 0, last_append = 0, synced = 0, dir_synced = 0;
  std::uint64_t appended_bytes = 0;
  for (const fs_event& e : events) {
    if (e.what == fs_event::kind::new_file && e.path == path) created = e.tick;
    if (e.what == fs_event::kind::append && e.path == path) {
      last_append = e.tick;
      appended_bytes = e.size_after;
    }
    if (e.what == fs_event::kind::sync_end && e.path == path && e.ok) {
      synced = e.tick;
      CHECK(e.size_before == meta.size);  // the sync covers the whole table
    }
    if (e.what == fs_event::kind::sync_dir && e.path == dir.path() && e.ok) dir_synced = e.tick;
  }
  CHECK(created != 0);
  CHECK(created < last_append);
  CHECK(last_append < synced);
  CHECK(synced < dir_synced);
  CHECK(appended_bytes == meta.size);
  CHECK(events.back().what == fs_event::kind::sync_dir);  // the last thing it does
  MESSAGE(events.size() << " file-system events, the directory sync last");
}
