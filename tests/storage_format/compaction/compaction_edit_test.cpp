// compaction_edit: the edit deletes every input from its level and adds every output to the
// level below, and applying it to the version set makes the version the compaction promised.

#include <doctest/doctest.h>

#include <string>

#include "compaction_fixture.hpp"
#include "storage_format/compaction/compact_pointers.hpp"
#include "storage_format/compaction/compaction_edit.hpp"
#include "storage_format/compaction/compaction_picker.hpp"
#include "storage_format/version/version_set.hpp"

using namespace kepler::storage;
using kepler::test::numbers;
using kepler::test::table_file;

TEST_CASE(
    "a compaction's edit deletes every input from its level and adds every output to the "
    "level below") {
  version_set set;
  version_edit first;
  first.format_version = current_format_version;
  first.log_number = 2;
  first.next_file_number = 100;
  first.last_sequence = 50;
  REQUIRE(set.apply(first, "m").is_ok());
  version_edit files;
  for (const auto& f :
       {table_file(10, "a", "f", 100, 1, 10), table_file(11, "d", "k", 100, 11, 20),
        table_file(12, "m", "p", 100, 21, 30), table_file(13, "b", "c", 100, 31, 40)})
    files.new_files.push_back({0, *f});
  files.new_files.push_back({1, *table_file(20, "a", "e", 300)});
  files.new_files.push_back({1, *table_file(21, "g", "h", 300)});
  files.new_files.push_back({1, *table_file(22, "q", "z", 300)});  // overlaps no level-0 file
  REQUIRE(set.apply(files, "m").is_ok());

  auto c = pick_compaction(set.current(), compact_pointers{}, compaction_options{});
  REQUIRE(c.has_value());
  REQUIRE(c->level == 0);
  compaction_result result;  // two outputs, as run_compaction would describe them
  result.outputs.push_back(*table_file(30, "a", "g", 500, 1, 40));
  result.outputs.push_back(*table_file(31, "h", "p", 400, 1, 40));

  const version_edit edit = compaction_edit(*c, result);
  CHECK(edit.deleted_files.size() == 6);
  for (const auto& d : edit.deleted_files) CHECK(d.level == (d.number < 20 ? 0 : 1));
  REQUIRE(edit.new_files.size() == 2);
  CHECK(edit.new_files[0].level == 1);
  CHECK(edit.new_files[0].meta == result.outputs[0]);
  CHECK(edit.new_files[1].meta == result.outputs[1]);
  CHECK_FALSE(edit.log_number.has_value());
  CHECK_FALSE(edit.last_sequence.has_value());
  CHECK_FALSE(edit.next_file_number.has_value());
  CHECK_FALSE(edit.format_version.has_value());
  CHECK(edit.closed_logs.empty());

  REQUIRE(set.apply(edit, "m").is_ok());
  auto v = set.current();
  CHECK(v->files(0).empty());
  CHECK(numbers(v->files(1)) == std::vector<std::uint64_t>{30, 31, 22});
  CHECK(set.log_number() == 2);
  CHECK(set.last_sequence() == 50);
  // The inputs are gone from the current version; once no one holds the old version, deletable.
  c.reset();
  const auto deletable = set.take_deletable_tables();
  CHECK(deletable.size() == 6);
  MESSAGE("edit: " << edit.deleted_files.size() << " files deleted, " << edit.new_files.size()
                   << " added to level 1; " << deletable.size() << " tables now deletable");
}
