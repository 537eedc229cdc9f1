#pragma once
// Iterators over nothing: a source with no entries (an empty level, a merge of no children),
// and a source that could not be opened, which reports its error through state() where the
// caller reads every other iterator's error, instead of through a second error path.

#include <memory>

#include "storage_format/iterator/internal_iterator.hpp"
#include "storage_format/util/status.hpp"

namespace kepler::storage {

/// Never valid; state() is ok.
std::unique_ptr<internal_iterator> new_empty_iterator();

/// Never valid; state() is `error` whatever the iterator is asked. REQUIRES: !error.is_ok()
/// (an ok status gives an empty iterator).
std::unique_ptr<internal_iterator> new_error_iterator(status error);

}  // namespace kepler::storage
