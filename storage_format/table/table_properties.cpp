#include "storage_format/table/table_properties.hpp"

#include "storage_format/util/coding.hpp"

namespace kepler::storage {

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
  if (p.deletions > p.entries || p.min_sequence > p.max_sequence) {
    return status::corruption("properties block: counts or sequence range inconsistent");
  }
  p.smallest_key.assign(smallest.data(), smallest.size());
  p.largest_key.assign(largest.data(), largest.size());
  *out = std::move(p);
  return status::ok();
}

}  // namespace kepler::storage
