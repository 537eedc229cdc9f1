#include <doctest/doctest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "storage_format/memtable/batch_format.hpp"
#include "storage_format/util/coding.hpp"

using namespace kepler::storage;

namespace {

constexpr std::size_t max_value_bytes = std::size_t{64} << 20;
// Where the header keeps the count (batch_format.hpp).
constexpr std::size_t count_offset = 8;

struct record {
  bool is_put;
  sequence_number seq;
  std::string key;
  std::string value;
  bool operator==(const record& o) const {
    return is_put == o.is_put && seq == o.seq && key == o.key && value == o.value;
  }
};

class recorder : public batch::handler {
 public:
  void put(sequence_number seq, std::string_view key, std::string_view value) override {
    seen.push_back({true, seq, std::string(key), std::string(value)});
  }
  void remove(sequence_number seq, std::string_view key) override {
    seen.push_back({false, seq, std::string(key), {}});
  }
  std::vector<record> seen;
};

// Places bytes so that they end exactly where an inaccessible page begins: a parser that reads
// even one byte past the end faults, with or without a sanitizer.
class guarded_buffer {
 public:
  explicit guarded_buffer(std::size_t capacity) {
    page_ = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    data_bytes_ = (capacity + page_ - 1) / page_ * page_;
    total_ = data_bytes_ + page_;
    void* base =
        ::mmap(nullptr, total_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(base != MAP_FAILED);
    base_ = static_cast<char*>(base);
    REQUIRE(::mprotect(base_ + data_bytes_, page_, PROT_NONE) == 0);
  }
  ~guarded_buffer() { ::munmap(base_, total_); }
  guarded_buffer(const guarded_buffer&) = delete;
  guarded_buffer& operator=(const guarded_buffer&) = delete;

  std::string_view place(std::string_view bytes) {
    REQUIRE(bytes.size() <= data_bytes_);
    char* start = base_ + data_bytes_ - bytes.size();
    if (!bytes.empty()) std::memcpy(start, bytes.data(), bytes.size());
    return {start, bytes.size()};
  }

 private:
  std::size_t page_ = 0;
  std::size_t data_bytes_ = 0;
  std::size_t total_ = 0;
  char* base_ = nullptr;
};

// A batch with every kind of entry, and the offset at which each entry starts.
struct sample {
  std::string rep = batch::make_empty();
  std::vector<std::size_t> entry_offsets;
  std::vector<record> expected;

