#pragma once
// Reads a table file (sst_format.md): point lookups as of a sequence number, with the bloom
// filter ruling out absent keys, and an iterator over every entry in internal-key order. The
// index, the filter and the properties are read (and their checksums verified) once at open
// and kept; data blocks come from the block cache or the file. Damage gives a corruption status
// naming the file and offset, never a wrong value and never a read past a buffer.
//
// A table_reader is immutable after open: any number of threads may call get() and use their own
// iterators at once.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage_format/table/block.hpp"
#include "storage_format/table/block_cache.hpp"
#include "storage_format/table/bloom_filter.hpp"
#include "storage_format/table/table_format.hpp"
#include "storage_format/table/table_options.hpp"
#include "storage_format/table/table_properties.hpp"
#include "storage_format/util/file_system.hpp"
#include "storage_format/util/status.hpp"

namespace kepler::storage {

enum class table_lookup {
  absent,   // the table holds no version of the key at or below the sequence asked for
  found,    // the newest such version is a value
  deleted,  // the newest such version is a deletion
};

class table_reader {
 public:
  /// Opens the table in `file`, taking it. `cache` (may be null: every data block read comes from
  /// the file) is not owned and must outlive the reader. Fails with corruption naming the file
  /// and offset when the footer, index, filter or properties are damaged, not_supported for a
  /// newer format version, or the file's status when a read fails.
  static status open(std::unique_ptr<readable_file> file, block_cache* cache,
                     std::unique_ptr<table_reader>* out);
  ~table_reader();
  table_reader(const table_reader&) = delete;
  table_reader& operator=(const table_reader&) = delete;

  /// Looks up the newest version of the internal key's user key whose sequence is at or below
  /// the internal key's sequence (build it with append_internal_key(user_key, S,
  /// value_type_for_seek)). On `found`, `*value` holds the value. Fails with corruption when a
  /// block it reads is damaged; `*result` is then unspecified.
  /// REQUIRES: internal_key is at least 8 bytes (a tag).
  status get(const read_options& options, std::string_view internal_key, table_lookup* result,
             std::string* value) const;

  /// False only when the table certainly holds no version of `user_key` (the bloom filter; true
  /// for a table without one).
  bool may_contain(std::string_view user_key) const;

  class iterator;
  /// An iterator over every entry; it keeps the reader's data alive only through the reader, so
  /// the reader must outlive it.
  std::unique_ptr<iterator> new_iterator(const read_options& options = {}) const;

  /// About where in the file the entries at or after the internal key `target` begin: the
  /// offset of the data block that would hold it, or where the data ends when it is past the
  /// last key. From the index alone (no block is read). REQUIRES: target has a tag.
  std::uint64_t approximate_offset(std::string_view target) const;

  const table_properties& properties() const { return properties_; }
  const std::string& path() const { return file_->path(); }
  std::uint64_t file_size() const { return file_size_; }
  std::size_t data_blocks() const { return handles_.size(); }
  bool has_filter() const { return filter_.has_value(); }
  /// The footer's format version (1: every block raw; 2: a codec per data block).
  std::uint32_t format_version() const { return format_version_; }
  /// Bytes of the filter block (0 without a filter).
  std::size_t filter_bytes() const { return filter_ ? filter_->size() : 0; }

  // For inspection (the kepler CLI's `sst` and `check`): the index as read at open, and a
  // data block read the way a get reads it but always verified, without the block cache.

  /// Where data block `i` lies, as the index records it. REQUIRES: i < data_blocks().
  const block_handle& data_block_handle(std::size_t i) const { return handles_[i]; }
  /// Data block `i`'s index key: an internal key at or after its last key and before the next
  /// block's first (sst_format.md, "Index block"). REQUIRES: i < data_blocks().
  std::string_view data_block_separator(std::size_t i) const { return index_key(i); }
  /// Reads data block `i`'s trailer kind byte into `*kind_byte`, unchecked: its low four bits
  /// are the kind, the high four the codec. Fails with corruption when the file ends before
  /// it, or the file's status. REQUIRES: i < data_blocks().
  status data_block_kind_byte(std::size_t i, std::uint8_t* kind_byte) const;
  /// Reads data block `i` from the file, verifies its checksum, decompresses and parses it, and
  /// walks its entries; `*raw_bytes` (may be null) gets its size after decompression and
  /// `*entries` (may be null) its entry count. Fails with the corruption a read would meet,
  /// naming the file and the block's offset. REQUIRES: i < data_blocks().
  status verify_data_block(std::size_t i, std::uint64_t* raw_bytes, std::uint64_t* entries) const;
  /// As verify_data_block, and appends the block's entries (internal key, value) to `*out`,
  /// only when the whole block is sound (salvage keeps sound blocks and skips damaged ones).
  status read_data_block_entries(std::size_t i,
                                 std::vector<std::pair<std::string, std::string>>* out) const;

 private:
  table_reader() = default;
  status read_index(const block_handle& handle);
  /// The first data block whose index key is at or after `target`; data_blocks() when none.
  std::size_t find_block(std::string_view target) const;
  std::string_view index_key(std::size_t i) const;
  std::string_view index_prefix() const;
  status data_block(const read_options& options, std::size_t i,
                    std::shared_ptr<const block>* out) const;
  status block_damage(std::size_t i, const status& s) const;
  // Reads, verifies and parses data block i (uncached), calling `visit` for each entry.
  template <class Visit>
  status walk_data_block(std::size_t i, std::uint64_t* raw_bytes, Visit&& visit) const;

  std::unique_ptr<readable_file> file_;
  block_cache* cache_ = nullptr;
  std::uint64_t cache_id_ = 0;
  std::uint64_t file_size_ = 0;
  std::uint64_t data_end_ = 0;  // where the footer starts
  std::uint32_t format_version_ = 0;
  block_decoding data_decoding_;  // how data blocks may be stored
  table_properties properties_;
  std::optional<bloom_filter> filter_;
  // The index, decoded once: keys back to back, and block i's key at
  // [index_offsets_[i], index_offsets_[i + 1]).
  std::string index_keys_;
  std::vector<std::uint32_t> index_offsets_;
  // The index keys' norms (key_norm.hpp) relative to the first index_prefix_bytes_ of index key
  // index_prefix_first_: find_block searches these.
  std::vector<std::uint64_t> index_norms_;
  std::size_t index_prefix_first_ = 0;
  std::size_t index_prefix_bytes_ = 0;
  std::vector<block_handle> handles_;
};

class table_reader::iterator {
 public:
  iterator(const table_reader* table, const read_options& options);

  /// False at either end, before the first positioning call, and after an error.
  bool valid() const { return block_iter_.has_value() && block_iter_->valid(); }
  /// The error (corruption naming file and offset, or I/O) that stopped the iterator.
  const status& state() const { return status_; }

  void seek_to_first();
  void seek_to_last();
  /// The first entry at or after the internal key `target`. REQUIRES: target has a tag.
  void seek(std::string_view target);
  /// REQUIRES: valid().
  void next();
  /// REQUIRES: valid().
  void prev();

  /// REQUIRES: valid(). Views stay valid until the iterator moves.
  std::string_view key() const { return block_iter_->key(); }
  std::string_view value() const { return block_iter_->value(); }

 private:
  bool load_block(std::size_t i);
  void skip_empty_blocks_forward();
  void skip_empty_blocks_backward();
  void check_block_state();

  const table_reader* table_;
  read_options options_;
  std::size_t block_index_ = 0;
  std::shared_ptr<const block> block_;  // pins the block the iterator is in
  std::optional<block::iterator> block_iter_;
  status status_;
};

}  // namespace kepler::storage
