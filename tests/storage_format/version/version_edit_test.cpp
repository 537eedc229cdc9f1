// One MANIFEST record (manifest_format.md, "Version edit"): every field survives encode and
// decode, every cut of an encoded edit is either a shorter valid edit (cut at a field boundary)
// or corruption, never a crash, and the malformed fields the spec names are corruption.

#include "storage_format/version/version_edit.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/util/coding.hpp"
#include "storage_format/version/version.hpp"

using namespace kepler::storage;

namespace {

constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint32_t u32_max = std::numeric_limits<std::uint32_t>::max();

// The tags of manifest_format.md.
enum : std::uint32_t {
  tag_format_version = 1,
  tag_log_number = 2,
  tag_next_file_number = 3,
  tag_last_sequence = 4,
  tag_new_file = 5,
  tag_deleted_file = 6,
  tag_closed_log = 7,
};

std::string ikey(std::string_view user_key, sequence_number seq) {
  std::string k;
  append_internal_key(&k, user_key, seq, value_type::value);
  return k;
}

file_meta meta(std::uint64_t number, std::uint64_t size, std::string smallest, std::string largest,
               sequence_number low, sequence_number high) {
  file_meta f;
  f.number = number;
  f.size = size;
  f.smallest = std::move(smallest);
  f.largest = std::move(largest);
  f.smallest_sequence = low;
  f.largest_sequence = high;
  return f;
}

// An edit with every field set: all scalar tags, several entries of each repeating one, keys
// holding NUL and 0xff bytes and one longer than a one-byte length prefix, and numbers at the
// edges of their varints.
version_edit full_edit() {
  version_edit e;
  e.format_version = u32_max;
  e.log_number = u64_max;
  e.next_file_number = (std::uint64_t{1} << 63) + 5;
  e.last_sequence = max_sequence_number;
  const std::string nul_key("a\0b", 3);
  const std::string ff_key("\xff\xff\x00\xff", 4);
  e.new_files.push_back({0, meta(7, 4096, ikey(nul_key, 9), ikey(ff_key, 1), 1, 9)});
  e.new_files.push_back({num_levels - 1, meta(u64_max, u64_max, ikey("", 0),
                                              ikey(std::string(300, '\xff'), max_sequence_number),
                                              0, max_sequence_number)});
  e.new_files.push_back({3, meta(128, 0, std::string(8, '\0'), std::string(8, '\xff'), 127, 128)});
  e.deleted_files.push_back({0, 5});
  e.deleted_files.push_back({num_levels - 1, u64_max});
  e.deleted_files.push_back({2, 0});
  e.closed_logs.push_back({3, 0});
  e.closed_logs.push_back({u64_max, u64_max});
  e.closed_logs.push_back({200, 1u << 20});
  return e;
}

void check_same(const version_edit& got, const version_edit& want) {
  CHECK(got.format_version == want.format_version);
  CHECK(got.log_number == want.log_number);
  CHECK(got.next_file_number == want.next_file_number);
  CHECK(got.last_sequence == want.last_sequence);
  REQUIRE(got.new_files.size() == want.new_files.size());
  for (std::size_t i = 0; i < want.new_files.size(); ++i) {
    CHECK(got.new_files[i].level == want.new_files[i].level);
    CHECK(got.new_files[i].meta == want.new_files[i].meta);
  }
  REQUIRE(got.deleted_files.size() == want.deleted_files.size());
  for (std::size_t i = 0; i < want.deleted_files.size(); ++i) {
    CHECK(got.deleted_files[i].level == want.deleted_files[i].level);
    CHECK(got.deleted_files[i].number == want.deleted_files[i].number);
  }
  REQUIRE(got.closed_logs.size() == want.closed_logs.size());
  for (std::size_t i = 0; i < want.closed_logs.size(); ++i) {
    CHECK(got.closed_logs[i].number == want.closed_logs[i].number);
    CHECK(got.closed_logs[i].length == want.closed_logs[i].length);
  }
}

std::string encoded(const version_edit& e) {
  std::string out;
  e.encode(&out);
  return out;
}

// Decodes `bytes` from a heap buffer of exactly their size, so a read past the end is a read
// past the allocation (caught by a sanitizer build).
status decode_exact(std::string_view bytes, version_edit* out, const std::string& where) {
  std::unique_ptr<char[]> buffer(new char[bytes.size() + 1]);
  std::copy(bytes.begin(), bytes.end(), buffer.get());
  return out->decode(std::string_view(buffer.get(), bytes.size()), where);
}

// The byte lengths at which full_edit()'s encoding ends a field: the encodings of the edits that
// hold its first 1, 2, ... fields in the order encode writes them (the scalars, then the
// deleted files, the new files, the closed logs).
std::vector<std::size_t> field_boundaries(const version_edit& full) {
  std::vector<std::size_t> ends;
  version_edit part;
  auto mark = [&] { ends.push_back(encoded(part).size()); };
  part.format_version = full.format_version;
  mark();
  part.log_number = full.log_number;
  mark();
  part.next_file_number = full.next_file_number;
  mark();
  part.last_sequence = full.last_sequence;
  mark();
  for (const auto& d : full.deleted_files) {
    part.deleted_files.push_back(d);
    mark();
  }
  for (const auto& n : full.new_files) {
    part.new_files.push_back(n);
    mark();
  }
  for (const auto& c : full.closed_logs) {
    part.closed_logs.push_back(c);
    mark();
  }
  return ends;
}

// A new_file field as version_edit.cpp writes it, with any level and keys.
void put_new_file(std::string* dst, std::uint32_t level, std::string_view smallest,
                  std::string_view largest) {
  put_varint32(dst, tag_new_file);
  put_varint32(dst, level);
  put_varint64(dst, 9);     // number
  put_varint64(dst, 1000);  // size
  put_length_prefixed(dst, smallest);
  put_length_prefixed(dst, largest);
  put_varint64(dst, 1);  // smallest sequence
  put_varint64(dst, 2);  // largest sequence
}

// The corruption that decoding `bytes` gives; fails the test if it is not corruption.
std::string corruption_of(const std::string& bytes) {
  version_edit e;
  auto s = e.decode(bytes, "MANIFEST-000009: offset 42");
  MESSAGE(s.to_string());
  CHECK(s.code() == status_code::corruption);
  CHECK(s.message().find("MANIFEST-000009: offset 42") != std::string::npos);
  return s.message();
}

}  // namespace

