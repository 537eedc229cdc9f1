#pragma once
// Internal keys: the user key followed by an 8-byte tag (sequence << 8 | type). They order by
// user key ascending, then sequence descending, so the newest version of a key comes first and a
// lookup "as of sequence S" is one seek. Shared by the memtable and the table format.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "storage_format/util/coding.hpp"

namespace kepler::storage {

using sequence_number = std::uint64_t;
/// Sequence numbers use the tag's upper 56 bits.
constexpr sequence_number max_sequence_number = (std::uint64_t{1} << 56) - 1;

enum class value_type : std::uint8_t {
  deletion = 0,
  value = 1,
};
/// The type that sorts first among equal (key, sequence): used when seeking.
constexpr value_type value_type_for_seek = value_type::value;

inline std::uint64_t pack_tag(sequence_number seq, value_type type) {
  return (seq << 8) | static_cast<std::uint8_t>(type);
}

struct parsed_internal_key {
  std::string_view user_key;
  sequence_number sequence = 0;
  value_type type = value_type::value;
};

/// Appends user_key + fixed64 tag to `*dst`.
void append_internal_key(std::string* dst, std::string_view user_key, sequence_number seq,
                         value_type type);
/// False when `internal_key` is shorter than a tag or its type is unknown.
bool parse_internal_key(std::string_view internal_key, parsed_internal_key* out);

/// The user key of an internal key: all but its tag. REQUIRES: at least 8 bytes (a tag).
inline std::string_view extract_user_key(std::string_view internal_key) {
  return internal_key.substr(0, internal_key.size() - 8);
}

/// <0, 0, >0: user keys bytewise ascending, then sequence (and type) descending. Inline: the
/// memtable and table lookups call it for every key they pass.
/// REQUIRES: both keys hold a tag (8 bytes or more).
inline int compare_internal_keys(std::string_view a, std::string_view b) {
  constexpr std::size_t tag_bytes = 8;
  const std::size_t ua = a.size() - tag_bytes;
  const std::size_t ub = b.size() - tag_bytes;
  // memcmp compares as unsigned char: the byte order the formats promise.
  const std::size_t common = ua < ub ? ua : ub;
  if (common > 0) {
    const int r = std::memcmp(a.data(), b.data(), common);
    if (r != 0) return r;
  }
  if (ua != ub) return ua < ub ? -1 : 1;
  const std::uint64_t tag_a = decode_fixed64(a.data() + ua);
  const std::uint64_t tag_b = decode_fixed64(b.data() + ub);
  // Newer first: a larger tag sorts earlier.
  if (tag_a != tag_b) return tag_a > tag_b ? -1 : 1;
  return 0;
}

}  // namespace kepler::storage
