#pragma once
// Which files to compact next (compaction.md): each level's score says how far it is over its
// size, the most urgent level at or over 1 is compacted, its files taken round robin (level 0:
// all of them) with the overlapping files of the next level. Also the choice for a compaction
// a user asks for over a key range. Plain functions of a version; the compactor actor calls
// them. LevelDB's VersionSet::PickCompaction and CompactRange play this role.

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "storage_format/compaction/compact_pointers.hpp"
#include "storage_format/compaction/compaction.hpp"
#include "storage_format/compaction/compaction_options.hpp"
#include "storage_format/version/version.hpp"

namespace kepler::storage {

/// The bytes at which level `level` scores 1: max_bytes_for_level_base x
/// level_size_multiplier^(level - 1), at most UINT64_MAX. REQUIRES: 1 <= level < num_levels.
std::uint64_t max_bytes_for_level(int level, const compaction_options& opts);

/// How urgently `level` needs compacting; 1 or more means it does. Level 0: its file count /
/// l0_compaction_trigger (level-0 files cost every lookup, whatever their size). Levels 1 to
/// num_levels - 2: their bytes / max_bytes_for_level. The last level: 0, it has no level below
/// to compact into. REQUIRES: 0 <= level < num_levels.
double level_score(const version& v, int level, const compaction_options& opts);

/// The compaction `v` needs most: of the levels scoring 1 or more the highest score (the lower
/// level on a tie), but level 0 whenever it holds l0_slowdown_trigger files or more. Level 0 takes
/// every level-0 file, so no older level-0 file stays above the newer data written to level 1. A
/// deeper level n takes the first file after pointers.at(n) (the first file of the level when none
/// is after it, or no pointer is set), widened as complete_inputs (compaction_inputs.hpp) says.
/// Either way with the files of level n+1 they overlap and the files of level n+2 that overlap
/// both. nullopt when no level scores
/// 1. The result's base is `v`, its options `opts`, manual false. REQUIRES: v not null.
std::optional<compaction> pick_compaction(std::shared_ptr<const version> v,
                                          const compact_pointers& pointers,
                                          const compaction_options& opts);

/// A compaction of the files of `level` overlapping the user keys [begin, end] (nullopt: open
/// at that end) into level + 1, as a user's compact_range asks, whatever the scores. On level
/// 0 every level-0 file overlapping a taken one is taken too, transitively. Then completed as
/// pick_compaction's; manual true. nullopt when no file of `level` overlaps the range, or
/// `level` is the last level or not a level. To compact a range fully, compact it on each
/// level from 0 down to num_levels - 2. REQUIRES: v not null.
std::optional<compaction> pick_range_compaction(std::shared_ptr<const version> v, int level,
                                                std::optional<std::string_view> begin,
                                                std::optional<std::string_view> end,
                                                const compaction_options& opts);

/// A rewrite of the files of `level` overlapping [begin, end] in place (same_level): the last
/// step of a manual compaction, whose levels above leave their data on the deepest one but
/// would never rewrite that level itself, so versions only a since released snapshot could see
/// would stay there. Grandparents are the overlapping files of level + 1. nullopt when no file
/// overlaps or `level` is not 1 to num_levels - 1. REQUIRES: v not null.
std::optional<compaction> pick_level_rewrite(std::shared_ptr<const version> v, int level,
                                             std::optional<std::string_view> begin,
                                             std::optional<std::string_view> end,
                                             const compaction_options& opts);

}  // namespace kepler::storage
