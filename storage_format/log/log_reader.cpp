#include "storage_format/log/log_reader.hpp"

#include <memory>

#include "storage_format/util/coding.hpp"
#include "storage_format/util/crc32c.hpp"

namespace kepler::storage::log {

namespace {
// Field positions within a header (log_format.hpp, wal_format.md).
constexpr std::size_t length_offset = 4;
constexpr std::size_t type_offset = 6;

// The first position at or after `from` in `block` (one block's bytes) where a FULL or FIRST
// fragment whose checksum holds starts, or npos.
std::size_t next_sound_record(std::string_view block, std::size_t from) {
  for (std::size_t p = from; p + header_size <= block.size(); ++p) {
    const char* header = block.data() + p;
    const auto type_byte = static_cast<std::uint8_t>(header[type_offset]);
    if (type_byte != static_cast<std::uint8_t>(record_type::full) &&
        type_byte != static_cast<std::uint8_t>(record_type::first))
      continue;
    const std::size_t length =
        static_cast<std::uint8_t>(header[length_offset]) |
        (static_cast<std::size_t>(static_cast<std::uint8_t>(header[length_offset + 1])) << 8);
    if (p + header_size + length > block.size()) continue;
    if (crc32c::value(header + type_offset, 1 + length) == crc32c::unmask(decode_fixed32(header)))
      return p;
  }
  return std::string_view::npos;
}
}  // namespace

const char* to_string(drop_reason reason) {
  switch (reason) {
    case drop_reason::bad_checksum:
      return "bad checksum";
    case drop_reason::bad_length:
      return "bad length";
    case drop_reason::bad_record_type:
      return "bad record type";
    case drop_reason::orphan_fragment:
      return "orphan fragment";
    case drop_reason::partial_record:
      return "partial record";
    case drop_reason::truncated:
      return "truncated";
    case drop_reason::read_error:
      return "read error";
  }
  return "unknown";
}

reader::reader(const readable_file* src, after_damage mode)
    : src_(src), after_damage_(mode), block_(new char[block_size]) {}

void reader::report(std::uint64_t offset, std::uint64_t bytes, drop_reason reason) {
  drops_.push_back(drop{offset, bytes, reason});
}

bool reader::fill_block() {
  const std::uint64_t offset = buffer_end_;
  status s = src_->read(offset, block_size, block_.get(), &buffer_);
  if (!s) {
    const std::uint64_t size = src_->size();
    report(offset, size > offset ? size - offset : 0, drop_reason::read_error);
    buffer_ = {};
    eof_ = true;
    return false;
  }
  buffer_end_ = offset + buffer_.size();
  // Only the file's last block is short, so a short read means there is nothing after it.
  if (buffer_.size() < block_size) eof_ = true;
  return !buffer_.empty();
}

reader::fragment_result reader::read_fragment(record_type* type, std::string_view* payload,
                                              std::uint64_t* fragment_offset) {
  for (;;) {
    if (buffer_.size() < header_size) {
      if (!buffer_.empty() && eof_) {
        // The file ends inside a header (or inside the zero trailer written with the next one).
        const std::uint64_t bytes = buffer_.size();
        buffer_ = {};
        report(buffer_end_ - bytes, bytes, drop_reason::truncated);
        return fragment_result::dropped;
      }
      // Otherwise what is left is the block's zero trailer: skipped, as the writer intends.
      buffer_ = {};
      if (eof_) return fragment_result::eof;
      const std::size_t drops_before = drops_.size();
      if (!fill_block()) {
        return drops_.size() > drops_before ? fragment_result::dropped : fragment_result::eof;
      }
      continue;
    }

    const char* header = buffer_.data();
    const std::uint64_t offset = buffer_end_ - buffer_.size();
    const std::size_t length =
        static_cast<std::uint8_t>(header[length_offset]) |
        (static_cast<std::size_t>(static_cast<std::uint8_t>(header[length_offset + 1])) << 8);
    const std::uint8_t type_byte = static_cast<std::uint8_t>(header[type_offset]);

    // Once a header is in doubt its length is too, and trusting it could land inside a payload
    // that merely looks like a fragment; so damage drops the rest of the block, as LevelDB does.
    auto drop_rest_of_block = [&](drop_reason reason) {
      std::uint64_t bytes = buffer_.size();
      if (after_damage_ == after_damage::resync) {
        // The bytes up to the next sound record are dropped; reading resumes there.
        auto next = next_sound_record(buffer_, 1);
        if (next != std::string_view::npos) bytes = next;
      }
      buffer_.remove_prefix(bytes);
      report(offset, bytes, reason);
      return fragment_result::dropped;
    };

    // Zeroed bytes (a zero type) are what a torn append on many file systems leaves behind.
    if (type_byte == 0 || type_byte > max_record_type) {
      return drop_rest_of_block(drop_reason::bad_record_type);
    }
    if (header_size + length > buffer_.size()) {
      const bool fits_in_block = offset % block_size + header_size + length <= block_size;
      // The last block is short: a fragment that would still fit was cut by the end of the file.
      return drop_rest_of_block(eof_ && fits_in_block ? drop_reason::truncated
                                                      : drop_reason::bad_length);
    }
    const std::uint32_t expected = crc32c::unmask(decode_fixed32(header));
    // The type byte and the payload are contiguous, so one pass covers both.
    const std::uint32_t actual = crc32c::value(header + type_offset, 1 + length);
    if (actual != expected) return drop_rest_of_block(drop_reason::bad_checksum);

    *type = static_cast<record_type>(type_byte);
    *payload = buffer_.substr(header_size, length);
    *fragment_offset = offset;
    buffer_.remove_prefix(header_size + length);
    return fragment_result::ok;
  }
}

bool reader::read_record(std::string* record, std::uint64_t* offset) {
  record->clear();
  bool in_record = false;           // a FIRST was read and its LAST was not yet
  std::uint64_t record_offset = 0;  // where that FIRST starts
  std::uint64_t fragment_end = 0;   // just past the last fragment accepted into it

  // A record cut short loses the fragments already gathered, and those bytes are reported too.
  auto abandon_record = [&](drop_reason reason) {
    report(record_offset, fragment_end - record_offset, reason);
    record->clear();
    in_record = false;
  };

  for (;;) {
    record_type type = record_type::zero;
    std::string_view payload;
    std::uint64_t fragment_offset = 0;
    switch (read_fragment(&type, &payload, &fragment_offset)) {
      case fragment_result::eof:
        if (in_record) abandon_record(drop_reason::truncated);
        return false;
      case fragment_result::dropped:
        if (in_record) {
          drop damage = drops_.back();
          drops_.pop_back();
          if (damage.reason == drop_reason::truncated) {
            // The file ends inside this record's last fragment: one torn record, reported whole.
            fragment_end = damage.offset + damage.bytes;
            abandon_record(drop_reason::truncated);
          } else {
            abandon_record(drop_reason::partial_record);
            drops_.push_back(damage);
          }
        }
        continue;
      case fragment_result::ok:
        break;
    }

    const std::uint64_t end = fragment_offset + header_size + payload.size();
    switch (type) {
      case record_type::full:
        if (in_record) abandon_record(drop_reason::partial_record);
        record->assign(payload.data(), payload.size());
        last_record_end_ = end;
        if (offset != nullptr) *offset = fragment_offset;
        return true;
      case record_type::first:
        if (in_record) abandon_record(drop_reason::partial_record);
        record->assign(payload.data(), payload.size());
        in_record = true;
        record_offset = fragment_offset;
        fragment_end = end;
        break;
      case record_type::middle:
      case record_type::last:
        if (!in_record) {
          report(fragment_offset, end - fragment_offset, drop_reason::orphan_fragment);
          break;
        }
        record->append(payload.data(), payload.size());
        fragment_end = end;
        if (type == record_type::last) {
          last_record_end_ = end;
          if (offset != nullptr) *offset = record_offset;
          return true;
        }
        break;
      case record_type::zero:
        break;  // read_fragment never yields it
    }
  }
}

bool reader::damage_only_at_tail() const {
  // Drops are in file order, so the first one decides.
  if (drops_.empty()) return true;
  if (drops_.front().offset < last_record_end_) return false;
  return !sound_record_starts_at_or_after(drops_.front().offset + 1);
}

bool reader::sound_record_starts_at_or_after(std::uint64_t from) const {
  const std::uint64_t size = src_->size();
  std::unique_ptr<char[]> scratch(new char[block_size]);
  // Fragments never cross a block boundary: each block is searched on its own.
  for (std::uint64_t start = from - from % block_size; start < size; start += block_size) {
    std::string_view data;
    if (!src_->read(start, block_size, scratch.get(), &data)) return false;
    const std::size_t first = from > start ? static_cast<std::size_t>(from - start) : 0;
    if (next_sound_record(data, first) != std::string_view::npos) return true;
  }
  return false;
}

std::string reader::describe_first_drop() const {
  if (drops_.empty()) return {};
  // Drops are in file order: the first is the damage before a valid record when there is any,
  // and otherwise the start of the torn tail.
  const drop& first = drops_.front();
  return src_->path() + ": offset " + std::to_string(first.offset) + ": " +
         to_string(first.reason) + " (" + std::to_string(first.bytes) + " bytes dropped)";
}

}  // namespace kepler::storage::log
