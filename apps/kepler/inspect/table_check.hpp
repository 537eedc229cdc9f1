#pragma once
// Reading a table file whole, for `kepler sst --verify` and `kepler check`: every data block's
// checksum, its decompression and its entries, then the entries in order and their count and
// key range against what the table's properties record. Plain code over storage_format.
#include <cstdint>
#include <memory>
#include <string>

#include "storage_format/table/table_reader.hpp"
#include "storage_format/util/status.hpp"

namespace kepler::cli {

/// What verify_table read.
struct table_tally {
  std::uint64_t blocks = 0;        // data blocks verified
  std::uint64_t stored_bytes = 0;  // their bytes as stored (compressed or raw), no trailers
  std::uint64_t raw_bytes = 0;     // their bytes after decompression
  std::uint64_t entries = 0;
};

/// Opens the table file at `path` through the POSIX file system, reading only (the footer,
/// properties, filter and index are verified here). Errors: the file system's, or the
/// reader's corruption naming the file and offset.
storage::status open_table(const std::string& path, std::unique_ptr<storage::table_reader>* out);

/// Verifies every data block of `table` (checksum, decompression, entries), then that the
/// entries strictly ascend across blocks and that their count, first and last keys are the
/// ones the properties record. Adds what it read to `*tally`. Fails with corruption naming the
/// file and the offset of the block where the damage is.
storage::status verify_table(const storage::table_reader& table, table_tally* tally);

}  // namespace kepler::cli
