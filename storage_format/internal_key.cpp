#include "storage_format/internal_key.hpp"

#include <cassert>
#include <cstring>

#include "storage_format/coding.hpp"

namespace kepler::storage {

namespace {

constexpr std::size_t tag_size = 8;
constexpr unsigned type_bits = 8;
constexpr std::uint64_t type_mask = (std::uint64_t{1} << type_bits) - 1;

int compare_bytes(std::string_view a, std::string_view b) {
  // memcmp compares as unsigned char, which is the byte order the formats promise; a plain
  // char comparison would put 0x80..0xff before 0x00 on platforms where char is signed.
  const std::size_t common = a.size() < b.size() ? a.size() : b.size();
  if (common > 0) {
    const int r = std::memcmp(a.data(), b.data(), common);
    if (r != 0) return r;
  }
  if (a.size() < b.size()) return -1;
  if (a.size() > b.size()) return 1;
  return 0;
}

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

int compare_internal_keys(std::string_view a, std::string_view b) {
  // Callers compare keys they built or already parsed; a short key here is a bug, not damage.
  assert(a.size() >= tag_size && b.size() >= tag_size);
  const int r = compare_bytes(a.substr(0, a.size() - tag_size), b.substr(0, b.size() - tag_size));
  if (r != 0) return r;
  const std::uint64_t tag_a = decode_fixed64(a.data() + a.size() - tag_size);
  const std::uint64_t tag_b = decode_fixed64(b.data() + b.size() - tag_size);
  // Newer first: a larger tag sorts earlier.
  if (tag_a > tag_b) return -1;
  if (tag_a < tag_b) return 1;
  return 0;
}

}  // namespace kepler::storage
