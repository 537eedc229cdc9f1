#include "storage_format/util/coding.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using namespace kepler::storage;

namespace {

std::vector<std::uint64_t> interesting_u64() {
  std::vector<std::uint64_t> values = {0, 1, 127, 128, 255, 256, 16383, 16384};
  // Around every 7-bit boundary, where a varint gains a byte.
  for (int shift = 7; shift < 64; shift += 7) {
    const std::uint64_t edge = std::uint64_t{1} << shift;
    values.push_back(edge - 1);
    values.push_back(edge);
    values.push_back(edge + 1);
  }
  for (int shift = 0; shift < 64; ++shift) values.push_back(std::uint64_t{1} << shift);
  values.push_back(std::numeric_limits<std::uint32_t>::max());
  values.push_back(std::uint64_t{std::numeric_limits<std::uint32_t>::max()} + 1);
  values.push_back(std::numeric_limits<std::uint64_t>::max() - 1);
  values.push_back(std::numeric_limits<std::uint64_t>::max());
  return values;
}

}  // namespace

TEST_CASE("fixed-width integers are stored little-endian") {
  std::string s;
  put_fixed32(&s, 0x04030201u);
  put_fixed64(&s, 0x0c0b0a0908070605ull);
  REQUIRE(s.size() == 12);
  for (int i = 0; i < 12; ++i) CHECK(static_cast<unsigned char>(s[i]) == i + 1);
  CHECK(decode_fixed32(s.data()) == 0x04030201u);
  CHECK(decode_fixed64(s.data() + 4) == 0x0c0b0a0908070605ull);
}

TEST_CASE("fixed-width integers round-trip at their boundaries") {
  std::string s;
  const std::vector<std::uint32_t> v32 = {0,     1,          0x80,        0xff,
                                          0x100, 0x7fffffff, 0x80000000u, 0xffffffffu};
  for (auto v : v32) put_fixed32(&s, v);
  const auto v64 = interesting_u64();
  for (auto v : v64) put_fixed64(&s, v);

  std::string_view in = s;
  for (auto v : v32) {
    std::uint32_t got = 0;
    REQUIRE(get_fixed32(&in, &got));
    CHECK(got == v);
  }
  for (auto v : v64) {
    std::uint64_t got = 0;
    REQUIRE(get_fixed64(&in, &got));
    CHECK(got == v);
  }
  CHECK(in.empty());
}

TEST_CASE("reading a fixed-width integer from too few bytes fails and consumes nothing") {
  const std::string s(7, 'x');
  std::string_view in(s.data(), 3);
  std::uint32_t v32 = 42;
  CHECK_FALSE(get_fixed32(&in, &v32));
  CHECK(in.size() == 3);
  CHECK(v32 == 42);
  in = std::string_view(s.data(), 7);
  std::uint64_t v64 = 42;
  CHECK_FALSE(get_fixed64(&in, &v64));
  CHECK(in.size() == 7);
  CHECK(v64 == 42);
}

TEST_CASE("varints round-trip and take varint_length bytes") {
  for (std::uint64_t v : interesting_u64()) {
    CAPTURE(v);
    std::string s;
    put_varint64(&s, v);
    CHECK(static_cast<int>(s.size()) == varint_length(v));
    CHECK(s.size() <= max_varint64_bytes);
    std::string_view in = s;
    std::uint64_t got = 0;
    REQUIRE(get_varint64(&in, &got));
    CHECK(got == v);
    CHECK(in.empty());

    if (v <= std::numeric_limits<std::uint32_t>::max()) {
      const auto v32 = static_cast<std::uint32_t>(v);
      std::string s32;
      put_varint32(&s32, v32);
      CHECK(s32 == s);  // the two widths share one encoding
      CHECK(s32.size() <= max_varint32_bytes);
      std::string_view in32 = s32;
      std::uint32_t got32 = 0;
      REQUIRE(get_varint32(&in32, &got32));
      CHECK(got32 == v32);
      CHECK(in32.empty());
    }
  }
}

