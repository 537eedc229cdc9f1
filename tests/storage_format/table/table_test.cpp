#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "storage_format/table/block_builder.hpp"
#include "storage_format/table/table_format.hpp"
#include "storage_format/util/coding.hpp"
#include "storage_format/util/crc32c.hpp"
#include "table_test_util.hpp"
#include "test_dir.hpp"

using namespace kepler::storage;
using namespace kepler::test;

namespace {

table_options small_blocks() {
  table_options o;
  o.block_bytes = 256;
  o.restart_interval = 4;
  // Raw blocks: the damage cases below rewrite block contents in place.
  o.compression = block_codec::none;
  return o;
}

// key0000 .. key(n-1), each at sequence 10, value "value<i>" (deletions for every 10th key).
entry_list numbered_entries(int n) {
  entry_list out;
  for (int i = 0; i < n; ++i) {
    char user[16];
    std::snprintf(user, sizeof user, "key%04d", i);
    const bool deleted = i % 10 == 9;
    out.emplace_back(ikey(user, 10, deleted ? value_type::deletion : value_type::value),
                     deleted ? "" : "value" + std::to_string(i));
  }
  return out;
}

footer read_footer(const std::string& table) {
  footer f;
  REQUIRE(footer::decode(std::string_view(table).substr(table.size() - footer_bytes), "t",
                         table.size() - footer_bytes, &f)
              .is_ok());
  return f;
}

// Replaces a block's contents (same size) and writes a trailer that matches, so only the
// reader's own checks can find what is wrong.
void rewrite_block(std::string* table, const block_handle& h, std::string_view contents,
                   block_kind kind) {
  REQUIRE(contents.size() == h.size);
  std::string framed;
  append_block(&framed, contents, kind);
  table->replace(h.offset, framed.size(), framed);
}

// Replaces the footer's handles and re-seals it.
void rewrite_footer(std::string* table, const footer& f) {
  std::string tail;
  f.encode_to(&tail);
  table->replace(table->size() - footer_bytes, footer_bytes, tail);
}

status open_status(std::string table) {
  std::unique_ptr<table_reader> t;
  return open_table(std::move(table), nullptr, &t);
}

void expect_corruption(const status& s, const std::string& fragment) {
  CAPTURE(s.to_string());
  CHECK(s.code() == status_code::corruption);
  CHECK(s.message().find("mem.sst") != std::string::npos);
  CHECK(s.message().find(fragment) != std::string::npos);
}

}  // namespace

TEST_CASE("a table returns the newest version at or below the sequence asked for") {
  entry_list entries = {
      {ikey("apple", 30), "apple@30"},
      {ikey("apple", 20, value_type::deletion), ""},
      {ikey("apple", 10), "apple@10"},
      {ikey("banana", 5), "banana@5"},
      {ikey("cherry", 40, value_type::deletion), ""},
      {ikey("cherry", 7), "cherry@7"},
  };
  for (int bits : {0, 10}) {
    table_options o = small_blocks();
    o.block_bytes = 1;  // every entry a block of its own: versions of a key span blocks
    o.bloom_bits_per_key = bits;
    std::unique_ptr<table_reader> t;
    REQUIRE(open_table(build_table(entries, o), nullptr, &t).is_ok());
    CHECK(t->has_filter() == (bits > 0));
    CHECK(t->data_blocks() == entries.size());
    auto get = [&](std::string_view user, sequence_number seq) {
      table_lookup r;
      std::string v;
      REQUIRE(t->get(read_options{}, lookup_key(user, seq), &r, &v).is_ok());
      if (r == table_lookup::found) return v;
      return std::string(r == table_lookup::deleted ? "<deleted>" : "<absent>");
    };
    CHECK(get("apple", 100) == "apple@30");
    CHECK(get("apple", 30) == "apple@30");
    CHECK(get("apple", 29) == "<deleted>");
    CHECK(get("apple", 20) == "<deleted>");
    CHECK(get("apple", 15) == "apple@10");
    CHECK(get("apple", 9) == "<absent>");
    CHECK(get("banana", 5) == "banana@5");
    CHECK(get("banana", 4) == "<absent>");
    CHECK(get("cherry", 50) == "<deleted>");
    CHECK(get("cherry", 39) == "cherry@7");
    CHECK(get("aardvark", 100) == "<absent>");
    CHECK(get("zebra", 100) == "<absent>");
    CHECK(get("", 100) == "<absent>");
  }
}

