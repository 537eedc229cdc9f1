#pragma once
// What the store knows of one table file without opening it: recorded in the MANIFEST when the
// file is added (manifest_format.md, tag new_file) and kept in every version that names it.

#include <cstdint>
#include <string>

#include "storage_format/memtable/internal_key.hpp"

namespace kepler::storage {

struct file_meta {
  std::uint64_t number = 0;
  /// Bytes of the file; a file on disk of another size is damage.
  std::uint64_t size = 0;
  /// The first and last internal keys the file holds.
  std::string smallest;
  std::string largest;
  /// The lowest and highest sequence of its entries.
  sequence_number smallest_sequence = 0;
  sequence_number largest_sequence = 0;
};

inline bool operator==(const file_meta& a, const file_meta& b) {
  return a.number == b.number && a.size == b.size && a.smallest == b.smallest &&
         a.largest == b.largest && a.smallest_sequence == b.smallest_sequence &&
         a.largest_sequence == b.largest_sequence;
}

}  // namespace kepler::storage
