#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "storage_format/log/log_reader.hpp"
#include "storage_format/log/log_writer.hpp"
#include "storage_format/util/coding.hpp"
#include "storage_format/util/crc32c.hpp"
#include "string_files.hpp"
#include "test_dir.hpp"

using namespace kepler::storage;
using namespace kepler::storage::log;

namespace {

constexpr std::uint64_t never = std::numeric_limits<std::uint64_t>::max();
// The room a block offers one fragment's payload.
constexpr std::size_t block_payload = block_size - header_size;

struct read_result {
  std::vector<std::string> records;
  std::vector<std::uint64_t> offsets;
  std::vector<drop> drops;
  bool only_at_tail = false;
  std::uint64_t last_record_end = 0;
  std::string description;

  std::vector<drop_reason> reasons() const {
    std::vector<drop_reason> out;
    for (const auto& d : drops) out.push_back(d.reason);
    return out;
  }
};

read_result read_log(const std::string& data, std::uint64_t fail_from = never) {
  kepler::test::string_readable file(data, fail_from, never, "mem.log");
  reader r(&file);
  read_result out;
  std::string record;
  std::uint64_t offset = 0;
  while (r.read_record(&record, &offset)) {
    out.records.push_back(record);
    out.offsets.push_back(offset);
  }
  // Reading on after the end must stay at the end.
  CHECK_FALSE(r.read_record(&record, &offset));
  out.drops = r.drops();
  out.only_at_tail = r.damage_only_at_tail();
  out.last_record_end = r.last_record_end();
  out.description = r.describe_first_drop();
  return out;
}

// A record whose bytes depend on its index and position, so misplaced bytes are caught.
std::string payload(std::size_t index, std::size_t size) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>('a' + (index * 7 + i) % 26);
  return s;
}

// Writes `sizes` as records and returns the log; `starts` gets each record's offset.
std::string write_log(const std::vector<std::size_t>& sizes,
                      std::vector<std::uint64_t>* starts = nullptr) {
  std::string data;
  kepler::test::string_writable file(&data, "mem.log");
  writer w(&file);
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const std::uint64_t before = w.end_offset();
    w.add_record(payload(i, sizes[i]));
    // A record begins after any trailer padding the writer added in front of it.
    if (starts != nullptr) {
      const std::size_t in_block = before % block_size;
      starts->push_back(block_size - in_block < header_size ? before + block_size - in_block
                                                            : before);
    }
  }
  REQUIRE(w.write_pending().is_ok());
  return data;
}

// One fragment built from the spec (wal_format.md), independently of the writer.
std::string fragment(record_type type, std::string_view data) {
  std::string out;
  const char type_byte = static_cast<char>(type);
  std::uint32_t crc = crc32c::value(&type_byte, 1);
  crc = crc32c::extend(crc, data.data(), data.size());
  put_fixed32(&out, crc32c::mask(crc));
  out.push_back(static_cast<char>(data.size() & 0xff));
  out.push_back(static_cast<char>(data.size() >> 8));
  out.push_back(type_byte);
  out.append(data.data(), data.size());
  return out;
}

struct header_view {
  std::uint32_t masked_crc;
  std::size_t length;
  std::uint8_t type;
};

header_view header_at(const std::string& data, std::size_t offset) {
  REQUIRE(offset + header_size <= data.size());
  return {decode_fixed32(data.data() + offset),
          static_cast<std::uint8_t>(data[offset + 4]) |
              (static_cast<std::size_t>(static_cast<std::uint8_t>(data[offset + 5])) << 8),
          static_cast<std::uint8_t>(data[offset + 6])};
}

