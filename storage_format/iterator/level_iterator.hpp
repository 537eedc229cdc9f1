#pragma once
// One deeper level of the tree (level 1 and below) as a single internal_iterator: its files are
// sorted by key and disjoint, so the level is their concatenation. LevelDB's two-level iterator
// over a version's file list plays this role.
//
// Files are opened lazily through the table cache, one at a time: a scan holds at most one of
// the level's readers (the cache counts held readers as in use, and a level may have far more
// files than max_open_files), and a seek opens only the file that can hold the target.

#include <memory>
#include <vector>

#include "storage_format/iterator/internal_iterator.hpp"
#include "storage_format/table/table_cache.hpp"
#include "storage_format/table/table_options.hpp"
#include "storage_format/version/file_meta.hpp"

namespace kepler::storage {

/// Iterates the entries of `files` in order. `cache` opens them (table_cache::find) and must
/// outlive the iterator; the files must stay on disk while it lives (hold the version that
/// names them). Moving past a file's last (or first) entry opens the next (or previous) file;
/// a seek finds its file by binary search on the files' largest keys.
///
/// Errors: when a file fails to open (table_cache::find's errors: corruption for a missing or
/// damaged file, io_error, the open-file limit) or a block of it is damaged or unreadable, the
/// iterator becomes invalid, state() holding that status, and it does not skip to the next
/// file. The next positioning call (seek, seek_to_first, seek_to_last) clears the error and
/// tries again.
///
/// REQUIRES: `files` sorted by smallest key with disjoint key ranges (version::files for a
/// level >= 1), each file's `largest` its last internal key.
std::unique_ptr<internal_iterator> new_level_iterator(
    table_cache& cache, std::vector<std::shared_ptr<const file_meta>> files,
    const read_options& options);

}  // namespace kepler::storage
