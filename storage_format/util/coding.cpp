#include "storage_format/util/coding.hpp"

namespace kepler::storage {

namespace {

// A varint carries 7 bits per byte; the high bit says another byte follows.
constexpr unsigned varint_shift = 7;
constexpr std::uint8_t varint_more = 0x80;
constexpr std::uint8_t varint_payload = 0x7f;

// Shared by both widths so the two decoders cannot disagree on what "malformed" means: a
// varint is rejected when it needs more than `max_bytes` bytes or its last byte carries bits
// that do not fit in `value_bits`.
template <typename T>
const char* decode_varint(const char* p, const char* limit, T* value, std::size_t max_bytes) {
  constexpr unsigned value_bits = sizeof(T) * 8;
  T result = 0;
  for (std::size_t i = 0; i < max_bytes && p < limit; ++i) {
    const auto byte = static_cast<std::uint8_t>(*p++);
    const unsigned shift = static_cast<unsigned>(i) * varint_shift;
    const T bits = static_cast<T>(byte & varint_payload);
    // The last possible byte may only hold the bits that remain; anything more would be lost.
    if (shift + varint_shift > value_bits && (bits >> (value_bits - shift)) != 0) return nullptr;
    result |= bits << shift;
    if ((byte & varint_more) == 0) {
      *value = result;
      return p;
    }
  }
  return nullptr;
}

template <typename T>
char* encode_varint(char* dst, T value) {
  auto* out = reinterpret_cast<std::uint8_t*>(dst);
  while (value >= varint_more) {
    *out++ = static_cast<std::uint8_t>(value | varint_more);
    value >>= varint_shift;
  }
  *out++ = static_cast<std::uint8_t>(value);
  return reinterpret_cast<char*>(out);
}

template <typename T>
bool get_varint(std::string_view* input, T* value, std::size_t max_bytes) {
  const char* begin = input->data();
  const char* end = begin + input->size();
  const char* next = decode_varint(begin, end, value, max_bytes);
  if (next == nullptr) return false;
  input->remove_prefix(static_cast<std::size_t>(next - begin));
  return true;
}

}  // namespace

void put_fixed32(std::string* dst, std::uint32_t value) {
  char buf[4];
  encode_fixed32(buf, value);
  dst->append(buf, sizeof buf);
}

void put_fixed64(std::string* dst, std::uint64_t value) {
  char buf[8];
  encode_fixed64(buf, value);
  dst->append(buf, sizeof buf);
}

char* encode_varint32(char* dst, std::uint32_t value) {
  return encode_varint(dst, value);
}
char* encode_varint64(char* dst, std::uint64_t value) {
  return encode_varint(dst, value);
}

void put_varint32(std::string* dst, std::uint32_t value) {
  char buf[max_varint32_bytes];
  dst->append(buf, static_cast<std::size_t>(encode_varint32(buf, value) - buf));
}

void put_varint64(std::string* dst, std::uint64_t value) {
  char buf[max_varint64_bytes];
  dst->append(buf, static_cast<std::size_t>(encode_varint64(buf, value) - buf));
}

void put_length_prefixed(std::string* dst, std::string_view value) {
  put_varint32(dst, static_cast<std::uint32_t>(value.size()));
  dst->append(value.data(), value.size());
}

int varint_length(std::uint64_t value) {
  int len = 1;
  while (value >= varint_more) {
    value >>= varint_shift;
    ++len;
  }
  return len;
}

const char* decode_varint32_slow(const char* p, const char* limit, std::uint32_t* value) {
  return decode_varint(p, limit, value, max_varint32_bytes);
}

const char* decode_varint64(const char* p, const char* limit, std::uint64_t* value) {
  return decode_varint(p, limit, value, max_varint64_bytes);
}

bool get_fixed32(std::string_view* input, std::uint32_t* value) {
  if (input->size() < 4) return false;
  *value = decode_fixed32(input->data());
  input->remove_prefix(4);
  return true;
}

bool get_fixed64(std::string_view* input, std::uint64_t* value) {
  if (input->size() < 8) return false;
  *value = decode_fixed64(input->data());
  input->remove_prefix(8);
  return true;
}

bool get_varint32(std::string_view* input, std::uint32_t* value) {
  return get_varint(input, value, max_varint32_bytes);
}

bool get_varint64(std::string_view* input, std::uint64_t* value) {
  return get_varint(input, value, max_varint64_bytes);
}

bool get_length_prefixed(std::string_view* input, std::string_view* value) {
  std::string_view rest = *input;
  std::uint32_t len = 0;
  if (!get_varint32(&rest, &len) || rest.size() < len) return false;
  *value = rest.substr(0, len);
  rest.remove_prefix(len);
  *input = rest;
  return true;
}

}  // namespace kepler::storage
