#include "storage_format/compaction/compaction_picker.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include "storage_format/compaction/compaction_inputs.hpp"
#include "storage_format/memtable/internal_key.hpp"

namespace kepler::storage {

namespace {

compaction start(std::shared_ptr<const version> v, int level, const compaction_options& opts,
                 bool manual) {
  compaction c;
  c.level = level;
  c.base = std::move(v);
  c.options = opts;
  c.manual = manual;
  return c;
}

// Round robin: the first file whose keys lie past where the level's previous compaction
// ended, so every range of the level has its turn before any is compacted twice.
compaction::file_ptr next_in_turn(const version& v, int level, const std::string& pointer) {
  const auto& files = v.files(level);
  if (pointer.empty()) return files.front();
  auto it = std::find_if(files.begin(), files.end(), [&](const compaction::file_ptr& f) {
    return compare_internal_keys(f->largest, pointer) > 0;
  });
  return it != files.end() ? *it : files.front();  // past the last file: wrap to the first
}

}  // namespace

std::uint64_t max_bytes_for_level(int level, const compaction_options& opts) {
  constexpr std::uint64_t most = std::numeric_limits<std::uint64_t>::max();
  const auto multiplier = static_cast<std::uint64_t>(opts.level_size_multiplier);
  std::uint64_t bytes = opts.max_bytes_for_level_base;
  for (int l = 1; l < level; ++l) bytes = bytes > most / multiplier ? most : bytes * multiplier;
  return bytes;
}

double level_score(const version& v, int level, const compaction_options& opts) {
  if (level == 0)
    return static_cast<double>(v.files(0).size()) / static_cast<double>(opts.l0_compaction_trigger);
  if (level >= num_levels - 1) return 0;
  return static_cast<double>(v.level_bytes(level)) /
         static_cast<double>(max_bytes_for_level(level, opts));
}

std::optional<compaction> pick_compaction(std::shared_ptr<const version> v,
                                          const compact_pointers& pointers,
                                          const compaction_options& opts) {
  int best = -1;
  double best_score = 0;
  for (int level = 0; level < num_levels - 1; ++level) {
    const double score = level_score(*v, level, opts);
    // Strictly higher: on a tie the lower level wins, its data being the newer and the more
    // often read.
    if (score >= 1 && score > best_score) {
      best = level;
      best_score = score;
    }
  }
  if (best < 0) return std::nullopt;
  if (v->files(0).size() >= static_cast<std::size_t>(opts.l0_slowdown_trigger)) best = 0;

  compaction c = start(v, best, opts, false);
  if (best == 0) {
    c.inputs[0] = v->files(0);
  } else {
    c.inputs[0] = {next_in_turn(*v, best, pointers.at(best))};
  }
  complete_inputs(&c);
  return c;
}

std::optional<compaction> pick_range_compaction(std::shared_ptr<const version> v, int level,
                                                std::optional<std::string_view> begin,
                                                std::optional<std::string_view> end,
                                                const compaction_options& opts) {
  if (level < 0 || level >= num_levels - 1) return std::nullopt;
  std::vector<compaction::file_ptr> files = overlapping_files(*v, level, begin, end);
  if (files.empty()) return std::nullopt;
  compaction c = start(v, level, opts, true);
  c.inputs[0] = std::move(files);
  complete_inputs(&c);
  return c;
}

std::optional<compaction> pick_level_rewrite(std::shared_ptr<const version> v, int level,
                                             std::optional<std::string_view> begin,
                                             std::optional<std::string_view> end,
                                             const compaction_options& opts) {
  if (level < 1 || level >= num_levels) return std::nullopt;
  std::vector<compaction::file_ptr> files = overlapping_files(*v, level, begin, end);
  if (files.empty()) return std::nullopt;
  compaction c = start(v, level, opts, true);
  c.same_level = true;
  const user_key_range range = range_of(files);
  c.inputs[0] = std::move(files);
  if (level + 1 < num_levels)
    c.grandparents = overlapping_files(*v, level + 1, range.smallest, range.largest);
  return c;
}

}  // namespace kepler::storage
