#include "storage_format/compaction/compaction_inputs.hpp"

#include <utility>

#include "storage_format/memtable/internal_key.hpp"

namespace kepler::storage {

std::vector<compaction::file_ptr> overlapping_files(const version& v, int level,
                                                    std::optional<std::string_view> begin,
                                                    std::optional<std::string_view> end) {
  // Copies: on level 0 the bounds grow beyond what the caller passed.
  std::optional<std::string> lo(begin), hi(end);
  std::vector<compaction::file_ptr> out;
  const auto& files = v.files(level);
  for (std::size_t i = 0; i < files.size();) {
    const compaction::file_ptr& f = files[i++];
    const std::string_view first = extract_user_key(f->smallest);
    const std::string_view last = extract_user_key(f->largest);
    if ((lo && last < *lo) || (hi && first > *hi)) continue;
    if (level == 0) {
      // A file reaching past the range widens it; files passed over before may overlap the
      // wider range, so the scan starts over. Each restart widens the range, so it ends.
      const bool wider_below = lo && first < *lo;
      const bool wider_above = hi && last > *hi;
      if (wider_below) lo = std::string(first);
      if (wider_above) hi = std::string(last);
      if (wider_below || wider_above) {
        out.clear();
        i = 0;
        continue;
      }
    }
    out.push_back(f);
  }
  return out;
}

user_key_range range_of(const std::vector<compaction::file_ptr>& a,
                        const std::vector<compaction::file_ptr>& b) {
  std::optional<std::string_view> lo, hi;
  for (const auto* files : {&a, &b})
    for (const auto& f : *files) {
      const std::string_view first = extract_user_key(f->smallest);
      const std::string_view last = extract_user_key(f->largest);
      if (!lo || first < *lo) lo = first;
      if (!hi || last > *hi) hi = last;
    }
  return {std::string(*lo), std::string(*hi)};
}

std::uint64_t total_bytes(const std::vector<compaction::file_ptr>& files) {
  std::uint64_t bytes = 0;
  for (const auto& f : files) bytes += f->size;
  return bytes;
}

void complete_inputs(compaction* c) {
  const version& v = *c->base;
  const int n = c->level;
  const user_key_range first = range_of(c->inputs[0]);
  c->inputs[1] = overlapping_files(v, n + 1, first.smallest, first.largest);

  // Widen level n to every file inside the range both levels span, as long as that range, so
  // widened, still overlaps no further file of level n+1: those files would otherwise be left
  // for a compaction of their own that rewrites the same level-n+1 files again. One step is
  // all there is: the files taken are every level-n file the range touches (on level 0, with
  // every file they overlap in turn), so a second step finds no more.
  const user_key_range both = range_of(c->inputs[0], c->inputs[1]);
  std::vector<compaction::file_ptr> wider = overlapping_files(v, n, both.smallest, both.largest);
  if (wider.size() > c->inputs[0].size() &&
      total_bytes(wider) + total_bytes(c->inputs[1]) < c->options.max_expanded_compaction_bytes) {
    const user_key_range widened = range_of(wider);
    // A superset of inputs[1]: the same count means the same files.
    if (overlapping_files(v, n + 1, widened.smallest, widened.largest).size() ==
        c->inputs[1].size())
      c->inputs[0] = std::move(wider);
  }

  c->grandparents.clear();
  if (n + 2 < num_levels) {
    const user_key_range all = range_of(c->inputs[0], c->inputs[1]);
    c->grandparents = overlapping_files(v, n + 2, all.smallest, all.largest);
  }
}

}  // namespace kepler::storage
