#pragma once
// Reading a store's CURRENT and the MANIFEST it names the way recovery replays it
// (manifest_format.md, "Opening a store", step 2), but keeping every record for printing and
// writing nothing: for `kepler manifest` and `kepler check`.
#include <cstdint>
#include <string>
#include <vector>

#include "storage_format/log/log_reader.hpp"
#include "storage_format/util/status.hpp"
#include "storage_format/version/version_edit.hpp"
#include "storage_format/version/version_set.hpp"

namespace kepler::cli {

struct manifest_record {
  std::uint64_t offset = 0;  // of its first fragment in the MANIFEST
  storage::version_edit edit;
};

struct manifest_reading {
  std::string path;  // the MANIFEST that CURRENT names
  std::uint64_t number = 0;
  std::vector<manifest_record> records;  // every sound record, in order
  storage::version_set versions;         // what the records built
  std::vector<storage::log::drop> drops;
  /// Drops only after the last sound record: a crash's torn tail, which recovery ignores.
  bool torn_tail = false;
};

/// Reads `dir`/CURRENT and the MANIFEST it names into `*out`. Fails with corruption naming the
/// file (and the offset, for a record) when CURRENT is malformed or names a missing MANIFEST,
/// a record does not decode or apply, damage has a sound record after it, or the MANIFEST lacks
/// the format version or file numbers; not_supported for a newer format; the file system's
/// error otherwise. What was read before the failure stays in `*out`.
storage::status read_manifest(const std::string& dir, manifest_reading* out);

}  // namespace kepler::cli
