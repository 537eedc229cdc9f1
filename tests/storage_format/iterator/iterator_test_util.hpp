#pragma once
// Shared by the iterator tests: an internal_iterator over a vector (with a failure to inject),
// whole scans of an iterator, and table files on disk opened through a table cache.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "storage_format/iterator/internal_iterator.hpp"
#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/memtable/memtable.hpp"
#include "storage_format/table/table_builder.hpp"
#include "storage_format/table/table_cache.hpp"
#include "storage_format/table/table_test_util.hpp"
#include "storage_format/version/file_meta.hpp"
#include "storage_format/version/file_names.hpp"
#include "storage_format/version/version.hpp"
#include "test_dir.hpp"

namespace kepler::test {

inline std::string deletion_key(std::string_view user_key, storage::sequence_number seq) {
  return ikey(user_key, seq, storage::value_type::deletion);
}

/// The user key of an internal key (its tag dropped).
inline std::string_view user_key_of(std::string_view internal_key) {
  REQUIRE(internal_key.size() >= 8);
  return internal_key.substr(0, internal_key.size() - 8);
}

inline void sort_entries(entry_list* entries) {
  std::sort(entries->begin(), entries->end(), [](const auto& a, const auto& b) {
    return storage::compare_internal_keys(a.first, b.first) < 0;
  });
}

/// Every entry from the first on, by next().
inline entry_list scan_forward(storage::internal_iterator& it) {
  entry_list out;
  for (it.seek_to_first(); it.valid(); it.next())
    out.emplace_back(std::string(it.key()), std::string(it.value()));
  return out;
}

/// Every entry from the last on, by prev(), put back into ascending order.
inline entry_list scan_backward(storage::internal_iterator& it) {
  entry_list out;
  for (it.seek_to_last(); it.valid(); it.prev())
    out.emplace_back(std::string(it.key()), std::string(it.value()));
  std::reverse(out.begin(), out.end());
  return out;
}

/// Sorted entries as an internal_iterator. Keys are not checked, so a test may hand it
/// malformed ones. With `fail_at` set, any move onto that entry fails instead: the iterator
/// becomes invalid with an io_error, as a source meeting an unreadable block would.
class vector_iterator final : public storage::internal_iterator {
 public:
  static constexpr std::size_t never = std::numeric_limits<std::size_t>::max();

  explicit vector_iterator(entry_list entries, std::size_t fail_at = never)
      : entries_(std::move(entries)), fail_at_(fail_at), pos_(entries_.size()) {}

  bool valid() const override { return pos_ < entries_.size(); }
  void seek_to_first() override { move_to(0); }
  void seek_to_last() override { move_to(entries_.empty() ? 0 : entries_.size() - 1); }
  void seek(std::string_view target) override {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), target,
                               [](const auto& e, std::string_view t) {
                                 return storage::compare_internal_keys(e.first, t) < 0;
                               });
    move_to(static_cast<std::size_t>(it - entries_.begin()));
  }
  void next() override {
    REQUIRE(valid());
    move_to(pos_ + 1);
  }
  void prev() override {
    REQUIRE(valid());
    move_to(pos_ == 0 ? entries_.size() : pos_ - 1);
  }
  std::string_view key() const override { return entries_.at(pos_).first; }
  std::string_view value() const override { return entries_.at(pos_).second; }
  storage::status state() const override { return status_; }

  /// How many times the iterator was moved (positioned or stepped).
  int moves = 0;

 private:
  void move_to(std::size_t pos) {
    ++moves;
    status_ = storage::status::ok();
    pos_ = pos < entries_.size() ? pos : entries_.size();
    if (pos_ == fail_at_) {
      status_ = storage::status::io_error("vector: injected failure at entry " +
                                          std::to_string(fail_at_));
      pos_ = entries_.size();
    }
  }

  entry_list entries_;
  std::size_t fail_at_;
  std::size_t pos_;
  storage::status status_;
};

/// Table files in a fresh directory, written through the POSIX file system and opened through a
/// table cache of `max_open_files` readers without a block cache.
class table_dir {
 public:
  explicit table_dir(std::size_t max_open_files = 100)
      : cache(*storage::file_system::posix(), dir.path(), max_open_files, nullptr) {
    REQUIRE(storage::file_system::posix()->create_dir(dir.path()).is_ok());
  }

  /// Writes table `number` of `entries` (sorted internal keys, at least one) and returns what
  /// a version would record of it.
  std::shared_ptr<const storage::file_meta> write(std::uint64_t number, const entry_list& entries,
                                                  const storage::table_options& options = {}) {
    REQUIRE_FALSE(entries.empty());
    std::unique_ptr<storage::writable_file> file;
    REQUIRE(storage::file_system::posix()->new_writable_file(path(number), &file).is_ok());
    storage::table_builder builder(options, file.get());
    auto meta = std::make_shared<storage::file_meta>();
    meta->number = number;
    meta->smallest_sequence = storage::max_sequence_number;
    for (const auto& [k, v] : entries) {
      REQUIRE(builder.add(k, v).is_ok());
      storage::parsed_internal_key parsed;
      REQUIRE(storage::parse_internal_key(k, &parsed));
      meta->smallest_sequence = std::min(meta->smallest_sequence, parsed.sequence);
      meta->largest_sequence = std::max(meta->largest_sequence, parsed.sequence);
    }
    REQUIRE(builder.finish().is_ok());
    REQUIRE(file->close().is_ok());
    meta->size = builder.file_size();
    meta->smallest = entries.front().first;
    meta->largest = entries.back().first;
    return meta;
  }

  std::string path(std::uint64_t number) const {
    return storage::join_path(dir.path(), storage::table_file_name(number));
  }

  temp_dir dir{"kepler-iterator"};
  storage::table_cache cache;
};

/// A memtable holding `entries` (internal keys that parse).
inline std::shared_ptr<storage::memtable> memtable_of(const entry_list& entries) {
  auto mem = std::make_shared<storage::memtable>();
  for (const auto& [k, v] : entries) {
    storage::parsed_internal_key parsed;
    REQUIRE(storage::parse_internal_key(k, &parsed));
    mem->add(parsed.sequence, parsed.type, parsed.user_key, v);
  }
  return mem;
}

/// A version with levels[l] on level l (level 0's files in any order; a deeper level's sorted
/// and disjoint).
inline std::shared_ptr<const storage::version> version_of(
    const std::vector<std::vector<std::shared_ptr<const storage::file_meta>>>& levels) {
  storage::version empty;
  storage::version_builder builder(empty);
  for (std::size_t level = 0; level < levels.size(); ++level)
    for (const auto& f : levels[level]) builder.add_file(static_cast<int>(level), f);
  std::shared_ptr<const storage::version> out;
  std::string why;
  REQUIRE_MESSAGE(builder.finish(&out, &why), why);
  return out;
}

}  // namespace kepler::test
