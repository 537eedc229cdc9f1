#pragma once
// Reading a write-ahead log (wal_format.md) whole, the way recovery replays it, without
// applying anything: every record a well-formed write batch, sequences rising, and every
// dropped byte range with whether it is a crash's torn tail. For `kepler log` and `kepler check`.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "storage_format/log/log_reader.hpp"
#include "storage_format/util/status.hpp"

namespace kepler::cli {

struct log_reading {
  std::uint64_t size = 0;  // bytes of the file
  std::uint64_t records = 0;
  std::uint64_t entries = 0;
  std::uint64_t first_sequence = 0;  // of the first entry; 0 when the log holds none
  std::uint64_t last_sequence = 0;   // of the last entry
  std::uint64_t last_record_end = 0;
  std::vector<storage::log::drop> drops;
  /// Drops only after the last sound record (a torn tail); false without drops.
  bool torn_tail = false;
};

/// Called with each record's offset and its bytes, a validated write batch.
using batch_visitor = std::function<void(std::uint64_t offset, std::string_view batch)>;

/// Reads the log at `path` into `*out`, calling `visit` (may be empty) for each record. Fails
/// with corruption naming the file and the record's offset when a record is not a well-formed
/// write batch or its sequence does not follow the one before; with an I/O error when a read
/// fails. Dropped ranges are not a failure here: they are in out->drops, judged by the caller.
storage::status read_log(const std::string& path, log_reading* out, const batch_visitor& visit);

}  // namespace kepler::cli
