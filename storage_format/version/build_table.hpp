#pragma once
// Writes a sealed memtable as a table file: the flush (doc/design.md, "Flush"), as LevelDB's
// db/builder.cc. Plain code over the file-system seam; the flush worker actor and recovery call
// it. The order: write every entry, sync the file, close it, sync the directory; only then may
// a MANIFEST edit name the file. On any failure the half-written file is removed (best effort:
// recovery removes table files that no version names).

#include <cstdint>
#include <string>

#include "storage_format/memtable/memtable.hpp"
#include "storage_format/table/table_options.hpp"
#include "storage_format/util/file_system.hpp"
#include "storage_format/util/status.hpp"
#include "storage_format/version/file_meta.hpp"

namespace kepler::storage {

/// Writes every entry of `mem` (all versions, in internal-key order) to table `number` in `dir`
/// and fills `*out` (number, size, key range, sequence range). An empty memtable writes no file
/// and leaves out->size 0. Errors: the file system's (io_error naming the file).
status build_table(file_system& fs, const std::string& dir, const table_options& options,
                   const memtable& mem, std::uint64_t number, file_meta* out);

}  // namespace kepler::storage