TEST_CASE("a table's properties record its entries, key range and sequence range") {
  entry_list entries = numbered_entries(100);
  std::string data;
  string_writable file(&data);
  table_builder builder(small_blocks(), &file);
  for (const auto& [k, v] : entries) REQUIRE(builder.add(k, v).is_ok());
  REQUIRE(builder.finish().is_ok());
  std::unique_ptr<table_reader> t;
  REQUIRE(open_table(data, nullptr, &t).is_ok());
  const table_properties& p = t->properties();
  CHECK(p.entries == 100);
  CHECK(p.deletions == 10);
  CHECK(p.min_sequence == 10);
  CHECK(p.max_sequence == 10);
  CHECK(p.smallest_key == entries.front().first);
  CHECK(p.largest_key == entries.back().first);
  CHECK(p.data_blocks == t->data_blocks());
  CHECK(p.data_blocks > 5);
  CHECK(p.raw_key_bytes == 100 * 15);
  CHECK(builder.properties().entries == 100);
  CHECK(t->file_size() == data.size());
}

TEST_CASE("a table iterator walks every entry both ways and seeks") {
  const entry_list entries = numbered_entries(300);
  std::unique_ptr<table_reader> t;
  REQUIRE(open_table(build_table(entries, small_blocks()), nullptr, &t).is_ok());
  auto it = t->new_iterator();
  std::size_t i = 0;
  for (it->seek_to_first(); it->valid(); it->next(), ++i) {
    REQUIRE(i < entries.size());
    CHECK(it->key() == entries[i].first);
    CHECK(it->value() == entries[i].second);
  }
  CHECK(i == entries.size());
  for (it->seek_to_last(); it->valid(); it->prev()) {
    REQUIRE(i > 0);
    --i;
    CHECK(it->key() == entries[i].first);
  }
  CHECK(i == 0);
  CHECK(it->state().is_ok());

  for (std::size_t j = 0; j < entries.size(); j += 7) {
    it->seek(entries[j].first);
    REQUIRE(it->valid());
    CHECK(it->key() == entries[j].first);
    it->prev();
    if (j == 0) {
      CHECK_FALSE(it->valid());
    } else {
      REQUIRE(it->valid());
      CHECK(it->key() == entries[j - 1].first);
    }
  }
  it->seek(lookup_key("key0150a", 100));  // between two keys: lands on the next one
  REQUIRE(it->valid());
  CHECK(it->key() == entries[151].first);
  it->seek(lookup_key("zzz", 100));
  CHECK_FALSE(it->valid());
  CHECK(it->state().is_ok());
}

TEST_CASE("an empty table opens, finds nothing and iterates nothing") {
  std::unique_ptr<table_reader> t;
  REQUIRE(open_table(build_table({}, table_options{}), nullptr, &t).is_ok());
  CHECK(t->data_blocks() == 0);
  CHECK(t->properties().entries == 0);
  table_lookup r;
  std::string v;
  REQUIRE(t->get(read_options{}, lookup_key("a", 1), &r, &v).is_ok());
  CHECK(r == table_lookup::absent);
  auto it = t->new_iterator();
  it->seek_to_first();
  CHECK_FALSE(it->valid());
  it->seek_to_last();
  CHECK_FALSE(it->valid());
  it->seek(lookup_key("a", 1));
  CHECK_FALSE(it->valid());
  CHECK(it->state().is_ok());
}

