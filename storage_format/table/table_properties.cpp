#include "storage_format/table/table_properties.hpp"

#include "storage_format/util/coding.hpp"

namespace kepler::storage {

namespace {
// An entry's three varint32 lengths and its fixed32 restart point; a block's fixed32 count.
constexpr std::uint64_t max_entry_overhead = 3 * 5 + 4;
constexpr std::uint64_t block_overhead = 4;
}  // namespace

std::uint64_t table_properties::data_block_bound() const {
  return raw_key_bytes + raw_value_bytes + entries * max_entry_overhead + block_overhead;
}

void table_properties::encode_to(std::string* dst) const {
  put_varint64(dst, entries);
  put_varint64(dst, deletions);
  put_varint64(dst, data_blocks);
  put_varint64(dst, min_sequence);
  put_varint64(dst, max_sequence);
  put_length_prefixed(dst, smallest_key);
  put_length_prefixed(dst, largest_key);
  put_varint64(dst, raw_key_bytes);
  put_varint64(dst, raw_value_bytes);
  put_varint64(dst, largest_data_block);
  put_varint64(dst, compressed_blocks);
  put_varint64(dst, raw_kept_blocks);
}

status table_properties::decode(std::string_view input, table_properties* out) {
  table_properties p;
  std::string_view smallest, largest;
  if (!get_varint64(&input, &p.entries) || !get_varint64(&input, &p.deletions) ||
      !get_varint64(&input, &p.data_blocks) || !get_varint64(&input, &p.min_sequence) ||
      !get_varint64(&input, &p.max_sequence) || !get_length_prefixed(&input, &smallest) ||
      !get_length_prefixed(&input, &largest) || !get_varint64(&input, &p.raw_key_bytes) ||
      !get_varint64(&input, &p.raw_value_bytes)) {
    return status::corruption("properties block: a field is missing or malformed");
  }
  // Version 1 tables end here; a version 2 table has all three or none is malformed.
  if (!input.empty() &&
      (!get_varint64(&input, &p.largest_data_block) ||
       !get_varint64(&input, &p.compressed_blocks) || !get_varint64(&input, &p.raw_kept_blocks))) {
    return status::corruption("properties block: a field is missing or malformed");
  }
  if (p.deletions > p.entries || p.min_sequence > p.max_sequence ||
      p.compressed_blocks > p.data_blocks ||
      p.raw_kept_blocks > p.data_blocks - p.compressed_blocks) {
    return status::corruption("properties block: counts or sequence range inconsistent");
  }
  p.smallest_key.assign(smallest.data(), smallest.size());
  p.largest_key.assign(largest.data(), largest.size());
  *out = std::move(p);
  return status::ok();
}

}  // namespace kepler::storage
