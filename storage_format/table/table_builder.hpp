#pragma once
// Writes a table file (sst_format.md) from internal keys added in order: data blocks, the bloom
// filter, the properties, the index and the footer, then syncs the file through the
// file_system seam. One builder writes one file; it is not thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "storage_format/table/block_builder.hpp"
#include "storage_format/table/bloom_filter.hpp"
#include "storage_format/table/table_format.hpp"
#include "storage_format/table/table_options.hpp"
#include "storage_format/table/table_properties.hpp"
#include "storage_format/util/file_system.hpp"
#include "storage_format/util/status.hpp"

namespace kepler::storage {

class table_builder {
 public:
  /// Writes to `file` (not owned; it must outlive the builder and start empty).
  /// REQUIRES: options.block_bytes >= 1, options.restart_interval >= 1,
  /// options.bloom_bits_per_key >= 0, options.zstd_level within libzstd's range.
  table_builder(const table_options& options, writable_file* file);
  ~table_builder();
  table_builder(const table_builder&) = delete;
  table_builder& operator=(const table_builder&) = delete;

  /// Adds an entry. Fails with invalid_argument when `internal_key` does not parse or does not
  /// sort after the previous key, and with the file's status when a write fails; after any
  /// failure the builder refuses everything and the file is to be removed.
  status add(std::string_view internal_key, std::string_view value);

  /// Writes the rest of the table and syncs the file (the caller closes it). After it, only the
  /// getters may be called.
  status finish();

  std::uint64_t entries() const { return props_.entries; }
  /// Bytes written so far; after finish() the table's size.
  std::uint64_t file_size() const { return offset_; }
  /// Complete after finish().
  const table_properties& properties() const { return props_; }

 private:
  status flush_data_block();
  status write_block(std::string_view contents, block_kind kind, block_handle* handle,
                     block_codec codec = block_codec::none);

  table_options options_;
  writable_file* file_;
  status status_;
  bool finished_ = false;
  std::uint64_t offset_ = 0;
  block_builder data_block_;
  block_builder index_block_;
  std::unique_ptr<bloom_filter_builder> filter_;
  table_properties props_;
  std::string last_key_;
  // A flushed block's index entry waits for the next key, so its separator can be short.
  bool pending_index_entry_ = false;
  block_handle pending_handle_;
  std::string write_buffer_;
  block_compressor compressor_;
  std::string compressed_;
};

/// The shortest internal key k with `last` <= k < `next` that this builder finds (it shortens
/// the user key when a byte can be bumped, and otherwise returns `last`).
/// REQUIRES: compare_internal_keys(last, next) < 0.
std::string index_separator(std::string_view last, std::string_view next);
/// A short internal key at or after `last`: the index key of a table's last block.
std::string index_successor(std::string_view last);

}  // namespace kepler::storage
