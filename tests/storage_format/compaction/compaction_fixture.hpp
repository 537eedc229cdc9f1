#pragma once
// Shared by the compaction tests: internal keys, file metas with chosen ranges and sizes,
// versions built from them, and the entries of a compaction's output tables read back.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "entries_iterator.hpp"
#include "storage_format/compaction/compaction.hpp"
#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/table/table_reader.hpp"
#include "storage_format/util/file_system.hpp"
#include "storage_format/version/file_names.hpp"
#include "storage_format/version/version.hpp"

namespace kepler::test {

inline std::string ikey(std::string_view user_key, storage::sequence_number seq,
                        storage::value_type type = storage::value_type::value) {
  std::string out;
  storage::append_internal_key(&out, user_key, seq, type);
  return out;
}

/// A table file's meta covering user keys [first, last] with `size` bytes; sequences `low` to
/// `high` (level 0 orders its files by the highest).
inline storage::compaction::file_ptr table_file(std::uint64_t number, const std::string& first,
                                                const std::string& last, std::uint64_t size,
                                                storage::sequence_number low = 1,
                                                storage::sequence_number high = 1) {
  auto f = std::make_shared<storage::file_meta>();
  f->number = number;
  f->size = size;
  f->smallest = ikey(first, high);
  f->largest = ikey(last, low);
  f->smallest_sequence = low;
  f->largest_sequence = high;
  return f;
}

struct placed_file {
  int level;
  storage::compaction::file_ptr file;
};

/// The version holding `files`; the test fails when they do not make one (overlapping ranges
/// on a deeper level).
inline std::shared_ptr<const storage::version> make_version(const std::vector<placed_file>& files) {
  storage::version empty;
  storage::version_builder builder(empty);
  for (const auto& p : files) builder.add_file(p.level, p.file);
  std::shared_ptr<const storage::version> out;
  std::string why;
  const bool built = builder.finish(&out, &why);
  INFO(why);
  REQUIRE(built);
  return out;
}

/// The numbers of `files`, in their order.
inline std::vector<std::uint64_t> numbers(const std::vector<storage::compaction::file_ptr>& files) {
  std::vector<std::uint64_t> out;
  for (const auto& f : files) out.push_back(f->number);
  return out;
}

/// Every entry of the tables `files` names (a compaction's outputs), in their order, read back
/// from the files; checks that each file exists with its recorded size and key range.
inline std::vector<entry> read_outputs(storage::file_system& fs, const std::string& dir,
                                       const std::vector<storage::file_meta>& files) {
  std::vector<entry> out;
  for (const storage::file_meta& meta : files) {
    const std::string path = storage::join_path(dir, storage::table_file_name(meta.number));
    std::unique_ptr<storage::readable_file> file;
    REQUIRE(fs.new_readable_file(path, &file).is_ok());
    CHECK(file->size() == meta.size);
    std::unique_ptr<storage::table_reader> reader;
    REQUIRE(storage::table_reader::open(std::move(file), nullptr, &reader).is_ok());
    auto it = reader->new_iterator();
    it->seek_to_first();
    REQUIRE(it->valid());
    CHECK(it->key() == meta.smallest);
    std::string last;
    for (; it->valid(); it->next()) {
      out.emplace_back(std::string(it->key()), std::string(it->value()));
      last = std::string(it->key());
    }
    REQUIRE(it->state().is_ok());
    CHECK(last == meta.largest);
  }
  return out;
}

/// The names in `dir`, sorted.
inline std::vector<std::string> dir_entries(storage::file_system& fs, const std::string& dir) {
  std::vector<std::string> names;
  REQUIRE(fs.list_dir(dir, &names).is_ok());
  std::sort(names.begin(), names.end());
  return names;
}

/// `entries` sorted as a merging iterator yields them.
inline std::vector<entry> in_key_order(std::vector<entry> entries) {
  std::sort(entries.begin(), entries.end(), [](const entry& a, const entry& b) {
    return storage::compare_internal_keys(a.first, b.first) < 0;
  });
  return entries;
}

}  // namespace kepler::test
