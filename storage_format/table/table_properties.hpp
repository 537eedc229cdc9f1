#pragma once
// What a table holds, written into its properties block (sst_format.md) so the engine can plan
// compactions and the CLI can show a table without reading its data.

#include <cstdint>
#include <string>
#include <string_view>

#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/util/status.hpp"

namespace kepler::storage {

struct table_properties {
  std::uint64_t entries = 0;    // every version, deletions included
  std::uint64_t deletions = 0;  // entries of type deletion
  std::uint64_t data_blocks = 0;
  sequence_number min_sequence = 0;  // both 0 in an empty table
  sequence_number max_sequence = 0;
  std::string smallest_key;  // internal keys; empty in an empty table
  std::string largest_key;
  std::uint64_t raw_key_bytes = 0;  // internal keys as added, before prefix compression
  std::uint64_t raw_value_bytes = 0;
  // Format version 2 (absent, so 0, in version 1 tables, whose blocks are all raw):
  std::uint64_t largest_data_block = 0;  // bytes of the largest data block before compression
  std::uint64_t compressed_blocks = 0;   // data blocks stored compressed
  std::uint64_t raw_kept_blocks = 0;     // data blocks stored raw: the codec saved under 1/8

  /// The most bytes any data block of a table with these properties can hold raw: every entry
  /// whole, with its three varint32 lengths, plus a restart point each and the restart count.
  /// A sound largest_data_block never exceeds it (sst_format.md, "Block compression").
  std::uint64_t data_block_bound() const;

  void encode_to(std::string* dst) const;
  /// Fields after the known ones are ignored (a newer writer may add some). Fails with
  /// corruption when a field is missing or malformed.
  static status decode(std::string_view input, table_properties* out);
};

}  // namespace kepler::storage
