#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "storage_format/table/block.hpp"
#include "storage_format/table/block_builder.hpp"
#include "storage_format/util/coding.hpp"
#include "table_test_util.hpp"

using namespace kepler::storage;
using kepler::test::ikey;
using kepler::test::lookup_key;

namespace {

// Keys with long shared prefixes, NUL bytes, an empty user key and bytes above 0x7f.
std::vector<std::pair<std::string, std::string>> sample_entries(int n) {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back(ikey("", 1), "empty user key");
  for (int i = 0; i < n; ++i) {
    std::string user = "key" + std::string(1, '\0') + std::to_string(1000 + i);
    if (i % 7 == 0) user += std::string(3, '\xff');
    out.emplace_back(ikey(user, 100 - i % 3),
                     std::string(static_cast<std::size_t>(i % 13), 'v') + std::to_string(i));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return compare_internal_keys(a.first, b.first) < 0;
  });
  return out;
}

std::string build(const std::vector<std::pair<std::string, std::string>>& entries,
                  int restart_interval) {
  block_builder builder(restart_interval);
  for (const auto& [k, v] : entries) builder.add(k, v);
  const std::string_view contents = builder.finish();
  CHECK(builder.size_estimate() == contents.size());
  return std::string(contents);
}

block parse_ok(std::string contents, bool search_index = false) {
  block b;
  REQUIRE(block::parse(std::move(contents), &b).is_ok());
  if (search_index) REQUIRE(b.build_search_index());
  CHECK(b.has_search_index() == search_index);
  return b;
}

// Walks the whole block both ways and seeks to every key; returns the entries seen forwards, and
// whether the iterator ended in corruption.
struct walk {
  std::size_t forward = 0;
  std::size_t backward = 0;
  bool corrupt = false;
};

walk walk_block(const block& b, const std::vector<std::string>& targets) {
  walk w;
  block::iterator it(&b);
  for (it.seek_to_first(); it.valid(); it.next()) {
    ++w.forward;
    (void)it.key();
  }
  w.corrupt |= !it.state().is_ok();
  block::iterator back(&b);
  for (back.seek_to_last(); back.valid(); back.prev()) ++w.backward;
  w.corrupt |= !back.state().is_ok();
  for (const auto& t : targets) {
    block::iterator s(&b);
    s.seek(t);
    if (s.valid()) s.prev();
    w.corrupt |= !s.state().is_ok();
  }
  return w;
}

}  // namespace

TEST_CASE("a block returns its entries in order, forwards and backwards, at any restart interval") {
  const auto entries = sample_entries(200);
  for (const bool search_index : {false, true})
    for (int interval : {1, 2, 16, 1000}) {
      CAPTURE(interval);
      CAPTURE(search_index);
      const block b = parse_ok(build(entries, interval), search_index);
      block::iterator it(&b);
      std::size_t i = 0;
      for (it.seek_to_first(); it.valid(); it.next(), ++i) {
        REQUIRE(i < entries.size());
        CHECK(it.key() == entries[i].first);
        CHECK(it.value() == entries[i].second);
      }
      CHECK(i == entries.size());
      CHECK(it.state().is_ok());

      for (it.seek_to_last(); it.valid(); it.prev()) {
        REQUIRE(i > 0);
        --i;
        CHECK(it.key() == entries[i].first);
        CHECK(it.value() == entries[i].second);
      }
      CHECK(i == 0);
      CHECK(it.state().is_ok());
    }
}

TEST_CASE("a block seek lands on the first entry at or after the target") {
  const auto entries = sample_entries(300);
  for (const bool search_index : {false, true}) {
    CAPTURE(search_index);
    const block b = parse_ok(build(entries, 16), search_index);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      block::iterator it(&b);
      it.seek(entries[i].first);
      REQUIRE(it.valid());
      CHECK(it.key() == entries[i].first);
      // A target just after this entry (same user key, older sequence) lands on the next entry.
      parsed_internal_key p;
      REQUIRE(parse_internal_key(entries[i].first, &p));
      if (p.sequence > 0) {
        it.seek(ikey(p.user_key, p.sequence - 1));
        if (i + 1 < entries.size()) {
          REQUIRE(it.valid());
          CHECK(it.key() == entries[i + 1].first);
        } else {
          CHECK_FALSE(it.valid());
        }
      }
      // Moving back from a seek reaches the previous entry.
      it.seek(entries[i].first);
      it.prev();
      if (i == 0) {
        CHECK_FALSE(it.valid());
      } else {
        REQUIRE(it.valid());
        CHECK(it.key() == entries[i - 1].first);
      }
    }
    block::iterator it(&b);
    it.seek(lookup_key(std::string(10, '\xff'), 0));
    CHECK_FALSE(it.valid());
    CHECK(it.state().is_ok());
    it.seek(lookup_key("", max_sequence_number));
    REQUIRE(it.valid());
    CHECK(it.key() == entries.front().first);
  }
}

