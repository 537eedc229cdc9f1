#pragma once
// Several sorted sources as one: the merge of their entries in internal-key order, both ways.
// A read merges the memtables and the tables of a view; a compaction merges its input files.
// LevelDB's merger.cc plays this role; this one keeps its children in a binary heap, so a step
// costs O(log n) key comparisons rather than n (level 0 may hold dozens of files).

#include <memory>
#include <vector>

#include "storage_format/iterator/internal_iterator.hpp"

namespace kepler::storage {

/// Merges `children` (taken; in any position, they are repositioned by every positioning
/// call). Entries come in internal-key order; should two children hold an equal internal key
/// (a store never writes one twice), the earlier child's entry comes first going forward and
/// last going backward, so both directions read the same sequence. next() and prev() may be
/// mixed freely: a change of direction repositions the other children around the current key.
///
/// Errors: state() is the first error among the children, in their order. Unlike LevelDB's
/// merger, the merge stops (becomes invalid) as soon as a child reports an error rather than
/// going on with the others: a broken newer source may hold the deletion or the newer value of
/// a key, and reading on would show an older version as the current one. A positioning call
/// tries every child again.
///
/// No children gives an empty iterator; one child is returned as it is.
std::unique_ptr<internal_iterator> new_merging_iterator(
    std::vector<std::unique_ptr<internal_iterator>> children);

}  // namespace kepler::storage