void check_records(const read_result& got, const std::vector<std::size_t>& sizes) {
  REQUIRE(got.records.size() == sizes.size());
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    CAPTURE(i);
    CHECK(got.records[i] == payload(i, sizes[i]));
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Writing

TEST_CASE("records of every size read back whole, from empty to several blocks") {
  const std::vector<std::size_t> sizes = {0,
                                          1,
                                          100,
                                          0,
                                          block_payload - 1,
                                          block_payload,
                                          block_payload + 1,
                                          block_size,
                                          3 * block_size + 5,
                                          0,
                                          100000,
                                          7};
  std::vector<std::uint64_t> starts;
  const std::string data = write_log(sizes, &starts);
  const read_result got = read_log(data);
  check_records(got, sizes);
  CHECK(got.offsets == starts);
  CHECK(got.drops.empty());
  CHECK(got.only_at_tail);
  CHECK(got.last_record_end == data.size());
  CHECK(got.description.empty());
}

TEST_CASE("records survive a round trip through a real file") {
  kepler::test::temp_dir dir;
  file_system& fs = *file_system::posix();
  REQUIRE(fs.create_dir(dir.path()).is_ok());
  const std::string path = dir.file("000001.log");
  const std::vector<std::size_t> sizes = {10, 50000, 0, 3, 70000};
  {
    std::unique_ptr<writable_file> f;
    REQUIRE(fs.new_writable_file(path, &f).is_ok());
    writer w(f.get());
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      REQUIRE(w.append_record(payload(i, sizes[i])).is_ok());
    }
    REQUIRE(f->sync().is_ok());
    REQUIRE(f->close().is_ok());
  }
  std::unique_ptr<readable_file> f;
  REQUIRE(fs.new_readable_file(path, &f).is_ok());
  reader r(f.get());
  std::string record;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    REQUIRE(r.read_record(&record));
    CHECK(record == payload(i, sizes[i]));
  }
  CHECK_FALSE(r.read_record(&record));
  CHECK(r.drops().empty());
}

TEST_CASE("a fragment header is masked crc32c of type and payload, then length, then type") {
  std::string data;
  kepler::test::string_writable file(&data, "mem.log");
  writer w(&file);
  REQUIRE(w.append_record("hello").is_ok());
  CHECK(data == fragment(record_type::full, "hello"));
  const header_view h = header_at(data, 0);
  const std::string covered = std::string(1, '\x01') + "hello";
  CHECK(crc32c::unmask(h.masked_crc) == crc32c::value(covered.data(), covered.size()));
  CHECK(h.length == 5);
  CHECK(h.type == 1);
}

TEST_CASE("a record larger than a block is split into FIRST, MIDDLE and LAST fragments") {
  const std::string big = payload(0, 2 * block_payload + 10);
  std::string data;
  kepler::test::string_writable file(&data, "mem.log");
  writer w(&file);
  REQUIRE(w.append_record(big).is_ok());
  REQUIRE(data.size() == 2 * block_size + header_size + 10);
  CHECK(data.substr(0, block_size) ==
        fragment(record_type::first, std::string_view(big).substr(0, block_payload)));
  CHECK(data.substr(block_size, block_size) ==
        fragment(record_type::middle, std::string_view(big).substr(block_payload, block_payload)));
  CHECK(data.substr(2 * block_size) ==
        fragment(record_type::last, std::string_view(big).substr(2 * block_payload)));
  CHECK(read_log(data).records == std::vector<std::string>{big});
}

TEST_CASE("a block with fewer than a header's bytes left is padded with zeros") {
  for (std::size_t left = 1; left < header_size; ++left) {
    CAPTURE(left);
    // The first record leaves exactly `left` bytes in block 0.
    const std::vector<std::size_t> sizes = {block_size - left - header_size, 20};
    std::vector<std::uint64_t> starts;
    const std::string data = write_log(sizes, &starts);
    CHECK(data.substr(block_size - left, left) == std::string(left, '\0'));
    CHECK(starts[1] == block_size);
    CHECK(header_at(data, block_size).type == static_cast<std::uint8_t>(record_type::full));
    const read_result got = read_log(data);
    check_records(got, sizes);
    CHECK(got.offsets == starts);
    CHECK(got.drops.empty());
  }
}

TEST_CASE("a block with exactly a header's room left gets an empty fragment") {
  const std::size_t fill = block_size - 2 * header_size;  // leaves header_size bytes
  SUBCASE("a non-empty record starts there with an empty FIRST") {
    const std::vector<std::size_t> sizes = {fill, 30};
    const std::string data = write_log(sizes);
    const header_view h = header_at(data, block_size - header_size);
    CHECK(h.type == static_cast<std::uint8_t>(record_type::first));
    CHECK(h.length == 0);
    CHECK(header_at(data, block_size).type == static_cast<std::uint8_t>(record_type::last));
    const read_result got = read_log(data);
    check_records(got, sizes);
    CHECK(got.offsets[1] == block_size - header_size);
  }
  SUBCASE("an empty record fits there whole") {
    const std::vector<std::size_t> sizes = {fill, 0, 5};
    const std::string data = write_log(sizes);
    const header_view h = header_at(data, block_size - header_size);
    CHECK(h.type == static_cast<std::uint8_t>(record_type::full));
    CHECK(h.length == 0);
    check_records(read_log(data), sizes);
  }
}

