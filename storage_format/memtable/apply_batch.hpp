#pragma once
// The one way a write batch enters a memtable, for the write path (memtable_owner) and for
// recovery alike, as LevelDB's WriteBatchInternal::InsertInto serves both.

#include <string_view>

#include "storage_format/memtable/memtable.hpp"
#include "storage_format/util/status.hpp"

namespace kepler::storage {

/// Adds every entry of the encoded batch `rep` (batch_format.hpp) to `mem`, entry i with
/// sequence first + i. Corruption when the encoding is damaged, after the entries before the
/// damage were added (validate first when that matters). May throw std::bad_alloc from the
/// memtable's arena; `mem` then holds a prefix of the batch.
/// REQUIRES: the single writer of `mem`.
status apply_batch(std::string_view rep, memtable* mem);

}  // namespace kepler::storage
