#pragma once
// The store the CLI tests inspect, written through the library in three known phases, so what
// the commands print can be checked against what was written.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "kepler/db.hpp"

namespace kepler::test {

inline std::string key_of(char prefix, int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%06d", prefix, i);
  return buf;
}

inline std::string value_of(int i) {
  std::string v = "value-" + std::to_string(i) + "-";
  for (int j = 0; v.size() < 100; ++j) v.push_back(static_cast<char>('a' + (i * 7 + j * 13) % 26));
  return v;
}

// What the test wrote, in three phases: `first` keys flushed and compacted into tables, then
// `second` keys left in a log that the next open turns into a level-0 table, then `puts`
// inserts and `dels` removes left in a closed log.
struct written_store {
  int first = 3000;
  int second = 40;
  int puts = 25;
  int dels = 5;
  std::uint64_t last_table_sequence() const { return first + second; }
  std::uint64_t last_sequence() const { return last_table_sequence() + puts + dels; }
};

inline std::unique_ptr<kepler::db> open_ok(const std::string& dir, const kepler::options& opts) {
  auto store = kepler::db::open(dir, opts);
  REQUIRE_MESSAGE(store, kepler::to_string(store.error()));
  return std::move(*store);
}

inline void write_store(const std::string& dir, const written_store& w) {
  kepler::options opts;
  opts.memtable_bytes = 32 * 1024;    // several flushes, so compaction has files to merge
  opts.target_file_size = 16 * 1024;  // and makes several tables below level 0
  {
    auto store = open_ok(dir, opts);
    for (int i = 0; i < w.first; ++i) REQUIRE(store->insert(key_of('a', i), value_of(i)));
    REQUIRE(store->compact_range(std::nullopt, std::nullopt));
    for (int i = 0; i < w.second; ++i) REQUIRE(store->insert(key_of('m', i), value_of(i)));
    REQUIRE(store->close());
  }
  // One log for the whole third phase, however many puts it has.
  opts.memtable_bytes = 4 * 1024 * 1024;
  auto store = open_ok(dir, opts);
  for (int i = 0; i < w.puts; ++i) REQUIRE(store->insert(key_of('z', i), value_of(i)));
  for (int i = 0; i < w.dels; ++i) REQUIRE(store->remove(key_of('a', i)));
  REQUIRE(store->close());
}

inline std::vector<std::string> names_with(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const auto name = e.path().filename().string();
    if (name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix)
      names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace kepler::test
