#include "storage_format/util/crc32c.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace kepler::storage;

namespace {
std::uint32_t crc_of(const std::string& s) {
  return crc32c::value(s.data(), s.size());
}
}  // namespace

TEST_CASE("crc32c matches the standard check value") {
  CHECK(crc_of("123456789") == 0xE3069283u);
}

TEST_CASE("crc32c matches the RFC 3720 (iSCSI) test vectors") {
  CHECK(crc_of(std::string(32, '\0')) == 0x8A9136AAu);
  CHECK(crc_of(std::string(32, '\xff')) == 0x62A8AB43u);
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  CHECK(crc_of(ascending) == 0x46DD794Eu);
  CHECK(crc_of(descending) == 0x113FDB5Cu);
}

TEST_CASE("the crc32c of nothing is zero") {
  CHECK(crc32c::value("", 0) == 0u);
  CHECK(crc32c::extend(0x12345678u, "", 0) == 0x12345678u);
}

TEST_CASE("extending a crc equals the crc of the concatenation") {
  std::string data;
  for (int i = 0; i < 5000; ++i) data.push_back(static_cast<char>(i * 131 + 7));
  const std::uint32_t whole = crc_of(data);
  for (std::size_t split : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{64},
                            std::size_t{1000}, std::size_t{4999}, data.size()}) {
    CAPTURE(split);
    const std::uint32_t head = crc32c::value(data.data(), split);
    CHECK(crc32c::extend(head, data.data() + split, data.size() - split) == whole);
  }
  CHECK(crc32c::extend(crc_of("hello "), "world", 5) == crc_of("hello world"));
}

TEST_CASE("different data gives different crcs") {
  CHECK(crc_of("a") != crc_of("foo"));
  CHECK(crc_of("bar") != crc_of("foo"));
}

TEST_CASE("masking changes a crc and unmasking restores it") {
  const std::uint32_t crc = crc_of("foo");
  CHECK(crc32c::mask(crc) != crc);
  CHECK(crc32c::mask(crc32c::mask(crc)) != crc);
  CHECK(crc32c::unmask(crc32c::mask(crc)) == crc);
  CHECK(crc32c::unmask(crc32c::unmask(crc32c::mask(crc32c::mask(crc)))) == crc);
  for (std::uint32_t v : {0u, 1u, 0x80000000u, 0xffffffffu, 0xa282ead8u}) {
    CHECK(crc32c::unmask(crc32c::mask(v)) == v);
  }
}

TEST_CASE("mask is LevelDB's rotate-right-15 plus a constant") {
  // Pinned so logs stay readable by anyone who implements the spec in wal_format.md.
  CHECK(crc32c::mask(0) == 0xa282ead8u);
  CHECK(crc32c::mask(0xE3069283u) == ((0xE3069283u >> 15 | 0xE3069283u << 17) + 0xa282ead8u));
}
