#pragma once
// Encodes records into the log format (wal_format.md) and appends them to a file. Records are
// gathered in a buffer so that a whole group goes out in one append (one write(2)).

#include <cstdint>
#include <string>
#include <string_view>

#include "storage_format/log/log_format.hpp"
#include "storage_format/util/file_system.hpp"

namespace kepler::storage::log {

class writer {
 public:
  /// Appends to `dest` (not owned), which must outlive the writer. Continues the block layout
  /// from dest->size(), so a writer can resume a file that another writer left.
  explicit writer(writable_file* dest);

  /// Encodes `payload` as one logical record (split into fragments at block boundaries) into the
  /// pending buffer. Nothing reaches the file until `write_pending`.
  void add_record(std::string_view payload);

  /// Appends the pending buffer with one append and clears it. On failure the file's tail is
  /// unknown: the caller must stop appending to this file.
  status write_pending();

  /// add_record + write_pending.
  status append_record(std::string_view payload);

  std::size_t pending_bytes() const { return pending_.size(); }
  /// File offset after everything written so far plus what is pending.
  std::uint64_t end_offset() const { return file_offset_ + pending_.size(); }
  writable_file* file() const { return dest_; }

 private:
  void emit_fragment(record_type type, const char* data, std::size_t n);

  writable_file* dest_;
  std::uint64_t file_offset_;  // bytes in the file
  std::size_t block_offset_;   // offset within the current block, pending bytes included
  std::string pending_;
  std::uint32_t type_crc_[max_record_type + 1];  // crc of each type byte, precomputed
};

}  // namespace kepler::storage::log
