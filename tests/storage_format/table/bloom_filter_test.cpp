#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "storage_format/table/bloom_filter.hpp"
#include "storage_format/util/coding.hpp"

using namespace kepler::storage;

namespace {

std::string numbered_key(std::uint32_t i) {
  std::string k;
  put_fixed32(&k, i);
  return k;
}

bloom_filter parse_ok(std::string contents) {
  bloom_filter f;
  REQUIRE(bloom_filter::parse(std::move(contents), &f).is_ok());
  return f;
}

}  // namespace

TEST_CASE("the bloom hash is MurmurHash64A with the filter's seed, as sst_format.md pins") {
  // Values a reader in another language must reproduce (see sst_format.md); computed by an
  // independent transcription of the reference algorithm, covering the word loop and the tail.
  CHECK(bloom_hash("") == 0x826776e4fb6e8272ull);
  CHECK(bloom_hash("a") == 0xf3b91df06ba77c7dull);
  CHECK(bloom_hash("kepler-table") == 0x553967ee3ce57085ull);
  CHECK(bloom_hash(std::string("0123456789abcdef\0xyz", 20)) == 0xda82fe912f72b5c7ull);
}

TEST_CASE("a bloom filter has no false negatives") {
  for (int bits : {1, 5, 10, 20}) {
    bloom_filter_builder builder(bits);
    for (std::uint32_t i = 0; i < 5000; ++i) builder.add_key(numbered_key(i * 7));
    const bloom_filter f = parse_ok(builder.finish());
    for (std::uint32_t i = 0; i < 5000; ++i) CHECK(f.may_contain(numbered_key(i * 7)));
  }
}

TEST_CASE("an empty bloom filter matches nothing and repeated keys count once") {
  bloom_filter_builder empty(10);
  const bloom_filter f = parse_ok(empty.finish());
  CHECK_FALSE(f.may_contain("hello"));
  CHECK_FALSE(f.may_contain(""));

  bloom_filter_builder repeated(10);
  repeated.add_key("k");
  repeated.add_key("k");
  repeated.add_key("l");
  CHECK(repeated.key_count() == 2);
}

TEST_CASE("the bloom filter's false-positive rate at 10 bits per key is at most 1.5%") {
  for (std::uint32_t keys : {1000u, 10000u, 100000u}) {
    bloom_filter_builder builder(10);
    for (std::uint32_t i = 0; i < keys; ++i) builder.add_key(numbered_key(i));
    const bloom_filter f = parse_ok(builder.finish());
    const std::uint32_t probes = 1000000;
    std::uint32_t false_positives = 0;
    for (std::uint32_t i = 0; i < probes; ++i) {
      false_positives += f.may_contain(numbered_key(1000000000u + i)) ? 1 : 0;
    }
    const double rate = 100.0 * false_positives / probes;
    MESSAGE("bloom filter, 10 bits/key, " << keys << " keys, " << f.size()
                                          << " bytes: false positives " << false_positives << " of "
                                          << probes << " absent keys = " << rate << "%");
    CHECK(rate <= 1.5);
  }
}

TEST_CASE("a bloom filter with an unknown probe count lets every key through") {
  bloom_filter_builder builder(10);
  builder.add_key("present");
  std::string contents = builder.finish();
  contents.back() = 31;  // reserved for encodings a later version may add
  const bloom_filter f = parse_ok(contents);
  CHECK(f.may_contain("absent"));
  contents.back() = 0;
  CHECK(parse_ok(contents).may_contain("absent"));
}

TEST_CASE("a filter block without a bit array, or not whole 64-byte lines, is corruption") {
  bloom_filter f;
  CHECK(bloom_filter::parse("", &f).code() == status_code::corruption);
  CHECK(bloom_filter::parse(std::string(1, '\x07'), &f).code() == status_code::corruption);
  const status s = bloom_filter::parse(std::string(100, '\0') + "\x07", &f);
  CHECK(s.code() == status_code::corruption);
  CHECK(s.message().find("not whole 64-byte lines") != std::string::npos);
  CHECK(bloom_filter::parse(std::string(128, '\0') + "\x07", &f).is_ok());
}

TEST_CASE("a key's probes set bits of one 64-byte line, as sst_format.md pins") {
  // The layout transcribed from sst_format.md: line = (h >> 32) * lines >> 32; then k times
  // bit = p >> 23 with p = h mod 2^32, p *= 0x9E3779B9.
  for (std::uint32_t keys : {1u, 60u, 1000u}) {
    bloom_filter_builder builder(10);
    for (std::uint32_t i = 0; i < keys; ++i) builder.add_key(numbered_key(i));
    const std::string contents = builder.finish();
    REQUIRE((contents.size() - 1) % 64 == 0);
    const std::uint64_t lines = (contents.size() - 1) / 64;
    CHECK(lines == std::max<std::uint64_t>(1, (keys * 10 + 511) / 512));
    CHECK(contents.back() == 7);
    std::string expected(contents.size() - 1, '\0');
    for (std::uint32_t i = 0; i < keys; ++i) {
      const std::uint64_t h = bloom_hash(numbered_key(i));
      const std::uint64_t line = ((h >> 32) * lines) >> 32;
      auto p = static_cast<std::uint32_t>(h);
      for (int probe = 0; probe < 7; ++probe) {
        const std::uint32_t bit = p >> 23;
        expected[line * 64 + bit / 8] =
            static_cast<char>(expected[line * 64 + bit / 8] | (1 << (bit % 8)));
        p *= 0x9e3779b9u;
      }
    }
    CHECK(contents.substr(0, contents.size() - 1) == expected);
  }
}
