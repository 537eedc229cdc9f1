#pragma once
// The merge of a compaction (compaction.md): reads the inputs' entries in order, drops the
// versions no reader can see (drop_rule.hpp), and writes the rest as new table files for level
// n+1, split where output_splitter says and only between user keys. Each output follows the
// table protocol (table_file_writer.hpp): every entry, sync, close, directory sync. Nothing is
// named by the MANIFEST here: the caller appends compaction_edit(c, result). LevelDB's
// DBImpl::DoCompactionWork plays this role; the compactor actor calls it.
//
// Kill points (kill_point.hpp), at each output: after_compaction_write once its entries are
// handed to the builder (nothing of it synced), after_compaction_sync once it is synced and
// closed, before its directory sync.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "storage_format/compaction/compaction.hpp"
#include "storage_format/compaction/compaction_result.hpp"
#include "storage_format/iterator/internal_iterator.hpp"
#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/table/table_options.hpp"
#include "storage_format/util/file_system.hpp"
#include "storage_format/util/status.hpp"

namespace kepler::storage {

/// Entries between two looks at the cancel flag: a relaxed load is cheap, but not free in a
/// loop that does little else for dropped entries; a thousand entries take well under a
/// millisecond, so a cancel is noticed about that fast.
constexpr std::uint64_t compaction_cancel_check_interval = 1000;

/// Merges the entries of `input` (positioned here with seek_to_first) into new tables in `dir`,
/// each numbered by a call of `new_file_number` (called once per output, on this thread),
/// written with `table`, split by c.options; fills `*out`. An entry is dropped when a newer
/// version of its user key lies in the same stripe of `snapshots`, and a deletion also when it
/// lies in the lowest stripe and c.deeper_levels_hold(its key) is false (drop_rule.hpp). Input
/// that is wholly dropped writes no file.
///
/// REQUIRES: `input` yields exactly the entries of c's input files, merged in internal-key order;
/// `snapshots` holds every live snapshot's sequence (ascending); `dir` exists; the numbers are
/// unused. `cancel` may be null; it is read, never written.
///
/// Errors, each after removing every output written so far (so out->outputs is empty):
/// - aborted when `*cancel` is seen set (it is looked at every
///   compaction_cancel_check_interval entries and before the last output is finished);
/// - corruption when an input key does not parse as an internal key or does not sort after
///   the one before it, naming its position; the input's own state() when it stops with an
///   error (corruption or I/O naming the file and offset);
/// - the file system's status (io_error naming the file or directory) when creating, writing,
///   syncing or closing an output or syncing `dir` fails;
/// - invalid_argument when `snapshots` is not ascending (before anything is read).
/// The figures of `*out` other than outputs then tell how far the job came.
status run_compaction(file_system& fs, const std::string& dir, const table_options& table,
                      const compaction& c, internal_iterator& input,
                      const std::vector<sequence_number>& snapshots,
                      std::function<std::uint64_t()> new_file_number,
                      const std::atomic<bool>* cancel, compaction_result* out);

}  // namespace kepler::storage
