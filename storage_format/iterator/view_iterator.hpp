#pragma once
// Everything a read view holds as one internal_iterator (doc/design.md, "Read path"): the
// active memtable, the sealed memtables, each level-0 file and each deeper level, merged. It is
// the input of the user-level db_iterator, as LevelDB's DBImpl::NewInternalIterator.

#include <memory>

#include "storage_format/iterator/internal_iterator.hpp"
#include "storage_format/table/table_options.hpp"
#include "storage_format/version/read_view.hpp"

namespace kepler::storage {

/// Merges (new_merging_iterator) the view's active memtable, its sealed memtables newest
/// first, one table iterator per level-0 file newest first (opened now through view->tables)
/// and one level iterator per non-empty deeper level (opening its files lazily), in that order.
/// The iterator holds `view`, hence its memtables and its version, so the files it names stay
/// on disk until the iterator is destroyed, whatever views the store installs meanwhile.
///
/// Errors come through state() (the merge stops at the first): a level-0 file that fails to
/// open here (table_cache::find's errors: corruption for a missing or damaged file, io_error,
/// the open-file limit) and any error a table meets while reading (corruption naming the file
/// and offset, io_error).
///
/// REQUIRES: view is not null; view->tables is set unless the version names no file.
std::unique_ptr<internal_iterator> new_view_iterator(std::shared_ptr<const read_view> view,
                                                     const read_options& options);

}  // namespace kepler::storage