TEST_CASE("a block's search index seeks where the entry-by-entry reader does") {
  // Many versions of few user keys (equal norms), keys that are prefixes of others, NUL and 0xff
  // bytes, long shared prefixes: every seek target lands on the same entry both ways.
  std::mt19937 rng(11);
  std::size_t seeks = 0;
  for (int round = 0; round < 50; ++round) {
    const std::string prefix(rng() % 3 == 0 ? 0 : rng() % 20, 'p');
    auto random_user_key = [&] {
      std::string k = prefix;
      const std::size_t n = rng() % 12;
      for (std::size_t i = 0; i < n; ++i) k.push_back("\0a\xff"[rng() % 3]);
      return k;
    };
    std::map<std::string, std::string, bool (*)(const std::string&, const std::string&)> sorted(
        [](const std::string& a, const std::string& b) { return compare_internal_keys(a, b) < 0; });
    const std::size_t n = rng() % 200;
    for (std::size_t i = 0; i < n; ++i) {
      sorted.emplace(ikey(random_user_key(), rng() % 5), std::to_string(i));
    }
    const std::string contents = build({sorted.begin(), sorted.end()}, 1 + rng() % 16);
    const block plain = parse_ok(contents);
    const block indexed = parse_ok(contents, true);
    for (int t = 0; t < 200; ++t) {
      const std::string target = ikey(random_user_key(), rng() % 6);
      block::iterator a(&plain);
      block::iterator b(&indexed);
      a.seek(target);
      b.seek(target);
      REQUIRE(a.valid() == b.valid());
      if (a.valid()) {
        CHECK(a.key() == b.key());
        CHECK(a.value() == b.value());
        a.prev();
        b.prev();
        REQUIRE(a.valid() == b.valid());
        if (a.valid()) CHECK(a.key() == b.key());
      }
      ++seeks;
    }
  }
  MESSAGE("search index vs entry-by-entry reader: " << seeks << " seeks, 0 differences");
}

TEST_CASE("a block with a bad entry or keys out of order gets no search index") {
  // One entry whose key and value run past the entries.
  std::string contents;
  put_varint32(&contents, 0);
  put_varint32(&contents, 9);
  put_varint32(&contents, 100);
  contents += std::string(9, 'k') + "v";
  put_fixed32(&contents, 0);
  put_fixed32(&contents, 1);
  block bad;
  REQUIRE(block::parse(contents, &bad).is_ok());
  CHECK_FALSE(bad.build_search_index());
  CHECK_FALSE(bad.has_search_index());
  block::iterator it(&bad);
  it.seek_to_first();
  CHECK(it.state().code() == status_code::corruption);

  block_builder builder(16);
  builder.add(ikey("b", 1), "1");
  builder.add(ikey("a", 1), "2");  // the builder trusts its caller's order
  block unordered;
  REQUIRE(block::parse(std::string(builder.finish()), &unordered).is_ok());
  CHECK_FALSE(unordered.build_search_index());
}

TEST_CASE("an empty block has one restart point and no entries") {
  block_builder builder(16);
  CHECK(builder.empty());
  const std::string contents(builder.finish());
  CHECK(contents.size() == 8);
  const block b = parse_ok(contents);
  block::iterator it(&b);
  it.seek_to_first();
  CHECK_FALSE(it.valid());
  it.seek_to_last();
  CHECK_FALSE(it.valid());
  it.seek(ikey("a", 1));
  CHECK_FALSE(it.valid());
  CHECK(it.state().is_ok());
}

TEST_CASE("a block too short for its restart array is corruption") {
  block b;
  CHECK(block::parse("", &b).code() == status_code::corruption);
  CHECK(block::parse("abc", &b).code() == status_code::corruption);
  std::string contents = build(sample_entries(20), 4);
  // A restart count larger than the block can hold.
  encode_fixed32(contents.data() + contents.size() - 4, 1u << 30);
  const status s = block::parse(contents, &b);
  CHECK(s.code() == status_code::corruption);
  CHECK(s.message().find("restart count") != std::string::npos);
  encode_fixed32(contents.data() + contents.size() - 4, 0);
  CHECK(block::parse(contents, &b).code() == status_code::corruption);
}