TEST_CASE("varint encodings have the LevelDB byte layout") {
  std::string s;
  put_varint32(&s, 300);
  CHECK(s == std::string("\xac\x02", 2));
  s.clear();
  put_varint64(&s, std::numeric_limits<std::uint64_t>::max());
  CHECK(s == std::string(9, '\xff') + "\x01");
  s.clear();
  put_varint32(&s, std::numeric_limits<std::uint32_t>::max());
  CHECK(s == std::string(4, '\xff') + "\x0f");
}

TEST_CASE("encode_varint returns one past the last byte written") {
  char buf[max_varint64_bytes];
  CHECK(encode_varint32(buf, 0) == buf + 1);
  CHECK(encode_varint32(buf, 128) == buf + 2);
  CHECK(encode_varint64(buf, std::uint64_t{1} << 63) == buf + 10);
}

TEST_CASE("a varint cut short is rejected and leaves the input unchanged") {
  std::string s;
  put_varint64(&s, std::uint64_t{1} << 40);
  for (std::size_t cut = 0; cut < s.size(); ++cut) {
    CAPTURE(cut);
    std::string_view in(s.data(), cut);
    std::uint64_t v = 7;
    CHECK_FALSE(get_varint64(&in, &v));
    CHECK(in.size() == cut);
    CHECK(v == 7);
    CHECK(decode_varint64(s.data(), s.data() + cut, &v) == nullptr);
  }
}

TEST_CASE("over-long varints are malformed") {
  // Six continuation bytes cannot be a varint32; eleven cannot be a varint64.
  const std::string long32 = std::string(5, '\x80') + "\x01";
  std::string_view in = long32;
  std::uint32_t v32 = 0;
  CHECK_FALSE(get_varint32(&in, &v32));
  CHECK(in.size() == long32.size());

  const std::string long64 = std::string(10, '\x80') + "\x01";
  in = long64;
  std::uint64_t v64 = 0;
  CHECK_FALSE(get_varint64(&in, &v64));
  CHECK(in.size() == long64.size());
}

TEST_CASE("varints whose last byte overflows the width are malformed") {
  // 2^32 needs 33 bits: fine as a varint64, not as a varint32.
  std::string s;
  put_varint64(&s, std::uint64_t{1} << 32);
  std::string_view in = s;
  std::uint32_t v32 = 0;
  CHECK_FALSE(get_varint32(&in, &v32));
  CHECK(in.size() == s.size());

  // A tenth byte of 0x02 would be bit 64.
  const std::string over64 = std::string(9, '\xff') + "\x02";
  in = over64;
  std::uint64_t v64 = 0;
  CHECK_FALSE(get_varint64(&in, &v64));
  CHECK(in.size() == over64.size());
}

TEST_CASE("length-prefixed slices round-trip, including empty and large ones") {
  const std::vector<std::string> values = {"", "a", std::string(127, 'b'), std::string(128, 'c'),
                                           std::string(70000, 'd')};
  std::string s;
  for (const auto& v : values) put_length_prefixed(&s, v);
  std::string_view in = s;
  for (const auto& v : values) {
    std::string_view got;
    REQUIRE(get_length_prefixed(&in, &got));
    CHECK(got == v);
  }
  CHECK(in.empty());
}

TEST_CASE("a length prefix that runs past the input fails and consumes nothing") {
  std::string s;
  put_length_prefixed(&s, "hello");
  std::string_view in(s.data(), s.size() - 1);
  std::string_view got = "untouched";
  CHECK_FALSE(get_length_prefixed(&in, &got));
  CHECK(in.size() == s.size() - 1);
  CHECK(got == "untouched");

  in = std::string_view();
  CHECK_FALSE(get_length_prefixed(&in, &got));
}

TEST_CASE("decode_varint stops at the limit even when a continuation bit says more follows") {
  const std::string s = "\x80\x80";
  std::uint32_t v = 0;
  CHECK(decode_varint32(s.data(), s.data() + 1, &v) == nullptr);
  const std::string ok = "\x05tail";
  CHECK(decode_varint32(ok.data(), ok.data() + ok.size(), &v) == ok.data() + 1);
  CHECK(v == 5);
}
