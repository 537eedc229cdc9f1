// Damages a small table every way a byte can be damaged and checks that every read either
// returns what the undamaged table returns or reports corruption: never a wrong value, never a
// crash (run under ASan for the "never a read past a buffer" half). Once per codec: a table
// stored raw, with lz4 and with zstd.

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "table_test_util.hpp"

using namespace kepler::storage;
using namespace kepler::test;

namespace {

struct outcome_counts {
  std::size_t variants = 0;
  std::size_t open_rejected = 0;  // open reported corruption
  std::size_t reads = 0;          // gets and scans on tables that opened
  std::size_t reads_correct = 0;
  std::size_t reads_corruption = 0;
  std::size_t reads_wrong = 0;   // a value or entry that differs from the undamaged table
  std::size_t other_status = 0;  // any status but ok or corruption
};

struct expectations {
  entry_list entries;
  std::vector<std::pair<std::string, std::string>> lookups;  // lookup key -> "<absent>" etc.
};

std::string describe(table_lookup r, const std::string& value) {
  switch (r) {
    case table_lookup::absent:
      return "<absent>";
    case table_lookup::deleted:
      return "<deleted>";
    case table_lookup::found:
      return "=" + value;
  }
  return "?";
}

// Reads everything the damaged table offers and sorts each read into correct, corruption or
// wrong. With checksums off, damage may legitimately produce wrong values; only the absence of
// crashes and over-reads is checked then.
void read_all(const std::string& data, const expectations& want, const read_options& options,
              block_cache* cache, outcome_counts* c) {
  ++c->variants;
  std::unique_ptr<table_reader> t;
  const status opened = open_table(data, cache, &t);
  if (!opened) {
    if (opened.code() == status_code::corruption) {
      ++c->open_rejected;
    } else {
      ++c->other_status;
    }
    return;
  }
  auto tally = [&](const status& s, bool matches) {
    ++c->reads;
    if (!s) {
      if (s.code() == status_code::corruption) {
        ++c->reads_corruption;
      } else {
        ++c->other_status;
      }
    } else if (matches) {
      ++c->reads_correct;
    } else {
      ++c->reads_wrong;
    }
  };
  for (const auto& [key, expected] : want.lookups) {
    table_lookup r;
    std::string value;
    const status s = t->get(options, key, &r, &value);
    tally(s, s && describe(r, value) == expected);
  }
  // A scan is correct when it yields exactly the entries, in order; corruption may cut it short
  // but every entry before the damage must still be right.
  auto it = t->new_iterator(options);
  std::size_t i = 0;
  bool matches = true;
  for (it->seek_to_first(); it->valid(); it->next(), ++i) {
    if (i >= want.entries.size() || it->key() != want.entries[i].first ||
        it->value() != want.entries[i].second) {
      matches = false;
      break;
    }
  }
  tally(it->state(), matches && (!it->state().is_ok() || i == want.entries.size()));
  i = want.entries.size();
  matches = true;
  for (it->seek_to_last(); it->valid(); it->prev()) {
    if (i == 0 || it->key() != want.entries[i - 1].first ||
        it->value() != want.entries[i - 1].second) {
      matches = false;
      break;
    }
    --i;
  }
  tally(it->state(), matches && (!it->state().is_ok() || i == 0));
}

expectations make_table(block_codec codec, std::string* data) {
  expectations e;
  table_options o;
  o.block_bytes = 128;
  o.restart_interval = 4;
  o.bloom_bits_per_key = 10;
  o.compression = codec;
  for (int i = 0; i < 80; ++i) {
    const std::string user = "k" + std::to_string(100 + i);
    if (i % 3 == 0) e.entries.emplace_back(ikey(user, 50, value_type::deletion), "");
    // Runs of one letter, so that every codec stores the blocks compressed.
    e.entries.emplace_back(ikey(user, 20),
                           "v" + std::to_string(i) + std::string(12 + i % 5, 'x') + "yyyyyyyy");
  }
  *data = build_table(e.entries, o);
  std::unique_ptr<table_reader> t;
  REQUIRE(open_table(*data, nullptr, &t).is_ok());
  if (codec != block_codec::none) {
    REQUIRE(t->properties().compressed_blocks > 0);
    MESSAGE(std::string(to_string(codec))
            << ": " << t->properties().compressed_blocks << " of " << t->properties().data_blocks
            << " data blocks compressed");
  }
  // What the undamaged table answers: present keys at three sequences, and absent keys.
  for (int i = 0; i < 82; ++i) {
    const std::string user = "k" + std::to_string(100 + i);
    for (sequence_number s : {60, 30, 10}) {
      const std::string key = lookup_key(user, s);
      table_lookup r;
      std::string value;
      REQUIRE(t->get(read_options{}, key, &r, &value).is_ok());
      e.lookups.emplace_back(key, describe(r, value));
    }
  }
  e.lookups.emplace_back(lookup_key("a", 60), "<absent>");
  e.lookups.emplace_back(lookup_key("z", 60), "<absent>");
  return e;
}

void print(const char* what, const outcome_counts& c) {
  MESSAGE(std::string(what) << ": " << c.variants << " variants; open rejected " << c.open_rejected
                            << "; of " << c.reads << " reads on opened tables: " << c.reads_correct
                            << " correct, " << c.reads_corruption << " corruption, "
                            << c.reads_wrong << " wrong; other statuses " << c.other_status);
}

// Flips one bit and every bit of each byte, and cuts at every length: every read is right or
// corruption.
void damage_every_byte(block_codec codec) {
  std::string good;
  const expectations want = make_table(codec, &good);
  MESSAGE(std::string(to_string(codec))
          << " damage test table: " << good.size() << " bytes, " << want.entries.size()
          << " entries, " << want.lookups.size() << " lookups per variant");

  outcome_counts flips, cuts;
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (char flip : {'\x01', '\xff'}) {  // the lowest bit; every bit of the byte
      std::string damaged = good;
      damaged[i] = static_cast<char>(damaged[i] ^ flip);
      // Half the variants through a block cache: only verified blocks may enter it.
      block_cache cache(16 << 10, 1);
      read_all(damaged, want, read_options{}, i % 2 == 0 ? &cache : nullptr, &flips);
    }
  }
  for (std::size_t len = 0; len < good.size(); ++len) {
    read_all(good.substr(0, len), want, read_options{}, nullptr, &cuts);
  }
  print((std::string(to_string(codec)) + ": byte flips (x01 and xff)").c_str(), flips);
  print((std::string(to_string(codec)) + ": cuts at every length").c_str(), cuts);
  CHECK(flips.variants == 2 * good.size());
  CHECK(flips.reads_wrong == 0);
  CHECK(flips.other_status == 0);
  CHECK(flips.reads_corruption > 0);
  CHECK(flips.reads_correct > 0);
  CHECK(cuts.variants == good.size());
  CHECK(cuts.reads_wrong == 0);
  CHECK(cuts.other_status == 0);
  // A cut table has no footer where the footer should be.
  CHECK(cuts.open_rejected == good.size());
}

