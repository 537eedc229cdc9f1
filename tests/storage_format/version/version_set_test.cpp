// The version set: edits make new versions, versions held by readers keep their files from
// deletion, and the whole state round-trips through one snapshot edit.

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/version/version_set.hpp"

using namespace kepler::storage;

namespace {

std::string ikey(const std::string& user_key, sequence_number seq) {
  std::string k;
  append_internal_key(&k, user_key, seq, value_type::value);
  return k;
}

file_meta table(std::uint64_t number, const std::string& from, const std::string& to,
                sequence_number low, sequence_number high) {
  file_meta f;
  f.number = number;
  f.size = 1000 + number;
  f.smallest = ikey(from, high);
  f.largest = ikey(to, low);
  f.smallest_sequence = low;
  f.largest_sequence = high;
  return f;
}

version_edit adding(int level, const file_meta& f) {
  version_edit e;
  e.new_files.push_back({level, f});
  return e;
}

version_edit first_edit() {
  version_edit e;
  e.format_version = current_format_version;
  e.log_number = 2;
  e.next_file_number = 3;
  e.last_sequence = 0;
  return e;
}

}  // namespace

TEST_CASE("edits add files to levels, level 0 lists the newest file first") {
  version_set set;
  REQUIRE(set.apply(first_edit(), "m").is_ok());
  CHECK(set.complete());
  REQUIRE(set.apply(adding(0, table(5, "a", "m", 1, 10)), "m").is_ok());
  REQUIRE(set.apply(adding(0, table(7, "c", "z", 11, 20)), "m").is_ok());
  auto v = set.current();
  REQUIRE(v->files(0).size() == 2);
  CHECK(v->files(0)[0]->number == 7);
  CHECK(v->files(0)[1]->number == 5);
  CHECK(v->file_count() == 2);
  CHECK(v->level_bytes(0) == 1005 + 1007);
  // A key both ranges hold: both files, newest first; a key only one holds: that one.
  auto both = v->files_for_key(0, "d");
  REQUIRE(both.size() == 2);
  CHECK(both[0]->number == 7);
  auto one = v->files_for_key(0, "b");
  REQUIRE(one.size() == 1);
  CHECK(one[0]->number == 5);
  CHECK(v->files_for_key(0, "0").empty());
}

TEST_CASE("a deeper level is sorted by key and finds the one file that may hold a key") {
  version_set set;
  REQUIRE(set.apply(first_edit(), "m").is_ok());
  version_edit e;
  e.new_files.push_back({1, table(9, "m", "p", 1, 2)});
  e.new_files.push_back({1, table(8, "a", "c", 1, 2)});
  e.new_files.push_back({1, table(10, "x", "z", 1, 2)});
  REQUIRE(set.apply(e, "m").is_ok());
  auto v = set.current();
  REQUIRE(v->files(1).size() == 3);
  CHECK(v->files(1)[0]->number == 8);
  CHECK(v->files(1)[2]->number == 10);
  CHECK(v->files_for_key(1, "n").at(0)->number == 9);
  CHECK(v->files_for_key(1, "d").empty());
  CHECK(v->files_for_key(1, "z").at(0)->number == 10);
}

TEST_CASE("an edit that does not apply is corruption and changes nothing") {
  version_set set;
  REQUIRE(set.apply(first_edit(), "m").is_ok());
  REQUIRE(set.apply(adding(1, table(5, "a", "f", 1, 2)), "m").is_ok());
  auto before = set.current();
  SUBCASE("deleting a file the level does not hold") {
    version_edit e;
    e.deleted_files.push_back({0, 5});
    auto s = set.apply(e, "MANIFEST-000004: offset 77");
    CHECK(s.code() == status_code::corruption);
    CHECK(s.message().find("offset 77") != std::string::npos);
  }
  SUBCASE("adding a number that is already live") {
    auto s = set.apply(adding(0, table(5, "x", "y", 3, 4)), "m");
    CHECK(s.code() == status_code::corruption);
  }
  SUBCASE("overlapping ranges on a deeper level") {
    auto s = set.apply(adding(1, table(6, "e", "k", 3, 4)), "m");
    CHECK(s.code() == status_code::corruption);
    CHECK(s.message().find("overlap") != std::string::npos);
  }
  CHECK(set.current().get() == before.get());
}

