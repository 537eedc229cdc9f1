// A store whose setting of options::compression changes between opens: its table files mix
// codecs (every block records its own), every key reads back, and a compaction rewrites what it
// merges with the setting of the open that runs it.

#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <string>

#include "engine/store_checks.hpp"
#include "kepler/db.hpp"
#include "storage_format/table/table_test_util.hpp"
#include "test_dir.hpp"

using kepler::compression_type;
using kepler::test::open_ok;
using kepler::test::temp_dir;

namespace {

constexpr int keys = 6000;

// 100 bytes that every codec shrinks: the key's number, then a run of one letter.
std::string value_for(int i, int session) {
  std::string v = "s" + std::to_string(session) + ":" + std::to_string(i) + ":";
  v.resize(100, static_cast<char>('a' + (i + session) % 26));
  return v;
}

// The session that last wrote key i: 0 wrote every key, 1 every even one, 2 every third.
int last_session(int i) {
  return i % 3 == 0 ? 2 : i % 2 == 0 ? 1 : 0;
}

kepler::options opts_with(compression_type c) {
  kepler::options o;
  o.compression = c;
  o.memtable_bytes = 64 * 1024;  // many flushes per session
  // No compaction on its own: the files keep the codec they were written with until
  // compact_range.
  o.l0_compaction_trigger = 1000;
  o.l0_slowdown_trigger = 1000;
  o.l0_stop_trigger = 1000;
  return o;
}

// Table files of the store by the codec of their first data block ("none" when stored raw).
std::map<std::string, int> tables_by_codec(const std::string& dir) {
  std::map<std::string, int> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".sst") continue;
    const std::string table = kepler::test::read_text(entry.path().string());
    const auto handles = kepler::test::data_block_handles(table);
    if (handles.empty()) continue;
    const auto kind_byte = static_cast<std::uint8_t>(table[handles[0].offset + handles[0].size]);
    const auto codec = static_cast<kepler::storage::block_codec>(
        kind_byte >> kepler::storage::trailer_codec_shift);
    ++out[kepler::storage::to_string(codec)];
  }
  return out;
}

std::string describe(const std::map<std::string, int>& m) {
  std::string out;
  for (const auto& [codec, n] : m)
    out += (out.empty() ? "" : ", ") + codec + " " + std::to_string(n);
  return out;
}

int count_correct(kepler::db& store) {
  int correct = 0;
  for (int i = 0; i < keys; ++i) {
    auto v = store.get(kepler::test::key_of(i));
    REQUIRE(v);
    if (*v == std::optional<std::string>(value_for(i, last_session(i)))) ++correct;
  }
  auto it = store.new_iterator();
  REQUIRE(it);
  int scanned = 0;
  for ((*it)->seek_to_first(); (*it)->valid(); (*it)->next()) ++scanned;
  REQUIRE((*it)->status());
  CHECK(scanned == keys);
  return correct;
}

}  // namespace

TEST_CASE("a store whose files mix codecs opens, reads and compacts into the current codec") {
  temp_dir dir;
  const compression_type sessions[] = {compression_type::none, compression_type::lz4,
                                       compression_type::zstd};
  for (int session = 0; session < 3; ++session) {
    auto store = open_ok(dir.path(), opts_with(sessions[session]));
    for (int i = 0; i < keys; ++i) {
      if (last_session(i) >= session && (session == 0 || i % (session + 1) == 0)) {
        REQUIRE(store->insert(kepler::test::key_of(i), value_for(i, session)));
      }
    }
    REQUIRE(store->close());
  }
  const auto mixed = tables_by_codec(dir.path());
  const auto bytes_mixed = kepler::test::bytes_on_disk(dir.path());
  MESSAGE("after three opens (none, lz4, zstd): tables by codec: " << describe(mixed) << "; "
                                                                   << bytes_mixed << " bytes");
  CHECK(mixed.count("none") == 1);
  CHECK(mixed.count("lz4") == 1);
  CHECK(mixed.count("zstd") == 1);

  // Reopened under each setting, the mixed store reads every key.
  for (compression_type c : sessions) {
    auto store = open_ok(dir.path(), opts_with(c));
    CHECK(count_correct(*store) == keys);
    REQUIRE(store->close());
  }

  // A compaction under lz4 rewrites every table with lz4.
  auto store = open_ok(dir.path(), opts_with(compression_type::lz4));
  REQUIRE(store->compact_range(std::nullopt, std::nullopt));
  CHECK(count_correct(*store) == keys);
  REQUIRE(store->close());
  const auto compacted = tables_by_codec(dir.path());
  const auto bytes_compacted = kepler::test::bytes_on_disk(dir.path());
  MESSAGE("after compact_range under lz4: tables by codec: " << describe(compacted) << "; "
                                                             << bytes_compacted << " bytes");
  CHECK(compacted.size() == 1);
  CHECK(compacted.count("lz4") == 1);

  auto reopened = open_ok(dir.path(), opts_with(compression_type::none));
  CHECK(count_correct(*reopened) == keys);
}

TEST_CASE("a zstd level outside libzstd's range is refused at open") {
  temp_dir dir;
  kepler::options o;
  o.compression = compression_type::zstd;
  o.zstd_level = 1000;
  auto store = kepler::db::open(dir.path(), o);
  REQUIRE_FALSE(store);
  CHECK(kepler::test::has_code(store.error(), kepler::ec::invalid_argument));
  MESSAGE(kepler::to_string(store.error()));
}