TEST_CASE("every field of a version edit survives encode and decode") {
  const auto want = full_edit();
  const auto bytes = encoded(want);
  MESSAGE("the full edit encodes to " << bytes.size() << " bytes");
  version_edit got;
  REQUIRE(decode_exact(bytes, &got, "edit").is_ok());
  check_same(got, want);
  // Encoding what was decoded gives the same bytes.
  CHECK(encoded(got) == bytes);
}

TEST_CASE("each scalar field alone round-trips, and an empty edit encodes to nothing") {
  version_edit empty;
  CHECK(encoded(empty).empty());
  version_edit none;
  none.log_number = 1;  // decode resets whatever was there
  REQUIRE(none.decode("", "edit").is_ok());
  check_same(none, empty);

  for (std::uint64_t value : {std::uint64_t{0}, std::uint64_t{127}, std::uint64_t{128},
                              std::uint64_t{1} << 35, u64_max}) {
    version_edit e;
    e.log_number = value;
    version_edit got;
    REQUIRE(got.decode(encoded(e), "edit").is_ok());
    check_same(got, e);
    e = {};
    e.next_file_number = value;
    REQUIRE(got.decode(encoded(e), "edit").is_ok());
    check_same(got, e);
    e = {};
    e.last_sequence = value;
    REQUIRE(got.decode(encoded(e), "edit").is_ok());
    check_same(got, e);
  }
  for (std::uint32_t value : {0u, 1u, 2u, 300u, u32_max}) {
    version_edit e;
    e.format_version = value;
    version_edit got;
    REQUIRE(got.decode(encoded(e), "edit").is_ok());
    check_same(got, e);
  }
}

