#include "storage_format/table/block_compression.hpp"

#include <lz4.h>
#include <zstd.h>

#include "storage_format/util/coding.hpp"

namespace kepler::storage {

namespace {

// LevelDB's rule: compression that saves less than raw / 8 is not worth a decompression per read.
constexpr std::size_t min_saving_divisor = 8;

// A decompression context per reading thread: creating one per block costs more than the
// decompression of a 4 KiB block, and a context is not safe to share between threads.
struct dctx_deleter {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};
ZSTD_DCtx* thread_dctx() {
  thread_local std::unique_ptr<ZSTD_DCtx, dctx_deleter> ctx(ZSTD_createDCtx());
  return ctx.get();
}

}  // namespace

struct block_compressor::zstd_context {
  ZSTD_CCtx* ctx = ZSTD_createCCtx();
  ~zstd_context() { ZSTD_freeCCtx(ctx); }
};

bool valid_zstd_level(int level) {
  return level >= ZSTD_minCLevel() && level <= ZSTD_maxCLevel();
}

const char* to_string(block_codec codec) {
  switch (codec) {
    case block_codec::none:
      return "none";
    case block_codec::lz4:
      return "lz4";
    case block_codec::zstd:
      return "zstd";
  }
  return "unknown";
}

block_compressor::block_compressor(block_codec codec, int zstd_level)
    : codec_(codec), zstd_level_(zstd_level) {
  if (codec_ == block_codec::zstd) zstd_ = std::make_unique<zstd_context>();
}

block_compressor::~block_compressor() = default;

block_codec block_compressor::compress(std::string_view raw, std::string* stored) {
  if (codec_ == block_codec::none || raw.size() > LZ4_MAX_INPUT_SIZE) return block_codec::none;
  const std::size_t worth = raw.size() - raw.size() / min_saving_divisor;
  stored->clear();
  put_varint32(stored, static_cast<std::uint32_t>(raw.size()));
  const std::size_t header = stored->size();
  std::size_t payload = 0;
  if (codec_ == block_codec::lz4) {
    const int bound = LZ4_compressBound(static_cast<int>(raw.size()));
    stored->resize(header + static_cast<std::size_t>(bound));
    const int n = LZ4_compress_default(raw.data(), stored->data() + header,
                                       static_cast<int>(raw.size()), bound);
    if (n <= 0) return block_codec::none;
    payload = static_cast<std::size_t>(n);
  } else {
    if (zstd_ == nullptr || zstd_->ctx == nullptr) return block_codec::none;
    const std::size_t bound = ZSTD_compressBound(raw.size());
    stored->resize(header + bound);
    const std::size_t n = ZSTD_compressCCtx(zstd_->ctx, stored->data() + header, bound, raw.data(),
                                            raw.size(), zstd_level_);
    if (ZSTD_isError(n)) return block_codec::none;
    payload = n;
  }
  stored->resize(header + payload);
  if (stored->size() >= worth) return block_codec::none;
  return codec_;
}

status decompress_block(block_codec codec, std::string_view stored, std::uint64_t max_raw_bytes,
                        std::string* raw) {
  if (codec != block_codec::lz4 && codec != block_codec::zstd) {
    return status::corruption("block stored with unknown codec " +
                              std::to_string(static_cast<int>(codec)));
  }
  std::string_view in = stored;
  std::uint32_t size = 0;
  if (!get_varint32(&in, &size)) {
    return status::corruption(std::string(to_string(codec)) + " block: malformed size field");
  }
  if (size > max_raw_bytes) {
    return status::corruption(std::string(to_string(codec)) + " block: decompressed size " +
                              std::to_string(size) + " exceeds the limit of " +
                              std::to_string(max_raw_bytes) + " bytes");
  }
  raw->resize(size);
  std::size_t got = 0;
  bool decoded = false;
  if (codec == block_codec::lz4) {
    if (in.size() <= LZ4_MAX_INPUT_SIZE && size <= LZ4_MAX_INPUT_SIZE) {
      const int n = LZ4_decompress_safe(in.data(), raw->data(), static_cast<int>(in.size()),
                                        static_cast<int>(size));
      decoded = n >= 0;
      got = decoded ? static_cast<std::size_t>(n) : 0;
    }
  } else {
    ZSTD_DCtx* ctx = thread_dctx();
    if (ctx == nullptr) return status::io_error("zstd: cannot create a decompression context");
    const std::size_t n = ZSTD_decompressDCtx(ctx, raw->data(), size, in.data(), in.size());
    decoded = !ZSTD_isError(n);
    got = decoded ? n : 0;
  }
  if (!decoded) {
    raw->clear();
    return status::corruption(std::string(to_string(codec)) + " block: payload does not decode");
  }
  if (got != size) {
    raw->clear();
    return status::corruption(std::string(to_string(codec)) + " block: decompresses to " +
                              std::to_string(got) + " bytes, its size field says " +
                              std::to_string(size));
  }
  return status::ok();
}

}  // namespace kepler::storage
