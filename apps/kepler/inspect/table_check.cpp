#include "inspect/table_check.hpp"

#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/table/table_format.hpp"
#include "storage_format/util/file_system.hpp"

namespace kepler::cli {

namespace st = kepler::storage;

st::status open_table(const std::string& path, std::unique_ptr<st::table_reader>* out) {
  std::unique_ptr<st::readable_file> file;
  KEPLER_RETURN_IF_ERROR(st::file_system::posix()->new_immutable_file(path, &file));
  return st::table_reader::open(std::move(file), nullptr, out);
}

namespace {

st::status damage_near(const st::table_reader& table, std::string_view key,
                       const std::string& what) {
  return st::status::corruption(table.path() + ": data block at offset " +
                                std::to_string(table.approximate_offset(key)) + ": " + what);
}

// The blocks each parse, but only a walk across them sees the order between blocks and what
// the properties promise about the whole table.
st::status check_entries(const st::table_reader& table, std::uint64_t entries) {
  const auto& props = table.properties();
  if (entries != props.entries)
    return st::status::corruption(table.path() + ": data blocks hold " + std::to_string(entries) +
                                  " entries, the properties say " + std::to_string(props.entries));
  st::read_options ro;
  ro.fill_cache = false;
  auto it = table.new_iterator(ro);
  std::string previous;
  bool first = true;
  for (it->seek_to_first(); it->valid(); it->next()) {
    const std::string_view key = it->key();
    st::parsed_internal_key parsed;
    if (!st::parse_internal_key(key, &parsed))
      return damage_near(table, key, "an entry with an unknown value type");
    if (first && key != props.smallest_key)
      return damage_near(table, key, "the first key is not the properties' smallest key");
    if (!first && st::compare_internal_keys(previous, key) >= 0)
      return damage_near(table, key, "keys out of order");
    previous.assign(key.data(), key.size());
    first = false;
  }
  if (!it->state()) return it->state();
  if (!first && previous != props.largest_key)
    return damage_near(table, previous, "the last key is not the properties' largest key");
  return st::status::ok();
}

}  // namespace

st::status verify_table(const st::table_reader& table, table_tally* tally) {
  std::uint64_t entries = 0;
  for (std::size_t i = 0; i < table.data_blocks(); ++i) {
    std::uint64_t raw = 0, n = 0;
    KEPLER_RETURN_IF_ERROR(table.verify_data_block(i, &raw, &n));
    ++tally->blocks;
    tally->stored_bytes += table.data_block_handle(i).size;
    tally->raw_bytes += raw;
    entries += n;
  }
  tally->entries += entries;
  if (table.data_blocks() == 0) {
    if (table.properties().entries != 0)
      return st::status::corruption(table.path() + ": no data blocks, the properties say " +
                                    std::to_string(table.properties().entries) + " entries");
    return st::status::ok();
  }
  return check_entries(table, entries);
}

}  // namespace kepler::cli