TEST_CASE("a group of records goes out in one append") {
  std::string data;
  kepler::test::string_writable file(&data, "mem.log");
  writer w(&file);
  w.add_record("one");
  w.add_record(payload(1, 40000));
  w.add_record("");
  CHECK(data.empty());
  CHECK(w.pending_bytes() == w.end_offset());
  REQUIRE(w.write_pending().is_ok());
  CHECK(file.appends == 1);
  CHECK(w.pending_bytes() == 0);
  CHECK(w.end_offset() == data.size());
  REQUIRE(w.write_pending().is_ok());  // nothing pending: no write at all
  CHECK(file.appends == 1);
  CHECK(read_log(data).records.size() == 3);
}

TEST_CASE("a writer resuming an existing file continues its block layout") {
  // Resume points: mid-block, with fewer than a header's bytes left, and on a block boundary.
  for (std::size_t first_size : {std::size_t{100}, block_size - header_size - 3, block_payload}) {
    CAPTURE(first_size);
    kepler::test::temp_dir dir;
    file_system& fs = *file_system::posix();
    REQUIRE(fs.create_dir(dir.path()).is_ok());
    const std::string path = dir.file("000007.log");
    {
      std::unique_ptr<writable_file> f;
      REQUIRE(fs.new_writable_file(path, &f).is_ok());
      writer w(f.get());
      REQUIRE(w.append_record(payload(0, first_size)).is_ok());
      REQUIRE(f->close().is_ok());
    }
    {
      std::unique_ptr<writable_file> f;
      REQUIRE(fs.new_appendable_file(path, &f).is_ok());
      writer w(f.get());
      CHECK(w.end_offset() == first_size + header_size);
      REQUIRE(w.append_record(payload(1, 40000)).is_ok());
      REQUIRE(w.append_record(payload(2, 1)).is_ok());
      REQUIRE(f->close().is_ok());
    }
    std::string data;
    REQUIRE(read_file_to_string(fs, path, &data).is_ok());
    const read_result got = read_log(data);
    check_records(got, {first_size, 40000, 1});
    CHECK(got.drops.empty());
  }
}

// ---------------------------------------------------------------------------------------------
// Torn tails: the normal end of a crash

TEST_CASE("an empty log has no records and no damage") {
  const read_result got = read_log("");
  CHECK(got.records.empty());
  CHECK(got.drops.empty());
  CHECK(got.only_at_tail);
  CHECK(got.last_record_end == 0);
}

TEST_CASE("torn last record is the normal end of a crash") {
  // The last record starts 100 bytes before a block boundary, so the cuts cross its FIRST
  // header, FIRST payload, the boundary, its LAST header and LAST payload.
  const std::vector<std::size_t> sizes = {500, block_size - 500 - 2 * header_size - 100, 200};
  std::vector<std::uint64_t> starts;
  const std::string data = write_log(sizes, &starts);
  const std::uint64_t last_start = starts[2];
  REQUIRE(last_start == block_size - 100);
  for (std::uint64_t cut = last_start + 1; cut < data.size(); ++cut) {
    CAPTURE(cut);
    const read_result got = read_log(data.substr(0, cut));
    check_records(got, {sizes[0], sizes[1]});
    CHECK(got.last_record_end == last_start);
    CHECK(got.only_at_tail);
    REQUIRE(got.drops.size() == 1);
    CHECK(got.drops[0].reason == drop_reason::truncated);
    CHECK(got.drops[0].offset == last_start);
    CHECK(got.drops[0].bytes == cut - last_start);
  }
}

TEST_CASE("a torn record spanning several blocks is dropped whole and only at the tail") {
  const std::vector<std::size_t> sizes = {300, 3 * block_size};
  std::vector<std::uint64_t> starts;
  const std::string data = write_log(sizes, &starts);
  std::vector<std::uint64_t> cuts;
  for (std::uint64_t cut = starts[1] + 1; cut < data.size(); cut += 97) cuts.push_back(cut);
  // Every cut near each block boundary, where headers and trailers lie.
  for (std::uint64_t b = block_size; b < data.size(); b += block_size) {
    for (std::uint64_t cut = b - header_size - 2; cut <= b + header_size + 2; ++cut) {
      if (cut < data.size()) cuts.push_back(cut);
    }
  }
  for (std::uint64_t cut : cuts) {
    CAPTURE(cut);
    const read_result got = read_log(data.substr(0, cut));
    check_records(got, {sizes[0]});
    CHECK(got.only_at_tail);
    REQUIRE(got.drops.size() == 1);
    CHECK(got.drops[0].reason == drop_reason::truncated);
    CHECK(got.drops[0].offset == starts[1]);
    CHECK(got.drops[0].bytes == cut - starts[1]);
  }
}

