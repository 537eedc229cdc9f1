#pragma once
// Where the next compaction of each level starts: the largest key of the previous one there.
// Compacting a level's files round robin, rather than always the first or the largest, spreads
// the rewrites over the whole key space, so no range is rewritten again while others wait
// (compaction.md). The caller (the compactor actor) keeps one and passes it to the picker.
//
// Not recorded in the MANIFEST: after a reopen every level starts again at its first file,
// which costs at most one compaction out of turn per level.

#include <array>
#include <string>

#include "storage_format/compaction/compaction.hpp"
#include "storage_format/version/version.hpp"

namespace kepler::storage {

class compact_pointers {
 public:
  /// The largest internal key of the last compaction recorded on `level`; empty when none is.
  /// REQUIRES: 0 <= level < num_levels.
  const std::string& at(int level) const { return keys_[level]; }

  /// Records `c`: the next automatic compaction of its level starts at the first file after
  /// the largest key of c.inputs[0]. Call it once c's edit is installed (or when it is picked,
  /// so that a compaction that keeps failing does not block the rest of its level).
  /// REQUIRES: c.inputs[0] is not empty.
  void advance(const compaction& c);

 private:
  std::array<std::string, num_levels> keys_;
};

}  // namespace kepler::storage