// With verify_checksums off a raw data block is read as it is, so damage can read wrong; a
// compressed block is verified regardless, before it is decompressed.
void damage_unverified(block_codec codec) {
  std::string good;
  const expectations want = make_table(codec, &good);
  read_options unverified;
  unverified.verify_checksums = false;
  outcome_counts flips;
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (char flip : {'\x01', '\xff'}) {
      std::string damaged = good;
      damaged[i] = static_cast<char>(damaged[i] ^ flip);
      read_all(damaged, want, unverified, nullptr, &flips);
    }
  }
  print((std::string(to_string(codec)) + ": byte flips, checksums off").c_str(), flips);
  CHECK(flips.variants == 2 * good.size());
  CHECK(flips.other_status == 0);
  std::unique_ptr<table_reader> t;
  REQUIRE(open_table(good, nullptr, &t).is_ok());
  if (t->properties().compressed_blocks == t->properties().data_blocks) {
    CHECK(flips.reads_wrong == 0);  // every data block was checked before decoding
  } else {
    CHECK(flips.reads_wrong > 0);  // the checksum is what stands between damage and wrong values
  }
}

// Damage the checksum cannot see: each byte of each compressed data block flipped and the
// trailer re-sealed, so the decompressor meets the damaged bytes. Wrong values are possible
// here (the data says what it says); a crash, an over-read or another status is not.
void damage_under_a_sealed_checksum(block_codec codec) {
  std::string good;
  const expectations want = make_table(codec, &good);
  outcome_counts flips;
  for (const block_handle& h : data_block_handles(good)) {
    const auto trailer = static_cast<std::uint8_t>(good[h.offset + h.size]);
    if ((trailer >> trailer_codec_shift) == 0) continue;
    for (std::size_t i = 0; i < h.size; ++i) {
      for (char flip : {'\x01', '\xff'}) {
        std::string contents = good.substr(h.offset, h.size);
        contents[i] = static_cast<char>(contents[i] ^ flip);
        std::string framed;
        append_block(&framed, contents, block_kind::data, codec);
        std::string damaged = good;
        damaged.replace(h.offset, framed.size(), framed);
        read_all(damaged, want, read_options{}, nullptr, &flips);
      }
    }
  }
  print((std::string(to_string(codec)) + ": flips re-sealed under a valid checksum").c_str(),
        flips);
  CHECK(flips.variants > 0);
  CHECK(flips.other_status == 0);
  CHECK(flips.open_rejected == 0);  // only data blocks were touched
  CHECK(flips.reads_corruption > 0);
}

}  // namespace

TEST_CASE("every flipped byte and every cut of a raw table reads correctly or reports corruption") {
  damage_every_byte(block_codec::none);
}

TEST_CASE(
    "every flipped byte and every cut of an lz4 table reads correctly or reports corruption") {
  damage_every_byte(block_codec::lz4);
}

TEST_CASE(
    "every flipped byte and every cut of a zstd table reads correctly or reports corruption") {
  damage_every_byte(block_codec::zstd);
}

TEST_CASE("with checksums off, damaged raw data blocks may read wrong but never crash") {
  damage_unverified(block_codec::none);
}

TEST_CASE("with checksums off, compressed data blocks are still verified before decoding") {
  damage_unverified(block_codec::lz4);
  damage_unverified(block_codec::zstd);
}

TEST_CASE(
    "damaged lz4 and zstd payloads under a valid checksum decode to corruption, not a crash") {
  damage_under_a_sealed_checksum(block_codec::lz4);
  damage_under_a_sealed_checksum(block_codec::zstd);
}
