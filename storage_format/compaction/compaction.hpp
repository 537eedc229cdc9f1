#pragma once
// One compaction, as the picker chose it (compaction_picker.hpp): which files of level n and
// n+1 are merged into new files on level n+1, which files of level n+2 bound the size of each
// output, and the version they were chosen from. A plain value: the compactor actor holds it
// while run_compaction (run_compaction.hpp) merges the inputs, and compaction_edit turns it and
// the result into the MANIFEST edit. LevelDB's Compaction plays this role.

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "storage_format/compaction/compaction_options.hpp"
#include "storage_format/version/file_meta.hpp"
#include "storage_format/version/version.hpp"

namespace kepler::storage {

struct compaction {
  using file_ptr = std::shared_ptr<const file_meta>;

  /// The input level n; the outputs go to level n + 1 (or n, same_level).
  /// 0 <= level < num_levels - 1, or 1 <= level < num_levels when same_level.
  int level = 0;
  /// inputs[0]: files of level n (level 0 newest first, deeper levels by smallest key);
  /// inputs[1]: the files of level n+1 whose ranges overlap them, by smallest key.
  std::array<std::vector<file_ptr>, 2> inputs;
  /// The files of level n+2 that overlap the inputs: an output is closed once it overlaps too
  /// many of their bytes (compaction_options::max_grandparent_overlap).
  std::vector<file_ptr> grandparents;
  /// The version the inputs were chosen from. It keeps the input files alive and answers
  /// deeper_levels_hold. The inputs are still in the current version when the edit applies
  /// only if no other edit deleted them meanwhile: the compactor is the only one that does.
  std::shared_ptr<const version> base;
  /// The options the picker used; run_compaction splits outputs by them.
  compaction_options options;
  /// Asked for by pick_range_compaction rather than by a level's score.
  bool manual = false;
  /// The outputs replace the inputs on level n itself (inputs[1] empty; the grandparents are
  /// then level n+1's files): a manual compaction's rewrite of the deepest level holding the
  /// range, which drops what only released snapshots could see (pick_level_rewrite).
  bool same_level = false;

  int output_level() const { return same_level ? level : level + 1; }
  /// The bytes of every input file, both levels.
  std::uint64_t input_bytes() const;
  /// Whether a file on a level below the output level (n+2 and deeper) has `user_key` in its
  /// range: an older version of the key may live there, so a deletion of the key must be kept
  /// to hide it. True for every key when `base` is null (keeping deletions is always safe).
  bool deeper_levels_hold(std::string_view user_key) const;
};

}  // namespace kepler::storage
