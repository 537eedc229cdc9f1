// The codec framing of sst_format.md's "Block compression": what the compressor stores, when it
// keeps a block raw, and how decompression treats a size field or payload it cannot trust.

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>

#include "storage_format/table/block_compression.hpp"
#include "storage_format/util/coding.hpp"

using namespace kepler::storage;

namespace {

constexpr block_codec codecs[] = {block_codec::lz4, block_codec::zstd};

// Text-like bytes: a few words repeated, which every codec shrinks well below 7/8.
std::string compressible(std::size_t n) {
  static const char* words[] = {"alpha ", "beta ", "gamma ", "delta ", "kepler "};
  std::string out;
  std::size_t i = 0;
  while (out.size() < n) out += words[(i++ * 7) % 5];
  out.resize(n);
  return out;
}

std::string random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

std::string compress(block_codec codec, std::string_view raw) {
  block_compressor c(codec, default_zstd_level);
  std::string stored;
  REQUIRE(c.compress(raw, &stored) == codec);
  return stored;
}

void expect_corruption(const status& s, const std::string& fragment) {
  CAPTURE(s.to_string());
  CHECK(s.code() == status_code::corruption);
  CHECK(s.message().find(fragment) != std::string::npos);
}

}  // namespace

TEST_CASE("each codec round-trips a block behind a varint32 of its raw size") {
  for (block_codec codec : codecs) {
    CAPTURE(to_string(codec));
    for (std::size_t n : {64, 4096, 100000}) {
      const std::string raw = compressible(n);
      const std::string stored = compress(codec, raw);
      std::string_view in = stored;
      std::uint32_t recorded = 0;
      REQUIRE(get_varint32(&in, &recorded));
      CHECK(recorded == n);
      CHECK(stored.size() < n - n / 8);
      std::string back;
      REQUIRE(decompress_block(codec, stored, n, &back).is_ok());
      CHECK(back == raw);
      MESSAGE(std::string(to_string(codec)) << ": " << n << " bytes stored in " << stored.size());
    }
  }
}

TEST_CASE("a block the codec shrinks by less than an eighth is kept raw") {
  for (block_codec codec : codecs) {
    block_compressor c(codec, default_zstd_level);
    std::string stored;
    CHECK(c.compress(random_bytes(4096, 1), &stored) == block_codec::none);
    CHECK(c.compress(compressible(4096), &stored) == codec);
  }
  block_compressor none(block_codec::none, default_zstd_level);
  std::string stored;
  CHECK(none.compress(compressible(4096), &stored) == block_codec::none);
}

TEST_CASE("a recorded size above the limit is corruption, before anything is allocated") {
  for (block_codec codec : codecs) {
    CAPTURE(to_string(codec));
    const std::string raw = compressible(4096);
    const std::string stored = compress(codec, raw);
    std::string back;
    expect_corruption(decompress_block(codec, stored, raw.size() - 1, &back), "exceeds the limit");
    CHECK(back.capacity() < raw.size());
    // A size field claiming 4 GiB - 1 is refused the same way.
    std::string huge;
    put_varint32(&huge, UINT32_MAX);
    huge += stored.substr(2);  // 4096 takes two varint bytes
    expect_corruption(decompress_block(codec, huge, 1 << 20, &back), "exceeds the limit");
  }
}

TEST_CASE("a recorded size that the payload does not fill exactly is corruption") {
  for (block_codec codec : codecs) {
    CAPTURE(to_string(codec));
    const std::string raw = compressible(4096);
    const std::string stored = compress(codec, raw);
    for (std::uint32_t claimed : {4095u, 4097u, 100u}) {
      std::string lying;
      put_varint32(&lying, claimed);
      lying += stored.substr(2);
      std::string back;
      const status s = decompress_block(codec, lying, 1 << 20, &back);
      CHECK(s.code() == status_code::corruption);
      MESSAGE(std::string(to_string(codec))
              << " claiming " << claimed << " of 4096: " << s.to_string());
    }
  }
}

TEST_CASE("a size field that does not decode, a cut payload or garbage is corruption") {
  for (block_codec codec : codecs) {
    CAPTURE(to_string(codec));
    std::string back;
    expect_corruption(decompress_block(codec, "", 4096, &back), "malformed size field");
    expect_corruption(decompress_block(codec, "\x80\x80", 4096, &back), "malformed size field");
    const std::string stored = compress(codec, compressible(4096));
    for (std::size_t cut = 2; cut < stored.size(); cut += 7) {
      CHECK(decompress_block(codec, stored.substr(0, cut), 4096, &back).code() ==
            status_code::corruption);
    }
    std::string garbage;
    put_varint32(&garbage, 4096);
    garbage += random_bytes(300, 7);
    CHECK(decompress_block(codec, garbage, 4096, &back).code() == status_code::corruption);
  }
  std::string back;
  expect_corruption(decompress_block(static_cast<block_codec>(9), "\x10xyz", 4096, &back),
                    "unknown codec");
}
