#pragma once
// What the engine tests share: error checks, opening a store, a store filled with a known set of
// keys, counting which of them a store holds, the bytes a store takes on disk, and writing files
// the way the store frames them.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kepler/db.hpp"
#include "storage_format/log/log_writer.hpp"
#include "storage_format/util/file_system.hpp"

namespace kepler::test {

inline bool has_code(const caf::error& err, ec code) {
  return err.category() == caf::atom("kepler") && err.code() == static_cast<std::uint8_t>(code);
}

/// "opened", or the error an open returned: safe to evaluate either way (doctest evaluates a
/// REQUIRE_MESSAGE's message even when the check passes, under -s).
template <class T>
std::string outcome(const caf::expected<T>& opened) {
  return opened ? std::string("opened") : kepler::to_string(opened.error());
}

/// The store opened (or created) in `dir`; the test stops when the open fails.
inline std::unique_ptr<kepler::db> open_ok(const std::string& dir,
                                           const kepler::options& opts = {}) {
  auto store = kepler::db::open(dir, opts);
  REQUIRE_MESSAGE(store, outcome(store));
  return std::move(*store);
}

/// The store's db::stats(); the test stops when the call fails.
inline kepler::db_stats stats_of(const kepler::db& store) {
  auto stats = store.stats();
  REQUIRE_MESSAGE(stats, (stats ? std::string() : kepler::to_string(stats.error())));
  return *stats;
}

/// What the store takes on disk: the bytes of every file in `dir` (a file a background
/// compaction removes meanwhile counts as gone).
inline std::uint64_t bytes_on_disk(const std::string& dir) {
  std::uint64_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::error_code vanished;
    auto size = entry.file_size(vanished);
    if (!vanished) total += size;
  }
  return total;
}

inline std::string key_of(int i) {
  return "key" + std::to_string(i);
}

/// 100 bytes, different for every key.
inline std::string value_of(int i) {
  std::string v = "value" + std::to_string(i) + ":";
  v.resize(100, static_cast<char>('a' + i % 26));
  return v;
}

/// Opens (creating) the store in `dir`, writes key_of(i) -> value_of(i) for i < n, closes it.
inline void fill_store(const std::string& dir, int n, kepler::options opts = {}) {
  auto store = kepler::db::open(dir, opts);
  REQUIRE_MESSAGE(store, outcome(store));
  for (int i = 0; i < n; ++i) REQUIRE((*store)->insert(key_of(i), value_of(i)));
  REQUIRE((*store)->close());
}

/// How many of key_of(i) -> value_of(i), i < n, the open store holds.
inline int count_present(kepler::db& store, int n) {
  int present = 0;
  for (int i = 0; i < n; ++i) {
    auto v = store.get(key_of(i));
    REQUIRE(v);
    if (*v == std::optional<std::string>(value_of(i))) ++present;
  }
  return present;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

/// The names of the files in `dir` ending with `suffix`, sorted.
inline std::vector<std::string> with_suffix(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> names;
  for (auto& e : std::filesystem::directory_iterator(dir)) {
    auto name = e.path().filename().string();
    if (name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// Flips the byte at `offset` of the file at `path` (xor 0x5a).
inline void flip_byte(const std::string& path, std::uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  f.seekp(static_cast<std::streamoff>(offset));
  c = static_cast<char>(c ^ 0x5a);
  f.write(&c, 1);
}

/// Writes `records` as a log (or MANIFEST) named `name` in `dir`, framed as the store frames
/// them.
inline void write_log(const std::string& dir, const std::string& name,
                      const std::vector<std::string>& records) {
  std::unique_ptr<storage::writable_file> file;
  REQUIRE(storage::file_system::posix()->new_writable_file(dir + "/" + name, &file).is_ok());
  storage::log::writer writer(file.get());
  for (const auto& r : records) REQUIRE(writer.append_record(r).is_ok());
  REQUIRE(file->sync().is_ok());
  REQUIRE(file->close().is_ok());
}

}  // namespace kepler::test
