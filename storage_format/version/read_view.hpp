#pragma once
// What a read consults (doc/design.md, "Read path"): swapped by the actors only when its parts
// change, never per write, and read without waiting on any actor.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/memtable/memtable.hpp"

namespace kepler::storage {

struct read_view {
  std::shared_ptr<const memtable> mem;

  /// The newest value of `key` among entries at or below `snapshot`, or none when the newest
  /// such entry is a deletion or there is none.
  std::optional<std::string> get(std::string_view key, sequence_number snapshot) const;
};

}  // namespace kepler::storage