TEST_CASE("a table written through the POSIX file system is synced and reads back") {
  temp_dir dir("kepler-table");
  file_system* fs = file_system::posix();
  REQUIRE(fs->create_dir(dir.path()).is_ok());
  const std::string path = dir.file("000001.sst");
  const entry_list entries = numbered_entries(500);
  {
    std::unique_ptr<writable_file> file;
    REQUIRE(fs->new_writable_file(path, &file).is_ok());
    table_builder builder(table_options{}, file.get());
    for (const auto& [k, v] : entries) REQUIRE(builder.add(k, v).is_ok());
    REQUIRE(builder.finish().is_ok());
    REQUIRE(file->close().is_ok());
  }
  std::unique_ptr<readable_file> file;
  REQUIRE(fs->new_readable_file(path, &file).is_ok());
  block_cache cache(1 << 20);
  std::unique_ptr<table_reader> t;
  REQUIRE(table_reader::open(std::move(file), &cache, &t).is_ok());
  CHECK(t->path() == path);
  for (const auto& [k, v] : entries) {
    table_lookup r;
    std::string got;
    REQUIRE(t->get(read_options{}, k, &r, &got).is_ok());
    parsed_internal_key p;
    REQUIRE(parse_internal_key(k, &p));
    if (p.type == value_type::value) {
      CHECK(r == table_lookup::found);
      CHECK(got == v);
    } else {
      CHECK(r == table_lookup::deleted);
    }
  }
  const auto stats = cache.stats();
  CHECK(stats.misses == t->data_blocks());
  CHECK(stats.hits == entries.size() - t->data_blocks());
}

TEST_CASE("the table builder refuses keys out of order and keys without a tag") {
  std::string data;
  string_writable file(&data);
  table_builder builder(table_options{}, &file);
  REQUIRE(builder.add(ikey("b", 5), "x").is_ok());
  CHECK(builder.add(ikey("a", 5), "y").code() == status_code::invalid_argument);
  CHECK(builder.finish().code() == status_code::invalid_argument);  // it stays refused

  table_builder again(table_options{}, &file);
  REQUIRE(again.add(ikey("b", 5), "x").is_ok());
  CHECK(again.add(ikey("b", 5), "x").code() == status_code::invalid_argument);  // a duplicate

  table_builder short_key(table_options{}, &file);
  CHECK(short_key.add("abc", "x").code() == status_code::invalid_argument);
  table_builder bad_type(table_options{}, &file);
  std::string k = "user";
  put_fixed64(&k, (std::uint64_t{5} << 8) | 7);
  CHECK(bad_type.add(k, "x").code() == status_code::invalid_argument);
}

TEST_CASE("index separators are short and lie between the blocks they divide") {
  const std::string last = ikey("abcdefgh", 5);
  const std::string next = ikey("abzz", 9);
  const std::string sep = index_separator(last, next);
  CHECK(sep.size() == 3 + 8);
  CHECK(compare_internal_keys(last, sep) <= 0);
  CHECK(compare_internal_keys(sep, next) < 0);
  // Versions of one user key cannot be shortened.
  CHECK(index_separator(ikey("same", 9), ikey("same", 3)) == ikey("same", 9));
  // A prefix of the next key cannot be bumped.
  CHECK(index_separator(ikey("ab", 1), ikey("abc", 1)) == ikey("ab", 1));
  const std::string succ = index_successor(ikey("mmmm", 4));
  CHECK(succ.size() == 1 + 8);
  CHECK(compare_internal_keys(ikey("mmmm", 4), succ) < 0);
  CHECK(index_successor(ikey("\xff\xff", 4)) == ikey("\xff\xff", 4));
  CHECK(index_successor(ikey("", 4)) == ikey("", 4));
}

// ---- every error the reader reports ----

TEST_CASE("a file shorter than a footer is corruption") {
  expect_corruption(open_status(std::string(footer_bytes - 1, 'x')), "too short");
  expect_corruption(open_status(""), "too short");
}

TEST_CASE("a footer without the magic number is corruption") {
  std::string table = build_table(numbered_entries(50), small_blocks());
  table.back() = static_cast<char>(table.back() ^ 1);
  expect_corruption(open_status(table), "bad magic");
}