TEST_CASE("a held version keeps its files live, released, they become deletable once") {
  version_set set;
  REQUIRE(set.apply(first_edit(), "m").is_ok());
  REQUIRE(set.apply(adding(0, table(5, "a", "f", 1, 2)), "m").is_ok());
  REQUIRE(set.apply(adding(0, table(6, "a", "f", 3, 4)), "m").is_ok());
  auto reader = set.current();  // a read view taken now
  version_edit compaction;
  compaction.deleted_files.push_back({0, 5});
  compaction.deleted_files.push_back({0, 6});
  compaction.new_files.push_back({1, table(7, "a", "f", 1, 4)});
  REQUIRE(set.apply(compaction, "m").is_ok());
  CHECK(set.current()->files(0).empty());
  CHECK(set.live_tables() == std::set<std::uint64_t>{5, 6, 7});
  CHECK(set.take_deletable_tables().empty());
  reader.reset();
  CHECK(set.live_tables() == std::set<std::uint64_t>{7});
  auto deletable = set.take_deletable_tables();
  CHECK(std::set<std::uint64_t>(deletable.begin(), deletable.end()) ==
        std::set<std::uint64_t>{5, 6});
  CHECK(set.take_deletable_tables().empty());  // once
}

TEST_CASE("a file moved to another level is never deletable while it is live") {
  version_set set;
  REQUIRE(set.apply(first_edit(), "m").is_ok());
  REQUIRE(set.apply(adding(0, table(5, "a", "f", 1, 2)), "m").is_ok());
  version_edit move;
  move.deleted_files.push_back({0, 5});
  move.new_files.push_back({1, table(5, "a", "f", 1, 2)});
  REQUIRE(set.apply(move, "m").is_ok());
  CHECK(set.current()->files(1).size() == 1);
  CHECK(set.take_deletable_tables().empty());
}

TEST_CASE("scalar fields follow the last edit, closed logs below the log number are dropped") {
  version_set set;
  CHECK_FALSE(set.complete());
  REQUIRE(set.apply(first_edit(), "m").is_ok());
  version_edit e;
  e.closed_logs.push_back({2, 4096});
  e.closed_logs.push_back({3, 100});
  e.next_file_number = 9;
  e.last_sequence = 50;
  REQUIRE(set.apply(e, "m").is_ok());
  CHECK(set.closed_logs().size() == 2);
  CHECK(set.next_file_number() == 9);
  CHECK(set.last_sequence() == 50);
  version_edit flushed;
  flushed.log_number = 3;
  REQUIRE(set.apply(flushed, "m").is_ok());
  CHECK(set.log_number() == 3);
  REQUIRE(set.closed_logs().size() == 1);
  CHECK(set.closed_logs().at(3) == 100);
}

TEST_CASE("the snapshot edit rebuilds the same state in a fresh set") {
  version_set set;
  REQUIRE(set.apply(first_edit(), "m").is_ok());
  REQUIRE(set.apply(adding(0, table(5, "a", "f", 1, 2)), "m").is_ok());
  REQUIRE(set.apply(adding(2, table(6, "g", "k", 3, 4)), "m").is_ok());
  version_edit e;
  e.closed_logs.push_back({2, 777});
  e.last_sequence = 4;
  e.next_file_number = 10;
  REQUIRE(set.apply(e, "m").is_ok());
  std::string encoded;
  set.snapshot().encode(&encoded);
  version_edit decoded;
  REQUIRE(decoded.decode(encoded, "snapshot").is_ok());
  version_set rebuilt;
  REQUIRE(rebuilt.apply(decoded, "snapshot").is_ok());
  CHECK(rebuilt.complete());
  CHECK(rebuilt.log_number() == set.log_number());
  CHECK(rebuilt.next_file_number() == 10);
  CHECK(rebuilt.last_sequence() == 4);
  CHECK(rebuilt.closed_logs() == set.closed_logs());
  for (int level = 0; level < num_levels; ++level) {
    REQUIRE(rebuilt.current()->files(level).size() == set.current()->files(level).size());
    for (std::size_t i = 0; i < set.current()->files(level).size(); ++i)
      CHECK(*rebuilt.current()->files(level)[i] == *set.current()->files(level)[i]);
  }
}
