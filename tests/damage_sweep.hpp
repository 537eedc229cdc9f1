#pragma once
// The corruption sweeps' shared parts (storage_format/version/corruption_sweep_test.cpp on built
// stores, engine/killed_sweep_test.cpp on a store killed mid-write): the damaged images of a
// file (bytes flipped, cuts), staging an image on a fresh copy of the store, opening it with the
// plain recovery entry (no actor system), reading it whole, and the figures per file type and
// recovery mode.

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage_format/iterator/db_iterator.hpp"
#include "storage_format/iterator/view_iterator.hpp"
#include "storage_format/table/block_cache.hpp"
#include "storage_format/table/table_cache.hpp"
#include "storage_format/version/read_view.hpp"
#include "storage_format/version/recovery.hpp"

namespace kepler::test::sweep {

namespace st = kepler::storage;

enum class file_type { table, closed_log, newest_log, manifest, current, unlisted_table };
inline const char* type_name(file_type t) {
  switch (t) {
    case file_type::table:
      return "table";
    case file_type::closed_log:
      return "closed log";
    case file_type::newest_log:
      return "newest log";
    case file_type::manifest:
      return "MANIFEST";
    case file_type::current:
      return "CURRENT";
    case file_type::unlisted_table:
      return "unlisted table";  // a crash's half-made flush or compaction output
  }
  return "?";
}

inline const st::recovery_mode modes[] = {st::recovery_mode::point_in_time,
                                          st::recovery_mode::tolerate_tail,
                                          st::recovery_mode::absolute, st::recovery_mode::salvage};
inline const char* mode_name(st::recovery_mode m) {
  switch (m) {
    case st::recovery_mode::point_in_time:
      return "point_in_time";
    case st::recovery_mode::tolerate_tail:
      return "tolerate_tail";
    case st::recovery_mode::absolute:
      return "absolute";
    case st::recovery_mode::salvage:
      return "salvage";
  }
  return "?";
}

// What one damaged image gave, and the promise's violations.
struct tally {
  std::uint64_t images = 0, correct = 0, reported_drop = 0, error_at_open = 0, error_at_read = 0;
  std::uint64_t salvaged_partial = 0;  // salvage: opened with some data skipped, and said so
  std::uint64_t wrong_value = 0, invented = 0, holes = 0, silent_loss = 0;
  std::uint64_t not_refused = 0;  // a strict mode opened with a drop it must refuse
  std::uint64_t unnamed = 0;      // errors whose message does not name the damaged file
  std::string example;            // the first violation
  std::string unnamed_example;
  tally& operator+=(const tally& o) {
    images += o.images, correct += o.correct, reported_drop += o.reported_drop;
    error_at_open += o.error_at_open, error_at_read += o.error_at_read;
    salvaged_partial += o.salvaged_partial, wrong_value += o.wrong_value;
    invented += o.invented, holes += o.holes, silent_loss += o.silent_loss;
    not_refused += o.not_refused, unnamed += o.unnamed;
    if (example.empty()) example = o.example;
    if (unnamed_example.empty()) unnamed_example = o.unnamed_example;
    return *this;
  }
  std::uint64_t violations() const {
    return wrong_value + invented + holes + silent_loss + not_refused;
  }
};

/// One row of figures: "<store> store, <row>: images ..., correct ..., ...".
inline std::string row_line(const std::string& store_kind, const std::string& row, const tally& t) {
  return store_kind + " store, " + row + ": images " + std::to_string(t.images) + ", correct " +
         std::to_string(t.correct) + ", reported drop " + std::to_string(t.reported_drop) +
         ", salvaged partly " + std::to_string(t.salvaged_partial) + ", error at open " +
         std::to_string(t.error_at_open) + ", error at read " + std::to_string(t.error_at_read);
}

inline std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Every file of the store in `dir` but its LOCK, by name.
inline std::map<std::string, std::string> read_store(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (auto& e : std::filesystem::directory_iterator(dir)) {
    auto name = e.path().filename().string();
    if (name != "LOCK") files[name] = read_all(e.path().string());
  }
  return files;
}

/// Replaces `dir`'s contents with the pristine image, then `name` with `bytes`.
inline void stage(const std::map<std::string, std::string>& pristine, const std::string& dir,
                  const std::string& name, const std::string& bytes) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  for (const auto& [n, b] : pristine) {
    std::ofstream(dir + "/" + n, std::ios::binary) << (n == name ? bytes : b);
  }
}