TEST_CASE("a footer whose checksum does not match is corruption") {
  std::string table = build_table(numbered_entries(50), small_blocks());
  table[table.size() - footer_bytes + 3] ^= 0x10;
  expect_corruption(open_status(table), "footer at offset");
  expect_corruption(open_status(table), "checksum mismatch");
}

TEST_CASE("a table of a newer format version is not supported") {
  std::string table = build_table(numbered_entries(50), small_blocks());
  const std::size_t footer_at = table.size() - footer_bytes;
  encode_fixed32(table.data() + footer_at + 48, table_format_version + 1);
  const std::uint32_t crc = crc32c::value(table.data() + footer_at, 52);
  encode_fixed32(table.data() + footer_at + 52, crc32c::mask(crc));
  const status s = open_status(table);
  CHECK(s.code() == status_code::not_supported);
  CHECK(s.message().find("format version " + std::to_string(table_format_version + 1)) !=
        std::string::npos);
}

TEST_CASE("a footer handle past the footer is corruption") {
  std::string table = build_table(numbered_entries(50), small_blocks());
  footer f = read_footer(table);
  f.index.size = table.size();
  rewrite_footer(&table, f);
  expect_corruption(open_status(table), "runs past the footer");
}

TEST_CASE("a metadata block whose checksum does not match is corruption") {
  const std::string good = build_table(numbered_entries(50), small_blocks());
  const footer f = read_footer(good);
  for (const auto& [h, name] : {std::pair{f.index, "index"}, std::pair{f.filter, "filter"},
                                std::pair{f.properties, "properties"}}) {
    CAPTURE(name);
    std::string table = good;
    table[h.offset + 1] ^= 0x04;
    expect_corruption(open_status(table), std::string(name) + " block at offset " +
                                              std::to_string(h.offset) + ": checksum mismatch");
  }
}

TEST_CASE("a handle pointing at a block of another kind is corruption") {
  std::string table = build_table(numbered_entries(50), small_blocks());
  footer f = read_footer(table);
  std::swap(f.filter, f.properties);
  rewrite_footer(&table, f);
  expect_corruption(open_status(table), "trailer says block kind");
}

TEST_CASE("a table cut inside a block is corruption") {
  std::string table = build_table(numbered_entries(50), small_blocks());
  footer f = read_footer(table);
  // The footer claims a block longer than the file: read_block sees the short read.
  string_readable file(table);
  std::string contents;
  block_handle beyond{f.index.offset, table.size() - f.index.offset};
  expect_corruption(
      read_block(file, beyond, block_kind::index, true, table.size() + 100, &contents),
      "file ends after");
  expect_corruption(read_block(file, beyond, block_kind::index, true, table.size(), &contents),
                    "runs past the end of the data");
}

TEST_CASE("properties that do not decode are corruption") {
  std::string table = build_table(numbered_entries(50), small_blocks());
  const footer f = read_footer(table);
  rewrite_block(&table, f.properties, std::string(f.properties.size, '\xff'),
                block_kind::properties);
  expect_corruption(open_status(table), "properties block at offset");
}

TEST_CASE("a filter block without a bit array is corruption") {
  std::string table = build_table(numbered_entries(50), small_blocks());
  footer f = read_footer(table);
  // A one-byte filter block written over the start of the real one.
  std::string framed;
  append_block(&framed, std::string(1, '\x07'), block_kind::filter);
  table.replace(f.filter.offset, framed.size(), framed);
  f.filter.size = 1;
  rewrite_footer(&table, f);
  expect_corruption(open_status(table), "no bit array");
}

