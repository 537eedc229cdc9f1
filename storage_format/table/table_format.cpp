#include "storage_format/table/table_format.hpp"

#include "storage_format/util/coding.hpp"
#include "storage_format/util/crc32c.hpp"

namespace kepler::storage {

namespace {

// Field positions within the footer (sst_format.md).
constexpr std::size_t footer_version_offset = 48;
constexpr std::size_t footer_crc_offset = 52;
constexpr std::size_t footer_magic_offset = 56;

std::uint32_t block_crc(std::string_view contents, char kind) {
  const std::uint32_t crc = crc32c::value(contents.data(), contents.size());
  return crc32c::extend(crc, &kind, 1);
}

std::string where(const std::string& path, block_kind kind, std::uint64_t offset) {
  return path + ": " + to_string(kind) + " block at offset " + std::to_string(offset) + ": ";
}

void put_fixed_handle(std::string* dst, const block_handle& h) {
  put_fixed64(dst, h.offset);
  put_fixed64(dst, h.size);
}

block_handle get_fixed_handle(const char* p) {
  return block_handle{decode_fixed64(p), decode_fixed64(p + 8)};
}

}  // namespace

const char* to_string(block_kind kind) {
  switch (kind) {
    case block_kind::data:
      return "data";
    case block_kind::index:
      return "index";
    case block_kind::filter:
      return "filter";
    case block_kind::properties:
      return "properties";
  }
  return "unknown";
}

void block_handle::encode_to(std::string* dst) const {
  put_varint64(dst, offset);
  put_varint64(dst, size);
}

bool block_handle::decode_from(std::string_view* input) {
  std::string_view in = *input;
  block_handle h;
  if (!get_varint64(&in, &h.offset) || !get_varint64(&in, &h.size)) return false;
  *this = h;
  *input = in;
  return true;
}

void footer::encode_to(std::string* dst) const {
  const std::size_t start = dst->size();
  put_fixed_handle(dst, index);
  put_fixed_handle(dst, filter);
  put_fixed_handle(dst, properties);
  put_fixed32(dst, table_format_version);
  const std::uint32_t crc = crc32c::value(dst->data() + start, footer_crc_offset);
  put_fixed32(dst, crc32c::mask(crc));
  put_fixed64(dst, table_magic);
}

status footer::decode(std::string_view input, const std::string& path, std::uint64_t offset,
                      footer* out) {
  const std::string at = path + ": footer at offset " + std::to_string(offset) + ": ";
  if (input.size() != footer_bytes) {
    return status::corruption(at + "file too short for a table (" + std::to_string(input.size()) +
                              " bytes)");
  }
  const char* p = input.data();
  if (decode_fixed64(p + footer_magic_offset) != table_magic) {
    return status::corruption(at + "bad magic number: not a table file, or cut short");
  }
  const std::uint32_t stored = crc32c::unmask(decode_fixed32(p + footer_crc_offset));
  const std::uint32_t actual = crc32c::value(p, footer_crc_offset);
  if (stored != actual) return status::corruption(at + "checksum mismatch");
  const std::uint32_t version = decode_fixed32(p + footer_version_offset);
  if (version < oldest_table_format_version || version > table_format_version) {
    return status::not_supported(at + "format version " + std::to_string(version) +
                                 " (this build reads versions " +
                                 std::to_string(oldest_table_format_version) + " to " +
                                 std::to_string(table_format_version) + ")");
  }
  footer f;
  f.version = version;
  f.index = get_fixed_handle(p);
  f.filter = get_fixed_handle(p + 16);
  f.properties = get_fixed_handle(p + 32);
  // Overflow-safe: each handle must end at or before the footer.
  for (const block_handle* h : {&f.index, &f.filter, &f.properties}) {
    if (h->offset > offset || h->size > offset - h->offset ||
        offset - h->offset - h->size < block_trailer_bytes) {
      return status::corruption(at + "block handle runs past the footer");
    }
  }
  *out = f;
  return status::ok();
}

void append_block(std::string* dst, std::string_view contents, block_kind kind, block_codec codec) {
  dst->append(contents.data(), contents.size());
  const char kind_byte = static_cast<char>(static_cast<std::uint8_t>(kind) |
                                           static_cast<std::uint8_t>(codec) << trailer_codec_shift);
  dst->push_back(kind_byte);
  put_fixed32(dst, crc32c::mask(block_crc(contents, kind_byte)));
}

status read_block(const readable_file& file, const block_handle& handle, block_kind kind,
                  bool verify, std::uint64_t data_end, std::string* contents,
                  const block_decoding& decoding) {
  if (handle.offset > data_end || handle.size > data_end - handle.offset ||
      data_end - handle.offset - handle.size < block_trailer_bytes) {
    return status::corruption(where(file.path(), kind, handle.offset) + "size " +
                              std::to_string(handle.size) + " runs past the end of the data");
  }
  const std::size_t n = static_cast<std::size_t>(handle.size) + block_trailer_bytes;
  contents->resize(n);
  std::string_view got;
  KEPLER_RETURN_IF_ERROR(file.read(handle.offset, n, contents->data(), &got));
  if (got.size() != n) {
    return status::corruption(where(file.path(), kind, handle.offset) + "file ends after " +
                              std::to_string(got.size()) + " of " + std::to_string(n) + " bytes");
  }
  // A file_system may hand back a view of its own memory instead of filling the scratch buffer;
  // `got` is the block either way, and a compressed one is decompressed straight from it.
  const char* trailer = got.data() + handle.size;
  const auto stored_byte = static_cast<std::uint8_t>(trailer[0]);
  const std::uint8_t stored_kind = stored_byte & trailer_kind_mask;
  const std::uint8_t stored_codec = stored_byte >> trailer_codec_shift;
  // A compressed block is always verified: the decompressor is never fed damaged bytes.
  const bool compressed = decoding.compressed_allowed && stored_codec != 0;
  const std::string_view stored = got.substr(0, handle.size);
  if (verify || compressed) {
    const std::uint32_t expected = crc32c::unmask(decode_fixed32(trailer + 1));
    if (expected != block_crc(stored, trailer[0])) {
      return status::corruption(where(file.path(), kind, handle.offset) + "checksum mismatch");
    }
  }
  if (stored_kind != static_cast<std::uint8_t>(kind) ||
      (stored_codec != 0 && !decoding.compressed_allowed)) {
    return status::corruption(where(file.path(), kind, handle.offset) + "trailer says block kind " +
                              std::to_string(stored_byte));
  }
  if (stored_codec > max_block_codec) {
    return status::corruption(where(file.path(), kind, handle.offset) +
                              "trailer names unknown codec " + std::to_string(stored_codec));
  }
  if (!compressed) {
    if (got.data() != contents->data()) contents->assign(got.data(), got.size());
    contents->resize(handle.size);
    return status::ok();
  }
  std::string raw;
  status s = decompress_block(static_cast<block_codec>(stored_codec), stored,
                              decoding.max_raw_bytes, &raw);
  if (!s) return status::corruption(where(file.path(), kind, handle.offset) + s.message());
  contents->swap(raw);
  return status::ok();
}

}  // namespace kepler::storage
