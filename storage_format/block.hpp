#pragma once
// A data or index block read back (sst_format.md), and an iterator over it that seeks by binary
// search over the restart points and moves both ways. Keys are internal keys. Every offset and
// length read from the block is checked against its bounds, so a damaged block yields a
// corruption status, never a read past its buffer.

#include <cstdint>
#include <string>
#include <string_view>

#include "storage_format/status.hpp"

namespace kepler::storage {

class block {
 public:
  /// Takes the block's contents (without the trailer). Fails with corruption, the message naming
  /// offsets within the block, when the restart array does not fit or is out of order.
  static status parse(std::string contents, block* out);

  block() = default;
  block(block&&) = default;
  block& operator=(block&&) = default;

  /// Bytes held, what a block cache charges for it.
  std::size_t size() const { return contents_.size(); }

  class iterator;

 private:
  std::string contents_;
  std::uint32_t restarts_offset_ = 0;  // where the restart array starts: the end of the entries
  std::uint32_t num_restarts_ = 0;
};

/// Reads one block; the block must outlive it. Not thread-safe; any number may share a block.
class block::iterator {
 public:
  explicit iterator(const block* b);

  /// False at either end, before the first positioning call, and after corruption.
  bool valid() const { return current_ < restarts_offset_; }
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
  std::string_view key() const { return key_; }
  std::string_view value() const { return value_; }

 private:
  std::uint32_t restart_point(std::uint32_t index) const;
  void seek_to_restart_point(std::uint32_t index);
  bool parse_next_entry();
  void corrupt(const char* what, std::uint32_t offset);

  const char* data_;
  std::uint32_t restarts_offset_;
  std::uint32_t num_restarts_;
  std::uint32_t current_;        // offset of the current entry; restarts_offset_ when invalid
  std::uint32_t next_;           // offset just past the current entry
  std::uint32_t restart_index_;  // the restart point at or before current_
  std::string key_;
  std::string_view value_;
  status status_;
};

}  // namespace kepler::storage