TEST_CASE("index entries out of order, with bad handles, or miscounted are corruption") {
  const entry_list entries = numbered_entries(50);
  const std::string good = build_table(entries, small_blocks());
  const footer f = read_footer(good);
  std::unique_ptr<table_reader> t;
  REQUIRE(open_table(good, nullptr, &t).is_ok());
  // Decode the real index to write variants of it.
  std::vector<std::pair<std::string, block_handle>> index;
  {
    std::string contents;
    string_readable file(good);
    REQUIRE(
        read_block(file, f.index, block_kind::index, true, good.size() - footer_bytes, &contents)
            .is_ok());
    block b;
    REQUIRE(block::parse(contents, &b).is_ok());
    block::iterator it(&b);
    for (it.seek_to_first(); it.valid(); it.next()) {
      std::string_view v = it.value();
      block_handle h;
      REQUIRE(h.decode_from(&v));
      index.emplace_back(std::string(it.key()), h);
    }
  }
  REQUIRE(index.size() >= 3);
  // Writes an index block in place of the real one (at the end of the metadata).
  auto with_index = [&](const std::vector<std::pair<std::string, block_handle>>& entries_) {
    block_builder b(1);
    for (const auto& [k, h] : entries_) {
      std::string v;
      h.encode_to(&v);
      b.add(k, v);
    }
    std::string table = good.substr(0, f.index.offset);
    footer nf = f;
    nf.index = block_handle{table.size(), b.finish().size()};
    append_block(&table, b.finish(), block_kind::index);
    nf.encode_to(&table);
    return table;
  };
  REQUIRE(open_status(with_index(index)).is_ok());

  SUBCASE("out of order") {
    auto bad = index;
    std::swap(bad[1].first, bad[2].first);
    expect_corruption(open_status(with_index(bad)), "out of order");
  }
  SUBCASE("a handle that leaves a gap or overlaps") {
    auto bad = index;
    bad[1].second.offset += 1;
    expect_corruption(open_status(with_index(bad)), "bad data block handle");
  }
  SUBCASE("a handle reaching into the metadata") {
    auto bad = index;
    bad.back().second.size += 1000;
    expect_corruption(open_status(with_index(bad)), "bad data block handle");
  }
  SUBCASE("fewer blocks than the properties count") {
    auto bad = index;
    bad.pop_back();
    expect_corruption(open_status(with_index(bad)), "the properties say");
  }
  SUBCASE("an index block whose restart array is broken") {
    std::string table = good;
    std::string contents(f.index.size, '\0');
    encode_fixed32(contents.data() + contents.size() - 4, 1u << 20);
    rewrite_block(&table, f.index, contents, block_kind::index);
    expect_corruption(open_status(table), "restart count");
  }
}

