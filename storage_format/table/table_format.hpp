#pragma once
// The framing of a table file (sst_format.md): block handles, the block trailer (kind byte and
// masked CRC32C) and the fixed-size footer, plus the one function that reads a block back and
// checks it. The block contents themselves are block_builder's and bloom_filter's business.

#include <cstdint>
#include <string>
#include <string_view>

#include "storage_format/table/block_compression.hpp"
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

/// The trailer's kind byte holds the kind in its low four bits and, from format version 2, the
/// block's codec in its high four bits.
constexpr unsigned trailer_codec_shift = 4;
constexpr std::uint8_t trailer_kind_mask = 0x0f;

/// Kind byte + fixed32 masked CRC32C of the contents and the kind byte.
constexpr std::size_t block_trailer_bytes = 5;
/// Three fixed-width handles, format version, footer CRC, magic.
constexpr std::size_t footer_bytes = 64;
/// "KPLRSST1" read as a little-endian fixed64: the last eight bytes of every table.
constexpr std::uint64_t table_magic = 0x31545353524c504bull;
/// The version this build writes: 2 adds block compression (a codec per block in the trailer) and
/// the properties that bound a decompressed block.
constexpr std::uint32_t table_format_version = 2;
/// The oldest version this build reads: version 1 stores every block raw.
constexpr std::uint32_t oldest_table_format_version = 1;

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
  /// What decode read; encode_to always writes table_format_version.
  std::uint32_t version = table_format_version;

  /// Appends exactly footer_bytes.
  void encode_to(std::string* dst) const;
  /// Decodes the footer_bytes in `input`, found at `offset` of the table `path`; fails with
  /// corruption (bad magic, bad checksum, a handle past `offset`) or not_supported (a newer
  /// format version).
  static status decode(std::string_view input, const std::string& path, std::uint64_t offset,
                       footer* out);
};

/// Appends `contents` (as stored: compressed with `codec`, or raw) followed by its trailer to
/// `*dst`.
void append_block(std::string* dst, std::string_view contents, block_kind kind,
                  block_codec codec = block_codec::none);

/// Whether read_block may meet a compressed block, and how large one may decompress to.
struct block_decoding {
  /// True for data blocks of format version 2 and later; otherwise a codec in the trailer is
  /// damage (metadata blocks are always raw).
  bool compressed_allowed = false;
  /// The largest raw block the table can hold (sst_format.md, "Block compression"): a recorded
  /// decompressed size above it is corruption, so a damaged size never allocates more.
  std::uint64_t max_raw_bytes = 0;
};

/// Reads the block at `handle` of `file` into `*contents` (without its trailer), decompressed
/// when it is stored compressed. Fails with corruption naming the file and offset when the block
/// runs past `data_end` (where the footer starts), the file is short, the trailer's kind is not
/// `kind` or names a codec `decoding` does not allow, the CRC does not match (checked when
/// `verify`, and always, before decompressing, for a compressed block), or a compressed block
/// does not decompress to its recorded size within decoding.max_raw_bytes; with the file's own
/// status when the read fails.
status read_block(const readable_file& file, const block_handle& handle, block_kind kind,
                  bool verify, std::uint64_t data_end, std::string* contents,
                  const block_decoding& decoding = {});

}  // namespace kepler::storage
