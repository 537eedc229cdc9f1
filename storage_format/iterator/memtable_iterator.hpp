#pragma once
// A memtable as an internal_iterator: every version of every key, both ways, for merging with
// the other sources of a read view or for writing a table.

#include <memory>

#include "storage_format/iterator/internal_iterator.hpp"
#include "storage_format/memtable/memtable.hpp"

namespace kepler::storage {

/// Iterates `mem` (memtable::iterator), holding it alive until the iterator is destroyed, so a
/// caller may drop its own reference (a view swapped after a flush) while it iterates. Safe
/// while the memtable's single writer adds (entries added meanwhile may or may not be seen).
/// Never fails: state() is always ok. REQUIRES: mem is not null.
std::unique_ptr<internal_iterator> new_memtable_iterator(std::shared_ptr<const memtable> mem);

}  // namespace kepler::storage
