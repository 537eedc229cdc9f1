#pragma once
// The one sorted stream a compaction merges (run_compaction's input): every input file of
// level n and n+1 through the iterator stack (storage_format/iterator/). Level-0 inputs each
// get their own table iterator, since their ranges overlap; a deeper level's inputs are one
// level iterator, which opens one file at a time.
//
// The inputs are opened through a table cache of the compaction's own, sized to hold them
// all, not the store's: the store's cache is bounded by options::max_open_files and fails a
// lookup when every reader is in use, and a compaction that failed for that (a passing
// condition) would stop the store's writes. The compaction's readers read each block once,
// so they neither use nor fill the block cache.

#include <memory>
#include <string>

#include "storage_format/compaction/compaction.hpp"
#include "storage_format/iterator/internal_iterator.hpp"
#include "storage_format/util/file_system.hpp"

namespace kepler::storage {

/// The merge of `c`'s inputs, the tables in `dir` opened through `fs` (which must outlive it),
/// every block's checksum verified. A file that fails to open makes the iterator invalid with
/// that status (table_cache::find's errors: corruption for a missing or damaged file,
/// io_error), which run_compaction reports. REQUIRES: c's input files stay on disk while the
/// iterator lives (c.base names them).
std::unique_ptr<internal_iterator> new_compaction_input(file_system& fs, const std::string& dir,
                                                        const compaction& c);

}  // namespace kepler::storage