/// Replaces only `name` in a staged `dir` with `bytes`: enough between read-only opens, which
/// write nothing.
inline void replace_file(const std::string& dir, const std::string& name,
                         const std::string& bytes) {
  std::ofstream(dir + "/" + name, std::ios::binary | std::ios::trunc) << bytes;
}

/// One damaged copy of a file.
struct image {
  std::string what;  // "<file> byte <i> ^<x>" or "<file> cut at <len>"
  std::string bytes;
  bool cut = false;
  std::size_t at = 0;  // the flipped byte's offset, or the cut's length
};

/// The damaged images of `bytes` (the file `name`): each sampled byte flipped with xor 0x01 and
/// xor 0xff, and the file cut at each sampled length. Every offset when `stride` is 1; else
/// about one in `stride`, always including the first and last `edge` bytes (headers, footers,
/// the tail).
inline std::vector<image> damaged_images(const std::string& name, const std::string& bytes,
                                         std::size_t stride, std::size_t edge) {
  auto sampled = [&](std::size_t i) {
    return i % stride == 0 || i < edge || i + edge >= bytes.size();
  };
  std::vector<image> images;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (!sampled(i)) continue;
    for (unsigned char x : {0x01, 0xff}) {
      std::string b = bytes;
      b[i] = static_cast<char>(b[i] ^ x);
      images.push_back(
          {name + " byte " + std::to_string(i) + " ^" + std::to_string(x), b, false, i});
    }
  }
  for (std::size_t len = 0; len < bytes.size(); ++len)
    if (sampled(len))
      images.push_back({name + " cut at " + std::to_string(len), bytes.substr(0, len), true, len});
  return images;
}

/// Opens the image in `dir` in `mode` with the plain recovery entry: read-only, except salvage,
/// which rewrites what it saves.
inline st::status open_image(const std::string& dir, st::recovery_mode mode,
                             st::recovered_store* out) {
  st::recovery_options ropts;
  ropts.create_if_missing = false;
  ropts.mode = mode;
  ropts.read_only = mode != st::recovery_mode::salvage;
  ropts.table.compression = st::block_codec::none;
  return st::recover_store(*st::file_system::posix(), dir, ropts, out);
}

/// Whether the open reported anything dropped or skipped.
inline bool reports_drop(const st::recovery_stats& s) {
  return s.torn_tail_bytes > 0 || s.dropped_records > 0 || !s.damage.empty();
}

/// What reading an opened image whole gave.
struct read_back {
  /// Each key asked for whose get succeeded: its value, or nullopt when absent.
  std::map<std::string, std::optional<std::string>> got;
  /// The full iteration, in order, up to its end or its error.
  std::vector<std::pair<std::string, std::string>> scanned;
  /// The first read error's message (a get's or the iteration's).
  std::optional<std::string> error;
};

/// Reads `keys` with gets and the whole store with one iteration, at the newest sequence.
template <typename Keys>
read_back read_image(const std::string& dir, const st::recovered_store& store, const Keys& keys) {
  read_back r;
  st::block_cache blocks(1 << 20);
  st::table_cache tables(*st::file_system::posix(), dir, 100, &blocks);
  auto view = std::make_shared<st::read_view>();
  view->mem = store.mem;
  view->files = store.versions.current();
  view->tables = &tables;
  const st::sequence_number at = st::max_sequence_number;
  st::read_options ro;
  for (const std::string& k : keys) {
    std::optional<std::string> v;
    auto s = view->get(ro, k, at, &v);
    if (!s.is_ok()) {
      if (!r.error) r.error = s.message();
      continue;
    }
    r.got[k] = std::move(v);
  }
  st::db_iterator it(st::new_view_iterator(view, ro), at, std::nullopt, std::nullopt);
  for (it.seek_to_first(); it.valid(); it.next())
    r.scanned.emplace_back(std::string(it.key()), std::string(it.value()));
  if (!it.state().is_ok() && !r.error) r.error = it.state().message();
  return r;
}

}  // namespace kepler::test::sweep
