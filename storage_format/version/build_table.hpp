#pragma once
// Writes a sealed memtable as a table file: the flush (doc/design.md, "Flush"), as LevelDB's
// db/builder.cc. Plain code over the file-system seam; the flush worker actor and recovery call
// it. The order: write every entry, sync the file, close it, sync the directory; only then may
// a MANIFEST edit name the file; table_file_writer.hpp carries out that protocol, for
// compaction's outputs too. On any failure the half-written file is removed (best effort:
// recovery removes table files that no version names).
//
// Kill points (kill_point.hpp) on the way: after_table_write once every entry is handed to the
// builder (the last data block, the filter, index and footer are still to be written, nothing
// is synced: table_builder::finish writes them and syncs in one call), after_table_sync once the
// file is synced and closed, before the directory sync.

#include <cstdint>
#include <string>

#include "storage_format/memtable/memtable.hpp"
#include "storage_format/table/table_options.hpp"
#include "storage_format/util/file_system.hpp"
#include "storage_format/util/status.hpp"
#include "storage_format/version/file_meta.hpp"

namespace kepler::storage {

/// Writes every entry of `mem` (all versions, in internal-key order) to table `number` in `dir`
/// (table_file_name) and fills `*out`: number, size, the first and last internal keys, the
/// lowest and highest sequence. An empty memtable writes no file and leaves out->size 0 (with
/// out->number set). REQUIRES: no writer adds to `mem` meanwhile (it is sealed).
/// Errors, each after removing the file: the file system's when creating, appending, syncing
/// or closing the file or syncing `dir` fails (io_error, its message naming the file or the
/// directory); invalid_argument when an entry's key does not parse or is out of order (a bug
/// in the memtable). `*out` is unspecified on error.
status build_table(file_system& fs, const std::string& dir, const table_options& options,
                   const memtable& mem, std::uint64_t number, file_meta* out);

}  // namespace kepler::storage
