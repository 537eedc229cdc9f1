#pragma once
// What a read consults (doc/design.md, "Read path"): the active memtable, the sealed memtables
// waiting for their flush, and the current version of the table files. The actors swap the
// whole view when one of its parts changes (a seal, an installed flush), never per write;
// readers take it without waiting on any actor, and what they took stays alive while they hold
// it.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/memtable/memtable.hpp"
#include "storage_format/table/table_cache.hpp"
#include "storage_format/table/table_options.hpp"
#include "storage_format/util/status.hpp"
#include "storage_format/version/version.hpp"

namespace kepler::storage {

struct read_view {
  std::shared_ptr<const memtable> mem;
  /// Sealed memtables, newest first: newer than every table file.
  std::vector<std::shared_ptr<const memtable>> sealed;
  std::shared_ptr<const version> files = std::make_shared<version>();
  /// Opens the tables `files` names; not owned, outlives every view.
  table_cache* tables = nullptr;

  /// The newest value of `key` among entries at or below `snapshot`, or none when the newest
  /// such entry is a deletion or there is none. Looks in the active memtable, the sealed ones
  /// newest first, level 0 newest first (the bloom filter first), then the deeper levels.
  /// Errors: corruption naming the table file and offset, io_error.
  status get(const read_options& options, std::string_view key, sequence_number snapshot,
             std::optional<std::string>* value) const;
};

}  // namespace kepler::storage
