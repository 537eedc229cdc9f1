#pragma once
// A table file as an internal_iterator: every entry of an open table_reader, both ways.

#include <memory>

#include "storage_format/iterator/internal_iterator.hpp"
#include "storage_format/table/table_options.hpp"
#include "storage_format/table/table_reader.hpp"

namespace kepler::storage {

/// Iterates `reader` (table_reader::iterator) with `options` for every block it reads, holding
/// the reader until the iterator is destroyed: the table cache counts a held reader as in use
/// and never closes it under the iterator. state() reports what stopped it: corruption naming
/// the file and offset of a damaged block, or the file's io_error; the error sticks (later
/// positioning calls do nothing). REQUIRES: reader is not null.
std::unique_ptr<internal_iterator> new_table_iterator(std::shared_ptr<const table_reader> reader,
                                                      const read_options& options);

}  // namespace kepler::storage
