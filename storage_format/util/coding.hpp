#pragma once
// Little-endian fixed-width and varint encodings, and length-prefixed slices: the only way bytes
// reach disk (no memcpy of structs).

#include <cstdint>
#include <string>
#include <string_view>

namespace kepler::storage {

constexpr std::size_t max_varint32_bytes = 5;
constexpr std::size_t max_varint64_bytes = 10;

void put_fixed32(std::string* dst, std::uint32_t value);
void put_fixed64(std::string* dst, std::uint64_t value);
void put_varint32(std::string* dst, std::uint32_t value);
void put_varint64(std::string* dst, std::uint64_t value);
/// varint32 length, then the bytes.
void put_length_prefixed(std::string* dst, std::string_view value);

// Inline: comparators and block readers call these for every key they look at. The byte loops
// compile to single loads and stores on little-endian machines.
inline void encode_fixed32(char* dst, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) dst[i] = static_cast<char>(value >> (8 * i));
}
inline void encode_fixed64(char* dst, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) dst[i] = static_cast<char>(value >> (8 * i));
}
inline std::uint32_t decode_fixed32(const char* src) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(src);
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value |= std::uint32_t{p[i]} << (8 * i);
  return value;
}
inline std::uint64_t decode_fixed64(const char* src) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(src);
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= std::uint64_t{p[i]} << (8 * i);
  return value;
}
/// Writes the varint at `dst`, returns one past its last byte.
char* encode_varint32(char* dst, std::uint32_t value);
char* encode_varint64(char* dst, std::uint64_t value);
int varint_length(std::uint64_t value);

/// Each get_* consumes from the front of `*input`; false (input unchanged) when it is too short
/// or malformed.
bool get_fixed32(std::string_view* input, std::uint32_t* value);
bool get_fixed64(std::string_view* input, std::uint64_t* value);
bool get_varint32(std::string_view* input, std::uint32_t* value);
bool get_varint64(std::string_view* input, std::uint64_t* value);
bool get_length_prefixed(std::string_view* input, std::string_view* value);

/// Decodes a varint from [p, limit); nullptr when malformed or truncated.
const char* decode_varint32_slow(const char* p, const char* limit, std::uint32_t* value);
inline const char* decode_varint32(const char* p, const char* limit, std::uint32_t* value) {
  // Most lengths fit one byte: decode those inline, the rest out of line.
  if (p < limit && static_cast<unsigned char>(*p) < 0x80) {
    *value = static_cast<unsigned char>(*p);
    return p + 1;
  }
  return decode_varint32_slow(p, limit, value);
}
const char* decode_varint64(const char* p, const char* limit, std::uint64_t* value);

}  // namespace kepler::storage
