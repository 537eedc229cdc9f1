#include "storage_format/log/log_writer.hpp"

#include <algorithm>

#include "storage_format/util/coding.hpp"
#include "storage_format/util/crc32c.hpp"

namespace kepler::storage::log {

namespace {
// A header never straddles a block, so a block's last bytes (fewer than a header) are zeros.
constexpr char trailer_zeros[header_size] = {};
// Field positions within a header (log_format.hpp, wal_format.md).
constexpr std::size_t length_offset = 4;
constexpr std::size_t type_offset = 6;
// The length field is 16 bits wide; a fragment never exceeds a block.
static_assert(block_size - header_size <= 0xffff);
}  // namespace

writer::writer(writable_file* dest)
    : dest_(dest), file_offset_(dest->size()), block_offset_(file_offset_ % block_size) {
  for (std::uint8_t t = 0; t <= max_record_type; ++t) {
    const char type_byte = static_cast<char>(t);
    type_crc_[t] = crc32c::value(&type_byte, 1);
  }
}

void writer::add_record(std::string_view payload) {
  const char* ptr = payload.data();
  std::size_t left = payload.size();
  // Runs at least once, so an empty payload still becomes one (zero-length FULL) fragment.
  bool begin = true;
  do {
    const std::size_t leftover = block_size - block_offset_;
    if (leftover < header_size) {
      pending_.append(trailer_zeros, leftover);
      block_offset_ = 0;
    }
    // With exactly a header's room left this is 0: an empty FIRST (or FULL) fills the block.
    const std::size_t avail = block_size - block_offset_ - header_size;
    const std::size_t fragment_length = std::min(left, avail);
    const bool end = fragment_length == left;
    const record_type type = begin && end ? record_type::full
                             : begin      ? record_type::first
                             : end        ? record_type::last
                                          : record_type::middle;
    emit_fragment(type, ptr, fragment_length);
    ptr += fragment_length;
    left -= fragment_length;
    begin = false;
  } while (left > 0);
}

void writer::emit_fragment(record_type type, const char* data, std::size_t n) {
  const auto t = static_cast<std::uint8_t>(type);
  char header[header_size];
  encode_fixed32(header, crc32c::mask(crc32c::extend(type_crc_[t], data, n)));
  header[length_offset] = static_cast<char>(n & 0xff);
  header[length_offset + 1] = static_cast<char>(n >> 8);
  header[type_offset] = static_cast<char>(t);
  pending_.append(header, header_size);
  pending_.append(data, n);
  block_offset_ += header_size + n;
}

status writer::write_pending() {
  if (pending_.empty()) return status::ok();
  status s = dest_->append(pending_);
  if (s) {
    file_offset_ += pending_.size();
  } else {
    // Part of the buffer may have reached the file; track what did, though the caller must stop.
    file_offset_ = dest_->size();
    block_offset_ = file_offset_ % block_size;
  }
  pending_.clear();
  return s;
}

status writer::append_record(std::string_view payload) {
  add_record(payload);
  return write_pending();
}

}  // namespace kepler::storage::log