TEST_CASE("a damaged data block is corruption for the reads that touch it, and only those") {
  const entry_list entries = numbered_entries(200);
  const std::string good = build_table(entries, small_blocks());
  std::unique_ptr<table_reader> intact;
  REQUIRE(open_table(good, nullptr, &intact).is_ok());
  REQUIRE(intact->data_blocks() > 3);
  // The second data block starts where the first ends: find it through an iterator's view.
  std::size_t second_block = 0;
  {
    std::string contents;
    string_readable file(good);
    block_handle first{0, 0};
    // Block 0's size is what makes the next block start at its end; scan handles by reading.
    for (std::uint64_t size = 1; size < good.size(); ++size) {
      first.size = size;
      if (read_block(file, first, block_kind::data, true, good.size() - footer_bytes, &contents)
              .is_ok()) {
        break;
      }
    }
    second_block = first.end();
  }

  SUBCASE("checksum mismatch, for get and for the iterator") {
    std::string table = good;
    table[second_block + 3] ^= 0x01;
    std::unique_ptr<table_reader> t;
    REQUIRE(open_table(table, nullptr, &t).is_ok());
    std::size_t ok = 0, corrupt = 0;
    for (const auto& [k, v] : entries) {
      table_lookup r;
      std::string got;
      const status s = t->get(read_options{}, k, &r, &got);
      if (s.is_ok()) {
        ++ok;
        if (r == table_lookup::found) CHECK(got == v);
      } else {
        ++corrupt;
        expect_corruption(
            s, "data block at offset " + std::to_string(second_block) + ": checksum mismatch");
      }
    }
    CHECK(corrupt > 0);
    CHECK(ok > corrupt);
    auto it = t->new_iterator();
    std::size_t seen = 0;
    for (it->seek_to_first(); it->valid(); it->next()) ++seen;
    CHECK(seen > 0);
    CHECK(seen < entries.size());
    expect_corruption(it->state(), "checksum mismatch");
    // Without verification the flipped byte is read as it is; with a cache, blocks are verified.
    read_options no_verify;
    no_verify.verify_checksums = false;
    block_cache cache(1 << 20);
    std::unique_ptr<table_reader> cached;
    REQUIRE(open_table(table, &cache, &cached).is_ok());
    table_lookup r;
    std::string got;
    std::size_t corrupt_cached = 0;
    for (const auto& [k, v] : entries) {
      corrupt_cached += cached->get(no_verify, k, &r, &got).is_ok() ? 0 : 1;
    }
    CHECK(corrupt_cached == corrupt);
  }
  SUBCASE("an entry that does not parse, under a valid checksum") {
    std::string table = good;
    // Block 0's first entry header starts with its shared-prefix length.
    std::string contents = good.substr(0, second_block - block_trailer_bytes);
    contents[0] = 5;  // a restart entry claiming a shared prefix
    rewrite_block(&table, block_handle{0, contents.size()}, contents, block_kind::data);
    std::unique_ptr<table_reader> t;
    REQUIRE(open_table(table, nullptr, &t).is_ok());
    table_lookup r;
    std::string got;
    expect_corruption(t->get(read_options{}, entries[0].first, &r, &got),
                      "data block at offset 0: entry shares more");
    auto it = t->new_iterator();
    it->seek_to_first();
    CHECK_FALSE(it->valid());
    expect_corruption(it->state(), "data block at offset 0");
  }
  SUBCASE("an entry with an unknown value type, under a valid checksum") {
    std::string table = good;
    std::string contents = good.substr(0, second_block - block_trailer_bytes);
    // The first entry's key is stored whole after a 3-byte header; its tag's type byte is the
    // ninth-from-last byte of the key.
    const std::size_t type_at = 3 + entries[0].first.size() - 8;
    contents[type_at] = 9;
    rewrite_block(&table, block_handle{0, contents.size()}, contents, block_kind::data);
    std::unique_ptr<table_reader> t;
    REQUIRE(open_table(table, nullptr, &t).is_ok());
    table_lookup r;
    std::string got;
    // Type 9 makes the tag larger, so the entry now sorts before entries[0]'s own key; a lookup
    // as of a later sequence lands on it.
    expect_corruption(t->get(read_options{}, lookup_key("key0000", 11), &r, &got),
                      "unknown value type");
  }
}

TEST_CASE("a failed read is the file's I/O error, at open and at get") {
  const entry_list entries = numbered_entries(100);
  const std::string table = build_table(entries, small_blocks());
  std::unique_ptr<table_reader> t;
  // The footer, then a metadata block, cannot be read.
  CHECK(table_reader::open(std::make_unique<string_readable>(table, table.size() - 1), nullptr, &t)
            .code() == status_code::io_error);
  const footer f = read_footer(table);
  CHECK(
      table_reader::open(
          std::make_unique<string_readable>(table, f.index.offset, f.index.offset + 1), nullptr, &t)
          .code() == status_code::io_error);
  // Only the first data block's bytes fail: gets there report it, others work.
  REQUIRE(table_reader::open(std::make_unique<string_readable>(table, 0, 1), nullptr, &t).is_ok());
  table_lookup r;
  std::string got;
  const status s = t->get(read_options{}, entries[0].first, &r, &got);
  CHECK(s.code() == status_code::io_error);
  CHECK(s.message().find("injected") != std::string::npos);
  REQUIRE(t->get(read_options{}, entries[98].first, &r, &got).is_ok());
  CHECK(r == table_lookup::found);
  auto it = t->new_iterator();
  it->seek_to_first();
  CHECK_FALSE(it->valid());
  CHECK(it->state().code() == status_code::io_error);
}