  void put(std::string key, std::string value) {
    entry_offsets.push_back(rep.size());
    batch::add_put(&rep, key, value);
    expected.push_back({true, 0, std::move(key), std::move(value)});
  }
  void remove(std::string key) {
    entry_offsets.push_back(rep.size());
    batch::add_delete(&rep, key);
    expected.push_back({false, 0, std::move(key), {}});
  }
  std::vector<record> expected_at(sequence_number first) const {
    std::vector<record> out = expected;
    for (std::size_t i = 0; i < out.size(); ++i) out[i].seq = first + i;
    return out;
  }
};

sample mixed_sample() {
  sample s;
  s.put("alpha", "1");
  s.put("", "value of the empty key");
  s.remove(std::string("nul\0key", 7));
  s.put(std::string("\0", 1), std::string("v\0v", 3));
  s.put("empty value", "");
  s.remove("");
  // Long enough that its length prefix takes two varint bytes.
  s.put("long", std::string(300, 'L'));
  return s;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("an empty batch has no entries and the header size") {
  const std::string rep = batch::make_empty();
  CHECK(rep.size() == batch::header_size);
  CHECK(batch::count(rep) == 0);
  CHECK(batch::sequence(rep) == 0);
  CHECK(batch::validate(rep).is_ok());
  recorder r;
  CHECK(batch::for_each(rep, r).is_ok());
  CHECK(r.seen.empty());
}

TEST_CASE("puts and deletes come back in order with consecutive sequence numbers") {
  sample s = mixed_sample();
  batch::set_sequence(&s.rep, 1000);
  CHECK(batch::count(s.rep) == s.expected.size());
  CHECK(batch::sequence(s.rep) == 1000);
  CHECK(batch::validate(s.rep).is_ok());
  recorder r;
  REQUIRE(batch::for_each(s.rep, r).is_ok());
  CHECK(r.seen == s.expected_at(1000));
}

TEST_CASE("a value of the largest allowed size round-trips") {
  std::string big(max_value_bytes, '\0');
  for (std::size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>(i >> 12);
  std::string rep = batch::make_empty();
  batch::add_put(&rep, "big", big);
  const std::size_t second_entry = rep.size();
  batch::add_delete(&rep, "after");
  batch::set_sequence(&rep, 7);
  recorder r;
  REQUIRE(batch::for_each(rep, r).is_ok());
  REQUIRE(r.seen.size() == 2);
  CHECK(r.seen[0].seq == 7);
  CHECK(r.seen[0].key == "big");
  CHECK(r.seen[0].value == big);
  CHECK(r.seen[1] == record{false, 8, "after", {}});

  // Cut inside the big value: the first entry is named, nothing is read past the cut.
  constexpr std::size_t cut_before_value_end = 1000;
  const std::size_t cut = second_entry - cut_before_value_end;
  guarded_buffer guard(cut);
  const status st = batch::validate(guard.place(std::string_view(rep).substr(0, cut)));
  CHECK(st.code() == status_code::corruption);
  CHECK(contains(st.message(), "batch entry 0 at offset " + std::to_string(batch::header_size)));
}

TEST_CASE("set_sequence changes only the sequence numbers") {
  sample s = mixed_sample();
  const std::string before = s.rep.substr(batch::header_size);
  batch::set_sequence(&s.rep, 5);
  batch::set_sequence(&s.rep, max_sequence_number - s.expected.size() + 1);
  CHECK(s.rep.substr(batch::header_size) == before);
  CHECK(batch::sequence(s.rep) == max_sequence_number - s.expected.size() + 1);
  recorder r;
  REQUIRE(batch::for_each(s.rep, r).is_ok());
  CHECK(r.seen == s.expected_at(max_sequence_number - s.expected.size() + 1));
}

TEST_CASE("append joins two batches into one holding both, in order") {
  auto first = batch::make_empty();
  batch::add_put(&first, "a", "1");
  batch::add_delete(&first, "b");
  auto second = batch::make_empty();
  batch::add_put(&second, "c", "3");
  batch::set_sequence(&first, 40);
  batch::set_sequence(&second, 7);  // the appended batch's own sequence is dropped
  batch::append(&first, second);
  batch::append(&first, batch::make_empty());  // an empty one adds nothing
  REQUIRE(batch::validate(first).is_ok());
  CHECK(batch::count(first) == 3);
  CHECK(batch::sequence(first) == 40);
  auto all = batch::make_empty();
  batch::add_put(&all, "a", "1");
  batch::add_delete(&all, "b");
  batch::add_put(&all, "c", "3");
  batch::set_sequence(&all, 40);
  CHECK(first == all);
}

TEST_CASE("clear leaves an empty batch") {
  sample s = mixed_sample();
  batch::set_sequence(&s.rep, 99);
  batch::clear(&s.rep);
  CHECK(s.rep == batch::make_empty());
  batch::add_put(&s.rep, "k", "v");
  CHECK(batch::count(s.rep) == 1);
}

TEST_CASE("every truncation is corruption that names the entry and offset, read in bounds") {
  sample s = mixed_sample();
  batch::set_sequence(&s.rep, 1);
  guarded_buffer guard(s.rep.size());
  std::size_t checked = 0;
  for (std::size_t len = 0; len < s.rep.size(); ++len) {
    CAPTURE(len);
    const std::string_view cut = guard.place(std::string_view(s.rep).substr(0, len));
    const status v = batch::validate(cut);
    recorder r;
    const status f = batch::for_each(cut, r);
    REQUIRE(v.code() == status_code::corruption);
    REQUIRE(f.code() == status_code::corruption);
    CHECK(v.message() == f.message());
    if (len < batch::header_size) {
      CHECK(contains(v.message(), "header"));
    } else {
      // The damaged entry is the last one that starts at or before the cut.
      std::size_t entry = 0;
      while (entry + 1 < s.entry_offsets.size() && s.entry_offsets[entry + 1] <= len) ++entry;
      CHECK(contains(v.message(), "batch entry " + std::to_string(entry) + " at offset " +
                                      std::to_string(s.entry_offsets[entry])));
      // Entries wholly before the cut were delivered, nothing after it.
      CHECK(r.seen.size() == entry);
    }
    ++checked;
  }
  MESSAGE("checked " << checked << " truncation lengths");
}

TEST_CASE("a count larger than the entries present is corruption") {
  sample s = mixed_sample();
  encode_fixed32(&s.rep[count_offset], static_cast<std::uint32_t>(s.expected.size() + 1));
  const status st = batch::validate(s.rep);
  CHECK(st.code() == status_code::corruption);
  CHECK(contains(st.message(), "batch entry " + std::to_string(s.expected.size()) + " at offset " +
                                   std::to_string(s.rep.size())));
}

TEST_CASE("a count smaller than the entries present is corruption") {
  sample s = mixed_sample();
  const std::uint32_t fewer = static_cast<std::uint32_t>(s.expected.size() - 1);
  encode_fixed32(&s.rep[count_offset], fewer);
  const status st = batch::validate(s.rep);
  CHECK(st.code() == status_code::corruption);
  CHECK(contains(st.message(), "batch entry " + std::to_string(fewer) + " at offset " +
                                   std::to_string(s.entry_offsets[fewer])));
  recorder r;
  CHECK(batch::for_each(s.rep, r).code() == status_code::corruption);
}

TEST_CASE("an unknown entry type is corruption naming that entry") {
  sample s = mixed_sample();
  s.rep[s.entry_offsets[2]] = 7;
  const status st = batch::validate(s.rep);
  CHECK(st.code() == status_code::corruption);
  CHECK(contains(st.message(), "batch entry 2 at offset " + std::to_string(s.entry_offsets[2])));
  CHECK(contains(st.message(), "type 7"));
}

TEST_CASE("a key length that overflows a varint32 is corruption") {
  std::string rep = batch::make_empty();
  encode_fixed32(&rep[count_offset], 1);
  rep.push_back(1);
  rep.append(5, static_cast<char>(0xff));
  rep.append("tail");
  guarded_buffer guard(rep.size());
  const status st = batch::validate(guard.place(rep));
  CHECK(st.code() == status_code::corruption);
  CHECK(contains(st.message(), "batch entry 0 at offset " + std::to_string(batch::header_size)));
}

TEST_CASE("a key length running past the end is corruption") {
  std::string rep = batch::make_empty();
  encode_fixed32(&rep[count_offset], 1);
  rep.push_back(0);
  put_varint32(&rep, 1000);
  rep.append("short");
  guarded_buffer guard(rep.size());
  CHECK(batch::validate(guard.place(rep)).code() == status_code::corruption);
}

TEST_CASE("sequence numbers past the largest one are corruption") {
  sample s = mixed_sample();
  batch::set_sequence(&s.rep, max_sequence_number - 1);
  const status st = batch::validate(s.rep);
  CHECK(st.code() == status_code::corruption);
  CHECK(contains(st.message(), "sequence"));
}

TEST_CASE("random bytes are rejected or accepted, never read out of bounds") {
  constexpr int rounds = 20000;
  constexpr std::size_t max_len = 64;
  std::mt19937 rng(12345);
  guarded_buffer guard(max_len);
  int accepted = 0;
  for (int round = 0; round < rounds; ++round) {
    std::string bytes(rng() % max_len, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    // Small counts, so some inputs get past the count check and into the entries.
    if (bytes.size() >= batch::header_size) {
      encode_fixed64(&bytes[0], rng() % 1000);
      encode_fixed32(&bytes[count_offset], rng() % 4);
      if (bytes.size() > batch::header_size) bytes[batch::header_size] = rng() % 2;
    }
    const status st = batch::validate(guard.place(bytes));
    CHECK((st.is_ok() || st.code() == status_code::corruption));
    if (st.is_ok()) ++accepted;
  }
  MESSAGE(accepted << " of " << rounds << " random inputs happened to be well formed");
}
