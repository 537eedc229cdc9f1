#pragma once
// Block compression (sst_format.md, "Block compression"): the codecs a table's data blocks may be
// stored with, the writer's side (compress, or keep the block raw when that saves too little) and
// the reader's side (decompress within a size limit). The codecs themselves are liblz4's and
// libzstd's; this module only frames their output.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "storage_format/util/status.hpp"

namespace kepler::storage {

/// How a block's contents are stored; the high four bits of its trailer's kind byte (format
/// version 2). The values are part of the format.
enum class block_codec : std::uint8_t {
  none = 0,  // raw: the contents are the block
  lz4 = 1,   // varint32 raw size, then one LZ4 block (LZ4_compress_default)
  zstd = 2,  // varint32 raw size, then one zstd frame
};
const char* to_string(block_codec codec);
/// The highest codec value this build knows; a trailer naming a higher one is damage.
constexpr std::uint8_t max_block_codec = static_cast<std::uint8_t>(block_codec::zstd);

/// zstd's level when table_options does not say (libzstd's own default).
constexpr int default_zstd_level = 3;
/// Whether libzstd accepts `level` (ZSTD_minCLevel() to ZSTD_maxCLevel(); 0 means its default).
bool valid_zstd_level(int level);

/// Compresses blocks for one table builder (it owns the zstd context; not thread-safe).
class block_compressor {
 public:
  /// REQUIRES: for zstd, a level libzstd accepts (ZSTD_minCLevel()..ZSTD_maxCLevel()).
  block_compressor(block_codec codec, int zstd_level);
  ~block_compressor();
  block_compressor(const block_compressor&) = delete;
  block_compressor& operator=(const block_compressor&) = delete;

  /// Stores `raw` with the compressor's codec into `*stored` and returns that codec, or returns
  /// block_codec::none (and leaves `*stored` unspecified) when compression would save less than
  /// an eighth of `raw` (LevelDB's rule), or the codec is none, or the library fails: the block
  /// is then written raw.
  block_codec compress(std::string_view raw, std::string* stored);

  block_codec codec() const { return codec_; }

 private:
  struct zstd_context;
  block_codec codec_;
  int zstd_level_;
  std::unique_ptr<zstd_context> zstd_;
};

/// Restores a block stored with `codec` (not none) into `*raw`. Fails with corruption (the
/// message says what is wrong, without a file or offset: the caller adds them) when the size
/// field is malformed, the recorded size exceeds `max_raw_bytes`, the payload does not decode, or
/// it decodes to a size other than the one recorded. Never allocates more than max_raw_bytes and
/// never reads outside `stored`.
status decompress_block(block_codec codec, std::string_view stored, std::uint64_t max_raw_bytes,
                        std::string* raw);

}  // namespace kepler::storage
