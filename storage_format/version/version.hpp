#pragma once
// One immutable state of the store's table files: which files make up each level. A version is
// shared (std::shared_ptr) by the version set and every read view that took it, so a reader
// keeps the files it reads alive; the version set computes from the versions still held which
// files may be deleted (version_set.hpp). LevelDB's Version plays this role.

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "storage_format/version/file_meta.hpp"

namespace kepler::storage {

/// Levels 0 (flushed memtables, key ranges may overlap) to num_levels - 1.
constexpr int num_levels = 7;

class version {
 public:
  using file_ptr = std::shared_ptr<const file_meta>;

  /// Level 0 newest first (by largest sequence, then number); deeper levels by smallest key,
  /// their ranges disjoint. REQUIRES: 0 <= level < num_levels.
  const std::vector<file_ptr>& files(int level) const { return levels_[level]; }
  std::size_t file_count() const;
  std::uint64_t level_bytes(int level) const;

  /// The files of `level` whose key range holds `user_key`, in the order a lookup must visit
  /// them (level 0 newest first; at most one file on a deeper level).
  std::vector<const file_meta*> files_for_key(int level, std::string_view user_key) const;

 private:
  friend class version_builder;
  std::vector<file_ptr> levels_[num_levels];
};

/// Builds the next version from a base and the files an edit adds and deletes.
class version_builder {
 public:
  using file_ptr = version::file_ptr;

  explicit version_builder(const version& base);
  /// REQUIRES: 0 <= level < num_levels.
  void add_file(int level, file_ptr file);
  void delete_file(int level, std::uint64_t number);
  /// The result, levels sorted as version::files promises. False (and `*out` untouched) with a
  /// reason in `*why` when an edit deletes a file the level does not hold, adds a number that is
  /// already live, or makes the ranges of a deeper level overlap.
  bool finish(std::shared_ptr<const version>* out, std::string* why);

 private:
  std::vector<file_ptr> levels_[num_levels];
  std::string error_;
};

}  // namespace kepler::storage
