// The CLI's byte forms, shell words and dump lines, without a store.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "text/dump_format.hpp"
#include "text/escape.hpp"
#include "text/tokenize.hpp"

using namespace kepler::cli;

namespace {

std::string every_byte() {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  return all;
}

std::string random_bytes(std::mt19937& rng, std::size_t max_len) {
  std::string s(rng() % (max_len + 1), '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

}  // namespace

TEST_CASE("every byte round-trips through the escaped, hex and json forms") {
  const std::string all = every_byte();
  for (auto f : {byte_format::escaped, byte_format::hex, byte_format::json}) {
    std::string text = format_bytes(all, f);
    CHECK(text.find('\t') == std::string::npos);
    CHECK(text.find('\n') == std::string::npos);
    for (unsigned char c : text) CHECK((c >= 0x20 && c <= 0x7e));
    auto back = parse_bytes(text, f);
    REQUIRE(back);
    CHECK(*back == all);
  }
  CHECK(format_bytes(std::string("a\\b\x00\xff", 5), byte_format::escaped) == "a\\\\b\\x00\\xff");
  CHECK(format_bytes("\x01Z", byte_format::hex) == "015a");
  CHECK(format_bytes("\"\xff", byte_format::json) == "\"\\\"\\u00ff\"");
}

TEST_CASE("malformed spellings are refused, not guessed") {
  CHECK_FALSE(parse_bytes("abc\\", byte_format::escaped));
  CHECK_FALSE(parse_bytes("\\x4", byte_format::escaped));
  CHECK_FALSE(parse_bytes("\\xzz", byte_format::escaped));
  CHECK_FALSE(parse_bytes("\\q", byte_format::escaped));
  CHECK_FALSE(parse_bytes("abc", byte_format::hex));
  CHECK_FALSE(parse_bytes("0g", byte_format::hex));
  CHECK_FALSE(parse_bytes("\"\\u0100\"", byte_format::json));  // not a byte
  CHECK_FALSE(parse_bytes("\"a\"b\"", byte_format::json));
  CHECK_FALSE(parse_bytes("abc", byte_format::json));
  CHECK_FALSE(parse_bytes("\"\xc3\xa9\"", byte_format::json));  // raw UTF-8 is not a byte form
  CHECK(*parse_bytes("\\t\\n\\0\\\"", byte_format::escaped) == std::string("\t\n\0\"", 4));
  CHECK(*parse_bytes("0A", byte_format::hex) == "\n");
}

TEST_CASE("random dump lines round-trip in every readable form") {
  std::mt19937 rng(7);
  int lines = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string key = random_bytes(rng, 40), value = random_bytes(rng, 200);
    for (auto f : {byte_format::escaped, byte_format::hex, byte_format::json}) {
      std::string line = format_entry(key, value, f);
      CHECK(line.find('\n') == std::string::npos);
      std::string k, v;
      REQUIRE(parse_entry(line, f, &k, &v) == "");
      CHECK(k == key);
      CHECK(v == value);
      ++lines;
    }
  }
  MESSAGE("dump lines round-tripped: " << lines);
}

TEST_CASE("a bad dump line says what is wrong with it") {
  std::string k, v;
  CHECK(parse_entry("no tab here", byte_format::escaped, &k, &v).find("no tab") !=
        std::string::npos);
  CHECK(parse_entry("a\tb\tc", byte_format::escaped, &k, &v).find("more than one tab") !=
        std::string::npos);
  CHECK(parse_entry("\\xq\tb", byte_format::escaped, &k, &v).find("key") != std::string::npos);
  CHECK(parse_entry("61\tzz", byte_format::hex, &k, &v).find("value") != std::string::npos);
  CHECK(parse_entry("{\"key\":\"a\"}", byte_format::json, &k, &v) != "");
  CHECK(parse_entry("{\"key\":\"a\",\"value\":\"b\"} ", byte_format::json, &k, &v) != "");
  CHECK(parse_entry("a\tb", byte_format::raw, &k, &v) != "");
  CHECK(parse_entry("a\tb\r", byte_format::escaped, &k, &v).find("CRLF") != std::string::npos);
  CHECK(parse_entry("a\x01\tb", byte_format::hex, &k, &v).find("0x01") != std::string::npos);
  CHECK(parse_entry("{\"key\":\"a\",\"value\":\"b\"}\r", byte_format::json, &k, &v) != "");
  CHECK(parse_entry("caf\xc3\xa9\tb", byte_format::escaped, &k, &v) == "");  // raw UTF-8
  CHECK(k == "caf\xc3\xa9");
  CHECK(parse_entry("{\"key\":\"a\",\"value\":\"b\"}", byte_format::json, &k, &v) == "");
  CHECK(k == "a");
  CHECK(v == "b");
}

TEST_CASE("shell words split on spaces and keep quoted bytes") {
  std::string error;
  auto w = tokenize("  put \"a key\" 'it''s'  ", &error);
  REQUIRE(error.empty());
  REQUIRE(w.size() == 3);
  CHECK(w[0].text == "put");
  CHECK_FALSE(w[0].quoted);
  CHECK(w[1].text == "a key");
  CHECK(w[1].quoted);
  CHECK(w[2].text == "its");

  w = tokenize("put \"\\x00\\xff\" \"\"", &error);
  REQUIRE(w.size() == 3);
  CHECK(w[1].text == std::string("\0\xff", 2));
  CHECK(w[2].text.empty());
  CHECK(w[2].quoted);

  w = tokenize("get a\"b c\"d", &error);
  REQUIRE(w.size() == 2);
  CHECK(w[1].text == "ab cd");

  w = tokenize("put 'back\\slash' \"q\\\"uote\"", &error);
  REQUIRE(w.size() == 3);
  CHECK(w[1].text == "back\\slash");
  CHECK(w[2].text == "q\"uote");

  CHECK(tokenize("   ", &error).empty());
  CHECK(tokenize("# a comment", &error).empty());
  CHECK(error.empty());
  CHECK(tokenize("put \"open", &error).empty());
  CHECK(error.find("no closing double quote") != std::string::npos);
  CHECK(tokenize("put \"\\xq\"", &error).empty());
  CHECK(error.find("bad escape") != std::string::npos);
}
