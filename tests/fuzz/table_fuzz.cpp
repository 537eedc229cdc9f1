// Fuzz target for the table reader (sst_format.md): the input is a whole table file. open reads
// the footer, properties, filter and index; then every entry is walked forwards (through a
// block cache, twice, so the second pass meets the cached blocks and builds their search
// indexes) and backwards (verifying nothing, without the cache), every data block is verified,
// and a few keys are looked up and sought. The file is read as it is and, when that changes it,
// once more with its footer and block CRCs repaired (fuzz_support.hpp), so mutated handles,
// properties, filters, indexes and blocks reach their decoders. Any outcome but ok, corruption
// or (for a footer's newer version) not_supported, a crash, a hang, an over-read (ASan) or a
// large allocation is a finding.
//
//   kepler_fuzz_table -max_len=16384 -malloc_limit_mb=256 NEW_DIR tests/fuzz/corpus/table

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/table/block_cache.hpp"
#include "storage_format/table/table_reader.hpp"
#include "string_files.hpp"

namespace {

using namespace kepler::storage;
using kepler::fuzz::expect_ok_or_corruption;

// No sound table of the corpus's sizes holds more; a walk beyond it is a loop.
constexpr std::size_t max_steps = 1 << 20;

// Walks every entry forwards; returns up to a few of their keys.
std::vector<std::string> walk_forward(const table_reader& t, const read_options& ro) {
  std::vector<std::string> keys;
  auto it = t.new_iterator(ro);
  std::size_t steps = 0;
  for (it->seek_to_first(); it->valid(); it->next()) {
    if (++steps > max_steps) std::abort();
    if (keys.size() < 4 || steps % 64 == 0) keys.emplace_back(it->key());
  }
  expect_ok_or_corruption(it->state());
  return keys;
}

void walk_backward(const table_reader& t, const read_options& ro) {
  auto it = t.new_iterator(ro);
  std::size_t steps = 0;
  for (it->seek_to_last(); it->valid(); it->prev())
    if (++steps > max_steps) std::abort();
  expect_ok_or_corruption(it->state());
}

void look_up(const table_reader& t, const read_options& ro, std::string_view internal_key) {
  if (internal_key.size() < 8) return;
  table_lookup found = table_lookup::absent;
  std::string value;
  expect_ok_or_corruption(t.get(ro, internal_key, &found, &value));
  // The same user key as of the newest sequence, as a read does.
  std::string newest(internal_key.substr(0, internal_key.size() - 8));
  const std::string user_key = newest;
  newest.clear();
  append_internal_key(&newest, user_key, max_sequence_number, value_type_for_seek);
  expect_ok_or_corruption(t.get(ro, newest, &found, &value));
  (void)t.may_contain(user_key);
  (void)t.approximate_offset(newest);
  auto it = t.new_iterator(ro);
  it->seek(internal_key);
  for (int i = 0; i < 3 && it->valid(); ++i) it->next();
  expect_ok_or_corruption(it->state());
}

void read_table(const std::string& bytes) {
  block_cache cache(1 << 20, 0);
  std::unique_ptr<table_reader> t;
  const status opened = table_reader::open(
      std::make_unique<kepler::test::string_readable>(bytes, UINT64_MAX, UINT64_MAX, "fuzz.sst"),
      &cache, &t);
  expect_ok_or_corruption(opened, status_code::not_supported);
  if (!opened.is_ok()) return;
  if (t->file_size() != bytes.size()) std::abort();

  read_options cached;  // verified, filling the cache
  auto keys = walk_forward(*t, cached);
  walk_forward(*t, cached);  // from the cache: every block now looked up a second time
  read_options raw;
  raw.verify_checksums = false;
  raw.fill_cache = false;
  walk_backward(*t, raw);

  for (std::size_t i = 0; i < t->data_blocks(); ++i) {
    std::uint64_t raw_bytes = 0, entries = 0;
    expect_ok_or_corruption(t->verify_data_block(i, &raw_bytes, &entries));
    std::uint8_t kind = 0;
    expect_ok_or_corruption(t->data_block_kind_byte(i, &kind));
    (void)t->data_block_separator(i);
  }
  keys.push_back(t->properties().smallest_key);
  keys.push_back(t->properties().largest_key);
  keys.push_back(std::string(8, '\0'));
  keys.push_back(std::string("zzzz") + std::string(8, '\xff'));
  for (const auto& k : keys) {
    look_up(*t, cached, k);
    look_up(*t, raw, k);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  read_table(bytes);
  if (kepler::fuzz::repair_table_checksums(&bytes)) read_table(bytes);
  return 0;
}