TEST_CASE("format_version is the first field of every edit that carries it") {
  auto e = full_edit();
  e.format_version = current_format_version;
  const auto bytes = encoded(e);
  std::string_view rest = bytes;
  std::uint32_t tag = 0, version = 0;
  REQUIRE(get_varint32(&rest, &tag));
  REQUIRE(get_varint32(&rest, &version));
  CHECK(tag == tag_format_version);
  CHECK(version == current_format_version);
}

TEST_CASE("every cut of an encoded edit is a shorter valid edit or corruption, never a crash") {
  const auto full = full_edit();
  const auto bytes = encoded(full);
  const auto ends = field_boundaries(full);
  REQUIRE(ends.back() == bytes.size());
  int corrupt = 0, valid = 0;
  for (std::size_t len = 0; len < bytes.size(); ++len) {
    CAPTURE(len);
    const std::string_view cut(bytes.data(), len);
    version_edit got;
    auto s = decode_exact(cut, &got, "MANIFEST-000003: offset 7");
    const bool at_boundary = len == 0 || std::find(ends.begin(), ends.end(), len) != ends.end();
    if (at_boundary) {
      // Whole fields only: a valid edit holding exactly them.
      REQUIRE_MESSAGE(s.is_ok(), s.to_string());
      CHECK(encoded(got) == cut);
      ++valid;
    } else {
      REQUIRE(s.code() == status_code::corruption);
      CHECK(s.message().find("MANIFEST-000003: offset 7") != std::string::npos);
      CHECK(s.message().find("truncated") != std::string::npos);
      // The fields before the cut one stay set (a reader judges the format version from them).
      if (len > ends.front()) CHECK(got.format_version == full.format_version);
      ++corrupt;
    }
  }
  MESSAGE(bytes.size() << " cuts: " << valid << " at field boundaries decode, " << corrupt
                       << " are corruption");
  CHECK(valid == static_cast<int>(ends.size()));  // 0 and every boundary but the full length
}

TEST_CASE("an unknown tag is corruption naming the tag") {
  for (std::uint32_t tag : {0u, 8u, 99u, u32_max}) {
    std::string bytes;
    put_varint32(&bytes, tag_log_number);
    put_varint64(&bytes, 4);
    put_varint32(&bytes, tag);
    put_varint64(&bytes, 1);
    auto text = corruption_of(bytes);
    CHECK(text.find("unknown field tag " + std::to_string(tag)) != std::string::npos);
    // The fields before it were decoded (for the format-version judgement).
    version_edit e;
    (void)e.decode(bytes, "m");
    CHECK(e.log_number == 4u);
  }
}

TEST_CASE("a new_file or deleted_file with a level out of range is corruption") {
  for (std::uint32_t level : {static_cast<std::uint32_t>(num_levels), 8u, u32_max}) {
    CAPTURE(level);
    std::string added;
    put_new_file(&added, level, ikey("a", 2), ikey("b", 1));
    CHECK(corruption_of(added).find("new file level out of range") != std::string::npos);
    std::string deleted;
    put_varint32(&deleted, tag_deleted_file);
    put_varint32(&deleted, level);
    put_varint64(&deleted, 9);
    CHECK(corruption_of(deleted).find("deleted file level out of range") != std::string::npos);
  }
  // The deepest level is in range.
  std::string deepest;
  put_new_file(&deepest, num_levels - 1, ikey("a", 2), ikey("b", 1));
  version_edit e;
  REQUIRE(e.decode(deepest, "m").is_ok());
  CHECK(e.new_files.at(0).level == num_levels - 1);
}