TEST_CASE("a tail cut inside the zero trailer is truncated, at the tail") {
  // Record 1 leaves 3 bytes in block 0; the torn append kept only part of the padding.
  const std::vector<std::size_t> sizes = {block_size - 3 - header_size, 10};
  const std::string data = write_log(sizes);
  const read_result got = read_log(data.substr(0, block_size - 1));
  check_records(got, {sizes[0]});
  CHECK(got.only_at_tail);
  REQUIRE(got.drops.size() == 1);
  CHECK(got.drops[0].reason == drop_reason::truncated);
  CHECK(got.drops[0].offset == block_size - 3);
  CHECK(got.drops[0].bytes == 2);
}

TEST_CASE("a FIRST that the file ends after is truncated") {
  const std::string data = fragment(record_type::full, "a") + fragment(record_type::first, "bc") +
                           fragment(record_type::middle, "de");
  const read_result got = read_log(data);
  CHECK(got.records == std::vector<std::string>{"a"});
  CHECK(got.only_at_tail);
  REQUIRE(got.drops.size() == 1);
  CHECK(got.drops[0].reason == drop_reason::truncated);
  CHECK(got.drops[0].offset == 8);
  CHECK(got.drops[0].bytes == 18);
}

TEST_CASE("zeroed bytes after the last record are a torn tail with a bad record type") {
  // Some file systems extend the file before its data reaches the disk, leaving zeros.
  const std::vector<std::size_t> sizes = {100, 200};
  std::string data = write_log(sizes);
  const std::uint64_t end = data.size();
  data.append(block_size + 50, '\0');
  const read_result got = read_log(data);
  check_records(got, sizes);
  CHECK(got.only_at_tail);
  CHECK(got.last_record_end == end);
  CHECK(got.reasons() ==
        std::vector<drop_reason>{drop_reason::bad_record_type, drop_reason::bad_record_type});
  CHECK(got.drops[0].offset == end);
  CHECK(got.drops[0].bytes == block_size - end);
  CHECK(got.drops[1].offset == block_size);
  CHECK(got.drops[1].bytes == data.size() - block_size);
}

// ---------------------------------------------------------------------------------------------
// Corruption: damage with a valid record after it

TEST_CASE("a bad checksum in the middle is corruption, and the rest of its block is dropped") {
  // Records 0-2 in block 0; record 3 spans into block 1; record 4 lies wholly in block 1.
  const std::vector<std::size_t> sizes = {100, 200, 300, block_size, 50};
  std::vector<std::uint64_t> starts;
  std::string data = write_log(sizes, &starts);
  data[starts[1] + header_size + 10] ^= 0x01;  // a payload bit of record 1

  const read_result got = read_log(data);
  // Record 3's FIRST sat in the dropped rest of block 0, so its LAST is an orphan.
  CHECK(got.reasons() ==
        std::vector<drop_reason>{drop_reason::bad_checksum, drop_reason::orphan_fragment});
  CHECK(got.drops[0].offset == starts[1]);
  CHECK(got.drops[0].bytes == block_size - starts[1]);
  CHECK(got.drops[1].offset == block_size);
  REQUIRE(got.records.size() == 2);
  CHECK(got.records[0] == payload(0, 100));
  CHECK(got.records[1] == payload(4, 50));
  CHECK_FALSE(got.only_at_tail);
  CHECK(got.description == "mem.log: offset " + std::to_string(starts[1]) + ": bad checksum (" +
                               std::to_string(block_size - starts[1]) + " bytes dropped)");
}

TEST_CASE("a bad checksum with no valid record after it is a torn tail") {
  const std::vector<std::size_t> sizes = {100, 200};
  std::vector<std::uint64_t> starts;
  std::string data = write_log(sizes, &starts);
  data[starts[1] + header_size] ^= 0x40;
  const read_result got = read_log(data);
  check_records(got, {100});
  CHECK(got.reasons() == std::vector<drop_reason>{drop_reason::bad_checksum});
  CHECK(got.only_at_tail);
}

