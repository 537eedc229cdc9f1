#pragma once
// How a compaction's inputs grow from its first files on level n (compaction.md): the files of
// level n+1 they overlap, the widening of level n that brings no new level-n+1 file, and the
// overlapping files of level n+2. Shared by pick_compaction and pick_range_compaction; ranges
// are user-key ranges, both ends inclusive.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage_format/compaction/compaction.hpp"
#include "storage_format/version/version.hpp"

namespace kepler::storage {

/// The files of `level` whose user-key ranges overlap [begin, end] (nullopt: open at that
/// end), in the version's order. On level 0 the range grows with every file taken until no
/// further file overlaps it: level-0 ranges overlap one another, and leaving out an older file
/// that overlaps a taken one would put newer data below it. REQUIRES: 0 <= level < num_levels.
std::vector<compaction::file_ptr> overlapping_files(const version& v, int level,
                                                    std::optional<std::string_view> begin,
                                                    std::optional<std::string_view> end);

/// The smallest and largest user key of `a` and `b` together. REQUIRES: not both empty.
struct user_key_range {
  std::string smallest;
  std::string largest;
};
user_key_range range_of(const std::vector<compaction::file_ptr>& a,
                        const std::vector<compaction::file_ptr>& b = {});

std::uint64_t total_bytes(const std::vector<compaction::file_ptr>& files);

/// Completes `c` from c.level, c.inputs[0], c.base and c.options: sets c.inputs[1] to the
/// overlapping files of level n+1; widens c.inputs[0] to the files of level n inside the range
/// of both when that adds no file of level n+1 and both levels together stay under
/// max_expanded_compaction_bytes; sets c.grandparents to the files of level n+2 overlapping
/// both (none when n+1 is the last level).
/// REQUIRES: c.inputs[0] not empty, c.base set, 0 <= c.level < num_levels - 1.
void complete_inputs(compaction* c);

}  // namespace kepler::storage