TEST_CASE("a new_file key shorter than an internal key's 8-byte tag is corruption") {
  const std::string eight(8, '\0');
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}}) {
    CAPTURE(n);
    const std::string short_key(n, 'k');
    std::string small;
    put_new_file(&small, 0, short_key, eight);
    CHECK(corruption_of(small).find("new file key too short") != std::string::npos);
    std::string large;
    put_new_file(&large, 0, eight, short_key);
    CHECK(corruption_of(large).find("new file key too short") != std::string::npos);
  }
  std::string ok;
  put_new_file(&ok, 0, eight, eight);
  version_edit e;
  CHECK(e.decode(ok, "m").is_ok());
}

TEST_CASE("a length prefix or varint running past the edit is corruption") {
  // A key length that claims more bytes than follow.
  std::string long_prefix;
  put_varint32(&long_prefix, tag_new_file);
  put_varint32(&long_prefix, 0);
  put_varint64(&long_prefix, 9);
  put_varint64(&long_prefix, 1000);
  put_varint32(&long_prefix, 1000);
  long_prefix += std::string(20, 'k');
  CHECK(corruption_of(long_prefix).find("truncated new file") != std::string::npos);
  // A tag varint longer than five bytes, and a value varint longer than ten.
  CHECK(corruption_of(std::string(6, '\x80') + '\x01').find("truncated field tag") !=
        std::string::npos);
  std::string long_value;
  put_varint32(&long_value, tag_log_number);
  long_value += std::string(11, '\x80');
  long_value += '\x01';
  CHECK(corruption_of(long_value).find("truncated log number") != std::string::npos);
  // Each kind of field cut after its tag.
  for (std::uint32_t tag : {tag_format_version, tag_log_number, tag_next_file_number,
                            tag_last_sequence, tag_new_file, tag_deleted_file, tag_closed_log}) {
    std::string bytes;
    put_varint32(&bytes, tag);
    CHECK(corruption_of(bytes).find("truncated") != std::string::npos);
  }
}

TEST_CASE("fields decode in any order, a scalar met twice takes the later value") {
  std::string bytes;
  put_varint32(&bytes, tag_closed_log);
  put_varint64(&bytes, 12);
  put_varint64(&bytes, 345);
  put_new_file(&bytes, 1, ikey("a", 2), ikey("b", 1));
  put_varint32(&bytes, tag_deleted_file);
  put_varint32(&bytes, 0);
  put_varint64(&bytes, 4);
  put_varint32(&bytes, tag_last_sequence);
  put_varint64(&bytes, 10);
  put_varint32(&bytes, tag_format_version);
  put_varint32(&bytes, current_format_version);
  put_varint32(&bytes, tag_last_sequence);
  put_varint64(&bytes, 20);
  version_edit e;
  REQUIRE(e.decode(bytes, "m").is_ok());
  CHECK(e.format_version == current_format_version);
  CHECK(e.last_sequence == 20u);
  REQUIRE(e.closed_logs.size() == 1);
  CHECK(e.closed_logs[0].number == 12);
  CHECK(e.closed_logs[0].length == 345);
  REQUIRE(e.new_files.size() == 1);
  CHECK(e.new_files[0].level == 1);
  REQUIRE(e.deleted_files.size() == 1);
  CHECK(e.deleted_files[0].number == 4);
}

TEST_CASE("merge copies the scalar fields a later edit sets and leaves the others") {
  version_edit state;
  state.format_version = 1;
  state.log_number = 2;
  state.next_file_number = 3;
  state.last_sequence = 4;
  version_edit later;
  later.format_version = 2;
  later.next_file_number = 30;
  later.closed_logs.push_back({5, 6});
  state.merge(later);
  CHECK(state.format_version == 2u);
  CHECK(state.log_number == 2u);
  CHECK(state.next_file_number == 30u);
  CHECK(state.last_sequence == 4u);
  CHECK(state.closed_logs.empty());
}
