#pragma once
// Where a compaction's output files end (compaction.md): at target_file_size, and where the
// output has come to overlap max_grandparent_overlap bytes of level n+2, so that compacting the
// output into level n+2 later rewrites a bounded amount (LevelDB's ShouldStopBefore). It only
// advises: the caller closes an output only between two user keys, since the versions of one
// key must stay in one file (a level's files may not share a user key).

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "storage_format/compaction/compaction.hpp"
#include "storage_format/compaction/compaction_options.hpp"

namespace kepler::storage {

class output_splitter {
 public:
  /// `grandparents`: the compaction's level-n+2 files, by smallest key (not owned; it must
  /// outlive the splitter).
  output_splitter(const std::vector<compaction::file_ptr>& grandparents,
                  const compaction_options& opts);

  /// Whether the open output, `output_bytes` long so far (0 when none is open), should be
  /// closed before `internal_key` is added: it has reached target_file_size, or together with
  /// the key it would overlap more than max_grandparent_overlap bytes of grandparents. While the
  /// caller cannot close (same user key) the answer stays true until it does. REQUIRES: called
  /// for every key written, in order, before it is added (also an output's first).
  bool should_close_before(std::string_view internal_key, std::uint64_t output_bytes);

  /// The caller closed the output: the next one starts with no grandparent overlap.
  void output_closed() { overlap_ = 0; }

 private:
  const std::vector<compaction::file_ptr>& grandparents_;
  std::uint64_t target_file_size_;
  std::uint64_t max_overlap_;
  std::size_t next_ = 0;  // the first grandparent not wholly before the last key
  bool seen_key_ = false;
  std::uint64_t overlap_ = 0;  // bytes of grandparents the open output spans
};

}  // namespace kepler::storage
