#pragma once
// The framing of a table file (sst_format.md): block handles, the block trailer (kind byte and
// masked CRC32C) and the fixed-size footer, plus the one function that reads a block back and
// checks it. The block contents themselves are block_builder's and bloom_filter's business.

#include <cstdint>
#include <string>
#include <string_view>

#include "storage_format/util/file_system.hpp"
#include "storage_format/util/status.hpp"

namespace kepler::storage {

/// What a block holds; stored in its trailer so a handle pointing at the wrong block is caught.
enum class block_kind : std::uint8_t {
  data = 1,
  index = 2,
  filter = 3,
  properties = 4,
};
const char* to_string(block_kind kind);

/// Kind byte + fixed32 masked CRC32C of the contents and the kind byte.
constexpr std::size_t block_trailer_bytes = 5;
/// Three fixed-width handles, format version, footer CRC, magic.
constexpr std::size_t footer_bytes = 64;
/// "KPLRSST1" read as a little-endian fixed64: the last eight bytes of every table.
constexpr std::uint64_t table_magic = 0x31545353524c504bull;
constexpr std::uint32_t table_format_version = 1;

/// Where a block's contents lie in the file (the trailer follows them).
struct block_handle {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;

  /// varint64 offset, varint64 size: the form index entries store.
  void encode_to(std::string* dst) const;
  /// False (input unchanged) when the varints are malformed or truncated.
  bool decode_from(std::string_view* input);
  /// One past the block's trailer.
  std::uint64_t end() const { return offset + size + block_trailer_bytes; }
};

struct footer {
  block_handle index;
  block_handle filter;  // size 0: the table has no filter
  block_handle properties;

  /// Appends exactly footer_bytes.
  void encode_to(std::string* dst) const;
  /// Decodes the footer_bytes in `input`, found at `offset` of the table `path`; fails with
  /// corruption (bad magic, bad checksum, a handle past `offset`) or not_supported (a newer
  /// format version).
  static status decode(std::string_view input, const std::string& path, std::uint64_t offset,
                       footer* out);
};

/// Appends `contents` followed by its trailer to `*dst`.
void append_block(std::string* dst, std::string_view contents, block_kind kind);

/// Reads the block at `handle` of `file` into `*contents` (without its trailer). Fails with
/// corruption naming the file and offset when the block runs past `data_end` (where the footer
/// starts), the file is short, the trailer's kind is not `kind`, or, when `verify`, the CRC does
/// not match; with the file's own status when the read fails.
status read_block(const readable_file& file, const block_handle& handle, block_kind kind,
                  bool verify, std::uint64_t data_end, std::string* contents);

}  // namespace kepler::storage