TEST_CASE("damage hiding sound records in the rest of its block is not a torn tail") {
  // Records 1-3 sit after record 0 in the last (and only) block: damage to record 0 drops the
  // rest of the block, and with it three sound records written after the damaged one. Taking
  // that for a torn tail would lose them silently.
  for (int kind = 0; kind < 3; ++kind) {
    CAPTURE(kind);
    const std::vector<std::size_t> sizes = {100, 200, 300, 50};
    std::vector<std::uint64_t> starts;
    std::string data = write_log(sizes, &starts);
    if (kind == 0) data[starts[0] + header_size + 5] ^= 0x01;  // payload: bad checksum
    if (kind == 1) data[starts[0] + 5] ^= 0x80;                // length past the file: "truncated"
    if (kind == 2) data[starts[0] + 6] = 9;                    // bad record type
    const read_result got = read_log(data);
    CHECK(got.records.empty());
    REQUIRE(got.drops.size() == 1);
    CHECK_FALSE(got.only_at_tail);
  }
  // The same damage to the last record alone is a torn tail.
  std::vector<std::uint64_t> starts;
  std::string data = write_log({100, 200}, &starts);
  data[starts[1] + 5] ^= 0x80;
  CHECK(read_log(data).only_at_tail);
}

TEST_CASE("a damaged header checksum field is a bad checksum") {
  std::vector<std::uint64_t> starts;
  std::string data = write_log({10, block_size, 10}, &starts);
  data[starts[0]] ^= 0x10;
  const read_result got = read_log(data);
  CHECK(got.reasons() ==
        std::vector<drop_reason>{drop_reason::bad_checksum, drop_reason::orphan_fragment});
  CHECK(got.records == std::vector<std::string>{payload(2, 10)});
  CHECK_FALSE(got.only_at_tail);
}

TEST_CASE("a length running past the end of its block is a bad length") {
  std::vector<std::uint64_t> starts;
  std::string data = write_log({10, 20, block_size, 30}, &starts);
  data[starts[1] + 4] = '\xff';
  data[starts[1] + 5] = '\xff';
  const read_result got = read_log(data);
  CHECK(got.reasons() ==
        std::vector<drop_reason>{drop_reason::bad_length, drop_reason::orphan_fragment});
  CHECK(got.drops[0].offset == starts[1]);
  CHECK(got.drops[0].bytes == block_size - starts[1]);
  CHECK(got.records == std::vector<std::string>{payload(0, 10), payload(3, 30)});
  CHECK_FALSE(got.only_at_tail);
}

TEST_CASE("a length past the block end in the last block is a bad length, not truncation") {
  std::string data = fragment(record_type::full, "abc");
  data[4] = '\xff';
  data[5] = '\xff';
  const read_result got = read_log(data);
  CHECK(got.reasons() == std::vector<drop_reason>{drop_reason::bad_length});
}

TEST_CASE("an unknown or zero record type is a bad record type") {
  for (std::uint8_t bad : {std::uint8_t{0}, std::uint8_t{5}, std::uint8_t{0xff}}) {
    CAPTURE(int{bad});
    std::vector<std::uint64_t> starts;
    std::string data = write_log({10, 20, block_size, 30}, &starts);
    data[starts[1] + 6] = static_cast<char>(bad);
    const read_result got = read_log(data);
    CHECK(got.reasons() ==
          std::vector<drop_reason>{drop_reason::bad_record_type, drop_reason::orphan_fragment});
    CHECK(got.drops[0].offset == starts[1]);
    CHECK(got.records == std::vector<std::string>{payload(0, 10), payload(3, 30)});
    CHECK_FALSE(got.only_at_tail);
  }
}

TEST_CASE("MIDDLE and LAST fragments without a FIRST are orphans, reported one by one") {
  const std::string data = fragment(record_type::middle, "mm") + fragment(record_type::last, "l") +
                           fragment(record_type::full, "ok");
  const read_result got = read_log(data);
  CHECK(got.records == std::vector<std::string>{"ok"});
  CHECK(got.reasons() ==
        std::vector<drop_reason>{drop_reason::orphan_fragment, drop_reason::orphan_fragment});
  CHECK(got.drops[0].offset == 0);
  CHECK(got.drops[0].bytes == 9);
  CHECK(got.drops[1].offset == 9);
  CHECK(got.drops[1].bytes == 8);
  CHECK(got.offsets == std::vector<std::uint64_t>{17});
  CHECK_FALSE(got.only_at_tail);
}

