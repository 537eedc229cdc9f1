#include "storage_format/compaction/compact_pointers.hpp"

#include "storage_format/memtable/internal_key.hpp"

namespace kepler::storage {

void compact_pointers::advance(const compaction& c) {
  // Level 0's pointer is never read (an automatic level-0 compaction takes every file); it is
  // kept all the same so that the rule has no exception.
  const std::string* largest = &c.inputs[0].front()->largest;
  for (const auto& f : c.inputs[0])
    if (compare_internal_keys(f->largest, *largest) > 0) largest = &f->largest;
  keys_[c.level] = *largest;
}

}  // namespace kepler::storage
