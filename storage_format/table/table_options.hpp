#pragma once
// The knobs of the table format (sst_format.md): how a table builder lays out a file, and how a
// table reader reads one. Plain structs with defaults, one comment per field.

#include <cstddef>

#include "storage_format/table/block_compression.hpp"

namespace kepler::storage {

/// How a table_builder writes a table. A reader needs none of it: every table describes itself.
struct table_options {
  /// Uncompressed bytes of entries after which a data block is closed. Smaller blocks make point
  /// lookups touch fewer bytes; larger ones make the index smaller. A single entry larger than
  /// this gets a block of its own.
  std::size_t block_bytes = 4096;
  /// Entries between restart points in a data block: a seek scans at most this many entries after
  /// its binary search, and every restart costs 4 bytes plus a key stored whole.
  int restart_interval = 16;
  /// Bloom filter bits per key (the filter covers user keys). 10 gives about 1% false positives;
  /// 0 writes no filter.
  int bloom_bits_per_key = 10;
  /// How data blocks are stored (sst_format.md, "Block compression"). A block that the codec
  /// shrinks by less than an eighth is stored raw; every block records its own codec, so a reader
  /// needs no setting.
  block_codec compression = block_codec::lz4;
  /// zstd's level (libzstd's range; higher is smaller and slower to write, reads alike).
  int zstd_level = default_zstd_level;
};

/// How a single read goes.
struct read_options {
  /// Verify the CRC32C of every block read from the file. A block that enters the block cache is
  /// always verified (the cache is shared, so it must only hold sound blocks); this option
  /// decides for blocks read without a cache (a reader opened with none, or fill_cache = false).
  bool verify_checksums = true;
  /// Put blocks read from the file into the block cache. Scans that touch data once can turn it
  /// off so they do not push out the hot blocks.
  bool fill_cache = true;
};

}  // namespace kepler::storage