TEST_CASE("a FIRST cut off by a new FIRST or FULL is a partial record") {
  SUBCASE("by a FULL") {
    const std::string data = fragment(record_type::first, "ab") +
                             fragment(record_type::middle, "cd") +
                             fragment(record_type::full, "whole");
    const read_result got = read_log(data);
    CHECK(got.records == std::vector<std::string>{"whole"});
    CHECK(got.reasons() == std::vector<drop_reason>{drop_reason::partial_record});
    CHECK(got.drops[0].offset == 0);
    CHECK(got.drops[0].bytes == 18);
    CHECK_FALSE(got.only_at_tail);
    CHECK(got.description == "mem.log: offset 0: partial record (18 bytes dropped)");
  }
  SUBCASE("by a FIRST") {
    const std::string data = fragment(record_type::first, "ab") +
                             fragment(record_type::first, "cd") + fragment(record_type::last, "ef");
    const read_result got = read_log(data);
    CHECK(got.records == std::vector<std::string>{"cdef"});
    CHECK(got.offsets == std::vector<std::uint64_t>{9});
    CHECK(got.reasons() == std::vector<drop_reason>{drop_reason::partial_record});
    CHECK(got.drops[0].bytes == 9);
  }
}

TEST_CASE("damage inside a multi-block record drops the gathered fragments as a partial record") {
  std::vector<std::uint64_t> starts;
  std::string data = write_log({10, 3 * block_size, 40}, &starts);
  data[block_size + header_size + 5] ^= 0x02;  // the MIDDLE in block 1
  const read_result got = read_log(data);
  CHECK(got.reasons() ==
        std::vector<drop_reason>{drop_reason::partial_record, drop_reason::bad_checksum,
                                 drop_reason::orphan_fragment, drop_reason::orphan_fragment});
  CHECK(got.drops[0].offset == starts[1]);
  CHECK(got.drops[0].bytes == block_size - starts[1]);
  CHECK(got.drops[1].offset == block_size);
  CHECK(got.records == std::vector<std::string>{payload(0, 10), payload(2, 40)});
  CHECK_FALSE(got.only_at_tail);
}

TEST_CASE("a read error is reported as dropped bytes, never as a clean end") {
  const std::vector<std::size_t> sizes = {100, block_size, 100};
  const std::string data = write_log(sizes);
  const read_result got = read_log(data, block_size);
  CHECK(got.records == std::vector<std::string>{payload(0, 100)});
  CHECK(got.reasons() ==
        std::vector<drop_reason>{drop_reason::partial_record, drop_reason::read_error});
  CHECK(got.drops[1].offset == block_size);
  CHECK(got.drops[1].bytes == data.size() - block_size);
  CHECK(got.description.find("mem.log: offset 107: partial record") == 0);
}

TEST_CASE("every drop reason has a name") {
  for (auto reason :
       {drop_reason::bad_checksum, drop_reason::bad_length, drop_reason::bad_record_type,
        drop_reason::orphan_fragment, drop_reason::partial_record, drop_reason::truncated,
        drop_reason::read_error}) {
    CHECK(std::string(to_string(reason)) != "unknown");
  }
  CHECK(std::string(to_string(drop_reason::bad_checksum)) == "bad checksum");
}

TEST_CASE("random single-byte damage is reported or harmless, never a record not written") {
  const std::vector<std::size_t> sizes = {0, 30, 5000, 40000, 1, 70000, 12, 300};
  const std::string clean = write_log(sizes);
  std::vector<std::string> written;
  for (std::size_t i = 0; i < sizes.size(); ++i) written.push_back(payload(i, sizes[i]));
  std::uint64_t state = 0x9e3779b97f4a7c15ull;
  int reported = 0;
  for (int trial = 0; trial < 400; ++trial) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const std::size_t pos = (state >> 17) % clean.size();
    std::string data = clean;
    data[pos] = static_cast<char>(data[pos] ^ static_cast<char>(1 + (state >> 7) % 255));
    CAPTURE(pos);
    const read_result got = read_log(data);
    // What survives is a subsequence of what was written, in order.
    std::size_t next = 0;
    for (const auto& r : got.records) {
      while (next < written.size() && written[next] != r) ++next;
      CHECK(next < written.size());
      ++next;
    }
    // Only the zero trailer is outside every checksum; damage anywhere else is reported.
    if (got.drops.empty()) {
      CHECK(got.records == written);
    } else {
      ++reported;
    }
  }
  MESSAGE("random damage: " << reported << " of 400 trials reported drops");
  CHECK(reported > 0);
}
