#pragma once
// What the fuzz targets share: the verdict on a decoder's status, and checksum repair. Nearly
// every mutation of a checksummed file breaks a CRC, so a target that only fed the bytes as they
// are would test little beyond the checksum; each file target therefore also runs over a copy
// whose CRCs are recomputed where the framing finds them (the magic and every other byte stay as
// they are), so mutated lengths, handles and contents reach the decoders behind the checksums.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "storage_format/log/log_format.hpp"
#include "storage_format/table/block.hpp"
#include "storage_format/table/table_format.hpp"
#include "storage_format/util/coding.hpp"
#include "storage_format/util/crc32c.hpp"
#include "storage_format/util/status.hpp"

namespace kepler::fuzz {

/// A decoder given damaged bytes may say corruption, never anything else (no I/O error from an
/// in-memory file, no invalid_argument from a well-formed call); `also` is one more code the
/// caller accepts (e.g. not_supported for a newer format version).
inline void expect_ok_or_corruption(const storage::status& s,
                                    storage::status_code also = storage::status_code::corruption) {
  if (s.is_ok() || s.code() == storage::status_code::corruption || s.code() == also) return;
  std::abort();
}

/// Rewrites the CRC of every fragment header the log reader would accept but for its CRC (type
/// 1-4, payload within the block and the file). Returns whether a byte changed.
inline bool repair_log_checksums(std::string* file) {
  using storage::log::block_size;
  using storage::log::header_size;
  bool changed = false;
  for (std::size_t block = 0; block < file->size(); block += block_size) {
    const std::size_t block_end = std::min(file->size(), block + block_size);
    std::size_t pos = block;
    while (block_end - pos >= header_size) {
      char* h = file->data() + pos;
      const std::size_t length = static_cast<std::uint8_t>(h[4]) |
                                 (static_cast<std::size_t>(static_cast<std::uint8_t>(h[5])) << 8);
      const auto type = static_cast<std::uint8_t>(h[6]);
      if (type == 0 || type > storage::log::max_record_type ||
          pos + header_size + length > block_end)
        break;
      const std::uint32_t crc = storage::crc32c::mask(storage::crc32c::value(h + 6, 1 + length));
      if (storage::decode_fixed32(h) != crc) {
        storage::encode_fixed32(h, crc);
        changed = true;
      }
      pos += header_size + length;
    }
  }
  return changed;
}

namespace detail {

// Rewrites the trailer CRC of the block at `h` when it lies before the footer (data_end).
inline bool repair_block(std::string* file, const storage::block_handle& h,
                         std::uint64_t data_end) {
  if (h.offset > data_end || h.size > data_end - h.offset ||
      data_end - h.offset - h.size < storage::block_trailer_bytes)
    return false;
  char* contents = file->data() + h.offset;
  char* trailer = contents + h.size;
  std::uint32_t crc = storage::crc32c::value(contents, static_cast<std::size_t>(h.size));
  crc = storage::crc32c::mask(storage::crc32c::extend(crc, trailer, 1));
  if (storage::decode_fixed32(trailer + 1) == crc) return false;
  storage::encode_fixed32(trailer + 1, crc);
  return true;
}

}  // namespace detail

/// Rewrites the footer's CRC, the trailer CRCs of the blocks the footer names, and those of the
/// data blocks the (raw) index names, wherever the handles lie within the file. Returns whether
/// a byte changed. The magic number is left alone.
inline bool repair_table_checksums(std::string* file) {
  using storage::footer_bytes;
  if (file->size() < footer_bytes) return false;
  const std::uint64_t data_end = file->size() - footer_bytes;
  char* f = file->data() + data_end;
  bool changed = false;
  constexpr std::size_t crc_offset = 52;  // sst_format.md, "Footer"
  const std::uint32_t footer_crc = storage::crc32c::mask(storage::crc32c::value(f, crc_offset));
  if (storage::decode_fixed32(f + crc_offset) != footer_crc) {
    storage::encode_fixed32(f + crc_offset, footer_crc);
    changed = true;
  }
  storage::block_handle handles[3];
  for (int i = 0; i < 3; ++i) {
    handles[i].offset = storage::decode_fixed64(f + 16 * i);
    handles[i].size = storage::decode_fixed64(f + 16 * i + 8);
    changed |= detail::repair_block(file, handles[i], data_end);
  }
  // The index (handles[0]): a raw block of internal key -> data block handle.
  const storage::block_handle& index = handles[0];
  if (index.offset > data_end || index.size > data_end - index.offset ||
      data_end - index.offset - index.size < storage::block_trailer_bytes)
    return changed;
  storage::block b;
  if (!storage::block::parse(file->substr(index.offset, index.size), &b).is_ok()) return changed;
  storage::block::iterator it(&b);
  int blocks = 0;
  for (it.seek_to_first(); it.valid() && blocks < 4096; it.next(), ++blocks) {
    std::string_view v = it.value();
    storage::block_handle h;
    if (h.decode_from(&v)) changed |= detail::repair_block(file, h, data_end);
  }
  return changed;
}

}  // namespace kepler::fuzz
