#pragma once
// A data or index block read back (sst_format.md), and an iterator over it that seeks by binary
// search over the restart points and moves both ways. Keys are internal keys. Every offset and
// length read from the block is checked against its bounds, so a damaged block yields a
// corruption status, never a read past its buffer.
//
// A block kept in the block cache can also carry a search index (build_search_index): every key
// decoded once, with a dense array of 8-byte normalized keys, so a seek is a binary search that
// touches a few cache lines instead of a scan through a restart interval.

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage_format/util/status.hpp"

namespace kepler::storage {

class block {
 public:
  /// Takes the block's contents (without the trailer). Fails with corruption, the message naming
  /// offsets within the block, when the restart array does not fit or is out of order.
  static status parse(std::string contents, block* out);

  block() = default;
  block(block&& other) noexcept { take(std::move(other)); }
  block& operator=(block&& other) noexcept {
    take(std::move(other));
    return *this;
  }
  block(const block&) = delete;
  block& operator=(const block&) = delete;

  /// A copy of the block's contents (not of its search index or its lookup count).
  block copy_contents() const;

  /// Counts a lookup of this block in a cache; returns the count before it. Thread-safe. A
  /// table reader builds the search index of a cached block only once it is looked up again:
  /// most blocks a random read loads from a store larger than the cache are never read twice,
  /// and decoding all their keys would cost more than the one seek they serve.
  std::uint32_t count_lookup() const { return lookups_.fetch_add(1, std::memory_order_relaxed); }

  /// Decodes every entry into a search index that seek, next and prev then use. Leaves the block
  /// without one (false) when an entry is malformed or keys do not strictly ascend: the
  /// entry-by-entry reader then reports the damage where it meets it. Meant for blocks whose
  /// checksum was verified, before they are shared (not thread-safe).
  bool build_search_index();
  bool has_search_index() const { return indexed_; }

  /// Bytes held (contents and search index), what a block cache charges for it.
  std::size_t size() const {
    return contents_.size() + entries_.size() * sizeof(indexed_entry) + keys_.size();
  }
  /// The memory a seek reads first (the search index's norms; empty without one): a cache may
  /// prefetch it while it hands the block out.
  std::string_view hot_bytes() const {
    return std::string_view(reinterpret_cast<const char*>(entries_.data()),
                            entries_.size() * sizeof(indexed_entry));
  }
  /// Asks the CPU to start loading the first max_prefetch_bytes of `hot` (from hot_bytes())
  /// all at once, so a binary search over them waits for memory once rather than once a step.
  static void prefetch(std::string_view hot) {
    const std::size_t n = hot.size() < max_prefetch_bytes ? hot.size() : max_prefetch_bytes;
    for (std::size_t i = 0; i < n; i += cache_line_bytes) __builtin_prefetch(hot.data() + i);
  }
  static constexpr std::size_t cache_line_bytes = 64;
  /// The index entries of about 40 entries: a 4 KiB block of 100-byte values.
  static constexpr std::size_t max_prefetch_bytes = 1024;

  class iterator;

 private:
  std::string contents_;
  std::uint32_t restarts_offset_ = 0;  // where the restart array starts: the end of the entries
  std::uint32_t num_restarts_ = 0;

  // The search index (key_norm.hpp): every user key starts with the block's shared prefix (the
  // first prefix_bytes_ of the first key), and entries_[i] holds entry i's norm and where its
  // key (in keys_) and value (in contents_) are.
  struct indexed_entry {
    std::uint64_t norm;
    std::uint32_t key_offset;
    std::uint32_t key_size;
    std::uint32_t value_offset;
    std::uint32_t value_size;
  };
  std::string_view entry_key(const indexed_entry& e) const {
    return std::string_view(keys_.data() + e.key_offset, e.key_size);
  }
  std::string_view prefix_of_entries() const {
    return entries_.empty()
               ? std::string_view()
               : std::string_view(keys_.data() + entries_[0].key_offset, prefix_bytes_);
  }
  std::vector<indexed_entry> entries_;
  std::string keys_;  // every full key, back to back
  std::uint32_t prefix_bytes_ = 0;
  bool indexed_ = false;
  mutable std::atomic<std::uint32_t> lookups_{0};

  void take(block&& other) noexcept {
    contents_ = std::move(other.contents_);
    restarts_offset_ = other.restarts_offset_;
    num_restarts_ = other.num_restarts_;
    entries_ = std::move(other.entries_);
    keys_ = std::move(other.keys_);
    prefix_bytes_ = other.prefix_bytes_;
    indexed_ = other.indexed_;
    lookups_.store(0, std::memory_order_relaxed);
  }
};

/// Reads one block; the block must outlive it. Not thread-safe; any number may share a block.
class block::iterator {
 public:
  explicit iterator(const block* b);

  /// False at either end, before the first positioning call, and after corruption.
  bool valid() const { return indexed_ ? index_ < count_ : current_ < restarts_offset_; }
  /// Corruption met while moving; the iterator stays invalid after it.
  const status& state() const { return status_; }

  void seek_to_first();
  void seek_to_last();
  /// The first entry whose key is at or after the internal key `target`.
  void seek(std::string_view target);
  /// REQUIRES: valid().
  void next();
  /// REQUIRES: valid().
  void prev();

  /// REQUIRES: valid(). Views stay valid until the iterator moves.
  std::string_view key() const { return key_view_; }
  std::string_view value() const { return value_; }

 private:
  std::uint32_t restart_point(std::uint32_t index) const;
  void seek_to_restart_point(std::uint32_t index);
  bool parse_next_entry();
  void corrupt(const char* what, std::uint32_t offset);
  // The search index's counterparts.
  void move_to_indexed(std::uint32_t index);
  std::uint32_t indexed_lower_bound(std::string_view target) const;

  const char* data_;
  std::uint32_t restarts_offset_;
  std::uint32_t num_restarts_;
  std::uint32_t current_;        // offset of the current entry; restarts_offset_ when invalid
  std::uint32_t next_;           // offset just past the current entry
  std::uint32_t restart_index_;  // the restart point at or before current_
  std::string key_;
  std::string_view key_view_;
  std::string_view value_;
  const block* block_;
  bool indexed_;
  std::uint32_t count_ = 0;  // entries in the search index
  std::uint32_t index_ = 0;  // the current entry; count_ when invalid
  status status_;
};

}  // namespace kepler::storage
