#pragma once
// The one sorted stream a compaction merges (run_compaction's input): every input file of
// level n and n+1 through the iterator stack (storage_format/iterator/). Level-0 inputs each
// get their own table iterator, since their ranges overlap; a deeper level's inputs are one
// level iterator, which opens one file at a time.

#include <memory>

#include "storage_format/compaction/compaction.hpp"
#include "storage_format/iterator/internal_iterator.hpp"
#include "storage_format/table/table_cache.hpp"

namespace kepler::storage {

/// The merge of `c`'s inputs, opened through `tables` (which must outlive it). Reads verify
/// every block's checksum and bypass the block cache (a compaction reads each block once and
/// must not push out the readers' hot blocks). A file that fails to open makes the iterator
/// invalid with that status (table_cache::find's errors), which run_compaction reports.
/// REQUIRES: c's input files stay on disk while the iterator lives (c.base names them).
std::unique_ptr<internal_iterator> new_compaction_input(table_cache& tables, const compaction& c);

}  // namespace kepler::storage
