#include "storage_format/memtable/internal_key.hpp"

#include <cassert>
#include <cstring>

#include "storage_format/util/coding.hpp"

namespace kepler::storage {

namespace {

constexpr std::size_t tag_size = 8;
constexpr unsigned type_bits = 8;
constexpr std::uint64_t type_mask = (std::uint64_t{1} << type_bits) - 1;

}  // namespace

void append_internal_key(std::string* dst, std::string_view user_key, sequence_number seq,
                         value_type type) {
  assert(seq <= max_sequence_number);
  dst->append(user_key.data(), user_key.size());
  put_fixed64(dst, pack_tag(seq, type));
}

bool parse_internal_key(std::string_view internal_key, parsed_internal_key* out) {
  if (internal_key.size() < tag_size) return false;
  const std::size_t user_size = internal_key.size() - tag_size;
  const std::uint64_t tag = decode_fixed64(internal_key.data() + user_size);
  const auto type = static_cast<std::uint8_t>(tag & type_mask);
  if (type != static_cast<std::uint8_t>(value_type::deletion) &&
      type != static_cast<std::uint8_t>(value_type::value)) {
    return false;
  }
  out->user_key = internal_key.substr(0, user_size);
  out->sequence = tag >> type_bits;
  out->type = static_cast<value_type>(type);
  return true;
}

}  // namespace kepler::storage
