#pragma once
// Reads records back from a log file (wal_format.md), reporting every byte range it drops and
// why. Whether a drop is a crash's torn tail or corruption is decided by its position: damage
// with no valid record after it runs to the end of the file (the normal end of a crash).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage_format/log/log_format.hpp"
#include "storage_format/util/file_system.hpp"

namespace kepler::storage::log {

enum class drop_reason : std::uint8_t {
  bad_checksum,     // a fragment's CRC32C does not match its type and payload
  bad_length,       // a fragment's length runs past the end of its block
  bad_record_type,  // the type byte is zero or unknown
  orphan_fragment,  // a MIDDLE or LAST fragment with no FIRST before it
  partial_record,   // a FIRST (and MIDDLEs) cut off by a new FIRST or FULL record
  truncated,        // the file ends inside a fragment's header or payload, or inside a record
  read_error,       // the file could not be read
};
const char* to_string(drop_reason reason);

struct drop {
  std::uint64_t offset;  // file offset where the dropped bytes start
  std::uint64_t bytes;   // how many bytes were dropped
  drop_reason reason;
};

class reader {
 public:
  /// How the reader goes on after damage inside a block.
  enum class after_damage {
    skip_block,  ///< drop the rest of the block (a damaged header's length cannot be trusted)
    resync,      ///< salvage: resume at the next sound FULL or FIRST fragment in the block
  };

  /// Reads `src` (not owned) from its start.
  explicit reader(const readable_file* src, after_damage mode = after_damage::skip_block);

  /// Reads the next record into `*record`, its first fragment's file offset into `*offset`
  /// (may be null). False at the end of the file.
  bool read_record(std::string* record, std::uint64_t* offset = nullptr);

  /// Everything dropped so far, in file order.
  const std::vector<drop>& drops() const { return drops_; }

  /// After read_record returned false: true when every drop lies after the last valid record
  /// and no FULL or FIRST fragment whose checksum holds starts anywhere in the dropped bytes
  /// (damage that runs to the end of the file: a torn tail, not corruption). The second test
  /// matters because damage drops the rest of its block: sound records written after the
  /// damaged one in the same block would otherwise vanish with it, unseen.
  bool damage_only_at_tail() const;

  /// Whether a FULL or FIRST fragment whose checksum holds starts at or after `from` (a file
  /// offset), at any byte position, aligned to the format or not. Reads the file from there.
  bool sound_record_starts_at_or_after(std::uint64_t from) const;

  /// Offset just past the last valid record read (where a clean log would end).
  std::uint64_t last_record_end() const { return last_record_end_; }

  /// A description of the first drop that is not at the tail, naming the file and offset.
  std::string describe_first_drop() const;

 private:
  enum class fragment_result { ok, eof, dropped };
  fragment_result read_fragment(record_type* type, std::string_view* payload,
                                std::uint64_t* fragment_offset);
  bool fill_block();
  void report(std::uint64_t offset, std::uint64_t bytes, drop_reason reason);

  const readable_file* src_;
  after_damage after_damage_;
  std::unique_ptr<char[]> block_;
  std::string_view buffer_;       // unread part of the current block
  std::uint64_t buffer_end_ = 0;  // file offset just past the current block's bytes
  bool eof_ = false;
  std::vector<drop> drops_;
  std::uint64_t last_record_end_ = 0;
};

}  // namespace kepler::storage::log
