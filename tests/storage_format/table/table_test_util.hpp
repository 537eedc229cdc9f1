#pragma once
// Shared by the table tests: tables kept in strings (so damage is one assignment away), and the
// small helpers that build internal keys and whole tables.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/table/block.hpp"
#include "storage_format/table/table_builder.hpp"
#include "storage_format/table/table_format.hpp"
#include "storage_format/table/table_reader.hpp"
#include "string_files.hpp"

namespace kepler::test {

using storage::status;

inline std::string ikey(std::string_view user_key, storage::sequence_number seq,
                        storage::value_type type = storage::value_type::value) {
  std::string out;
  storage::append_internal_key(&out, user_key, seq, type);
  return out;
}

/// The key a lookup "as of `seq`" seeks to.
inline std::string lookup_key(std::string_view user_key, storage::sequence_number seq) {
  return ikey(user_key, seq, storage::value_type_for_seek);
}

using entry_list = std::vector<std::pair<std::string, std::string>>;

/// A table of `entries` (internal keys, in order) as bytes.
inline std::string build_table(const entry_list& entries, const storage::table_options& options) {
  std::string data;
  string_writable file(&data);
  storage::table_builder builder(options, &file);
  for (const auto& [k, v] : entries) REQUIRE(builder.add(k, v).is_ok());
  REQUIRE(builder.finish().is_ok());
  CHECK(file.syncs == 1);
  CHECK(builder.file_size() == data.size());
  return data;
}

inline status open_table(std::string data, storage::block_cache* cache,
                         std::unique_ptr<storage::table_reader>* out) {
  return storage::table_reader::open(std::make_unique<string_readable>(std::move(data)), cache,
                                     out);
}

/// The handles of a sound table's data blocks, in file order, read from its index.
inline std::vector<storage::block_handle> data_block_handles(const std::string& table) {
  using namespace kepler::storage;
  const std::uint64_t data_end = table.size() - footer_bytes;
  footer f;
  REQUIRE(footer::decode(std::string_view(table).substr(data_end), "t", data_end, &f).is_ok());
  string_readable file(table);
  std::string contents;
  REQUIRE(read_block(file, f.index, block_kind::index, true, data_end, &contents).is_ok());
  block index;
  REQUIRE(block::parse(std::move(contents), &index).is_ok());
  std::vector<block_handle> out;
  block::iterator it(&index);
  for (it.seek_to_first(); it.valid(); it.next()) {
    std::string_view v = it.value();
    block_handle h;
    REQUIRE(h.decode_from(&v));
    out.push_back(h);
  }
  REQUIRE(it.state().is_ok());
  return out;
}

}  // namespace kepler::test
