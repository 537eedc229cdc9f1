#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "storage_format/memtable/internal_key.hpp"

using namespace kepler::storage;

namespace {

constexpr std::size_t tag_size = 8;

std::string ikey(std::string_view user_key, sequence_number seq,
                 value_type type = value_type::value) {
  std::string out;
  append_internal_key(&out, user_key, seq, type);
  return out;
}

}  // namespace

TEST_CASE("internal keys order by user key ascending, then by sequence descending") {
  // Each key must sort strictly before the next one.
  const std::vector<std::string> ordered = {
      ikey("", 7),
      ikey("", 1),
      ikey(std::string("\0", 1), 3),
      ikey("a", max_sequence_number),
      ikey("a", 2),
      ikey("a", 1),
      ikey("ab", 9),
      ikey("b", 100),
      ikey("\x7f", 1),
      // Bytes compare unsigned: 0x80 and 0xff come after 0x7f.
      ikey("\x80", 1),
      ikey("\xff", 5),
      ikey(std::string("\xff\x00", 2), 5),
  };
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    CAPTURE(i);
    CHECK(compare_internal_keys(ordered[i], ordered[i]) == 0);
    for (std::size_t j = i + 1; j < ordered.size(); ++j) {
      CAPTURE(j);
      CHECK(compare_internal_keys(ordered[i], ordered[j]) < 0);
      CHECK(compare_internal_keys(ordered[j], ordered[i]) > 0);
    }
  }
}

TEST_CASE("at equal key and sequence a value sorts before a deletion, so seeks land on it") {
  CHECK(compare_internal_keys(ikey("k", 5, value_type_for_seek),
                              ikey("k", 5, value_type::deletion)) < 0);
  CHECK(compare_internal_keys(ikey("k", 5, value_type::value), ikey("k", 5, value_type::value)) ==
        0);
}

TEST_CASE("a user key that is a prefix of another sorts first whatever the sequences") {
  CHECK(compare_internal_keys(ikey("abc", 1), ikey("abcd", 1000)) < 0);
  CHECK(compare_internal_keys(ikey("abcd", 1), ikey("abc", 1000)) > 0);
}

TEST_CASE("an internal key parses back into its user key, sequence and type") {
  const std::string nul_key("a\0b", 3);
  for (const std::string& user : {std::string(), nul_key, std::string(1000, 'x')}) {
    for (sequence_number seq : {sequence_number{0}, sequence_number{1}, max_sequence_number}) {
      for (value_type type : {value_type::value, value_type::deletion}) {
        const std::string encoded = ikey(user, seq, type);
        CHECK(encoded.size() == user.size() + tag_size);
        parsed_internal_key parsed;
        REQUIRE(parse_internal_key(encoded, &parsed));
        CHECK(parsed.user_key == user);
        CHECK(parsed.sequence == seq);
        CHECK(parsed.type == type);
      }
    }
  }
}

TEST_CASE("the tag packs the sequence above an 8-bit type") {
  CHECK(pack_tag(1, value_type::value) == 0x101);
  CHECK(pack_tag(max_sequence_number, value_type::deletion) == ~std::uint64_t{0} - 0xff);
}

TEST_CASE("an internal key shorter than a tag does not parse") {
  const std::string full = ikey("key", 42);
  parsed_internal_key parsed;
  for (std::size_t n = 0; n < tag_size; ++n) {
    CAPTURE(n);
    CHECK_FALSE(parse_internal_key(std::string_view(full).substr(full.size() - n), &parsed));
  }
}

TEST_CASE("an internal key with an unknown type does not parse") {
  std::string bad = ikey("key", 42);
  // The type is the tag's low byte, which fixed64 stores first.
  bad[bad.size() - tag_size] = 2;
  parsed_internal_key parsed;
  CHECK_FALSE(parse_internal_key(bad, &parsed));
  bad[bad.size() - tag_size] = static_cast<char>(0xff);
  CHECK_FALSE(parse_internal_key(bad, &parsed));
}