TEST_CASE("restart points out of order or past the entries are corruption") {
  std::string contents = build(sample_entries(40), 4);
  const std::uint32_t num = decode_fixed32(contents.data() + contents.size() - 4);
  REQUIRE(num >= 3);
  const std::size_t restarts = contents.size() - 4 - 4 * num;
  block b;
  std::string swapped = contents;
  encode_fixed32(swapped.data() + restarts + 4, decode_fixed32(contents.data() + restarts + 8));
  encode_fixed32(swapped.data() + restarts + 8, decode_fixed32(contents.data() + restarts + 4));
  CHECK(block::parse(swapped, &b).code() == status_code::corruption);
  std::string past = contents;
  encode_fixed32(past.data() + restarts + 4, static_cast<std::uint32_t>(restarts));
  CHECK(block::parse(past, &b).code() == status_code::corruption);
  std::string not_zero = contents;
  encode_fixed32(not_zero.data() + restarts, 1);
  CHECK(block::parse(not_zero, &b).code() == status_code::corruption);
}

TEST_CASE("a bad entry stops the iterator with corruption naming the offset") {
  // One entry: header bytes shared, non_shared, value_length, then key and value.
  auto one_entry = [](std::uint32_t shared, std::uint32_t non_shared, std::uint32_t value_len,
                      std::string payload) {
    std::string c;
    put_varint32(&c, shared);
    put_varint32(&c, non_shared);
    put_varint32(&c, value_len);
    c += payload;
    put_fixed32(&c, 0);
    put_fixed32(&c, 1);
    return c;
  };
  SUBCASE("key and value run past the entries") {
    const block b = parse_ok(one_entry(0, 9, 100, std::string(9, 'k') + "v"));
    block::iterator it(&b);
    it.seek_to_first();
    CHECK_FALSE(it.valid());
    CHECK(it.state().code() == status_code::corruption);
    CHECK(it.state().message().find("bad entry at offset 0") != std::string::npos);
  }
  SUBCASE("a restart entry that shares a prefix") {
    const block b = parse_ok(one_entry(3, 9, 1, std::string(9, 'k') + "v"));
    block::iterator it(&b);
    it.seek_to_first();
    CHECK(it.state().code() == status_code::corruption);
    block::iterator s(&b);
    s.seek(ikey("k", 1));
    CHECK(s.state().code() == status_code::corruption);
  }
  SUBCASE("a key shorter than a tag") {
    const block b = parse_ok(one_entry(0, 5, 1, std::string(5, 'k') + "v"));
    block::iterator it(&b);
    it.seek_to_first();
    CHECK(it.state().code() == status_code::corruption);
    CHECK(it.state().message().find("shorter than a tag") != std::string::npos);
  }
  SUBCASE("a varint that never ends") {
    const block b = parse_ok(std::string(12, '\x80') + std::string("\0\0\0\0\1\0\0\0", 8));
    block::iterator it(&b);
    it.seek_to_last();
    CHECK(it.state().code() == status_code::corruption);
  }
}

TEST_CASE("no damage to a block's bytes makes its reader leave the block") {
  const auto entries = sample_entries(60);
  const std::string good = build(entries, 4);
  std::vector<std::string> targets;
  for (const auto& e : entries) targets.push_back(e.first);
  targets.push_back(lookup_key(std::string(4, '\xff'), 0));

  std::size_t tried = 0, rejected_at_parse = 0, corrupt_while_reading = 0, read_clean = 0;
  auto check = [&](std::string damaged) {
    ++tried;
    // Built from the bytes alone, so the allocation ends where the block does (ASan sees
    // over-reads).
    block b;
    if (!block::parse(std::string(damaged.begin(), damaged.end()), &b)) {
      ++rejected_at_parse;
      return;
    }
    const walk w = walk_block(b, targets);
    if (w.corrupt) {
      ++corrupt_while_reading;
    } else {
      ++read_clean;
    }
  };
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (char flip : {'\x01', '\xff'}) {
      std::string damaged = good;
      damaged[i] = static_cast<char>(damaged[i] ^ flip);
      check(damaged);
    }
  }
  for (std::size_t len = 0; len < good.size(); ++len) check(good.substr(0, len));
  MESSAGE("block damage: " << tried << " variants, " << rejected_at_parse << " rejected at parse, "
                           << corrupt_while_reading << " corruption while reading, " << read_clean
                           << " read without complaint (no checksum at this level)");
  CHECK(tried == rejected_at_parse + corrupt_while_reading + read_clean);
  CHECK(corrupt_while_reading > 0);
}
