// options::recovery_mode: what each mode drops, refuses or salvages, for a torn tail, damage in
// a closed log, damage inside a table, and a clean store. Every outcome is either the data, a
// reported drop, or a corruption error naming the file: never a wrong value.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/store_checks.hpp"
#include "storage_format/memtable/batch_format.hpp"
#include "storage_format/version/file_names.hpp"
#include "test_dir.hpp"

namespace storage = kepler::storage;
using kepler::ec;
using kepler::recovery_mode;
using kepler::test::count_present;
using kepler::test::fill_store;
using kepler::test::flip_byte;
using kepler::test::has_code;
using kepler::test::key_of;
using kepler::test::outcome;
using kepler::test::temp_dir;
using kepler::test::value_of;
using kepler::test::with_suffix;

namespace {

const recovery_mode all_modes[] = {recovery_mode::point_in_time, recovery_mode::tolerate_tail,
                                   recovery_mode::absolute, recovery_mode::salvage};

std::string name_of(recovery_mode m) {
  switch (m) {
    case recovery_mode::point_in_time:
      return "point_in_time";
    case recovery_mode::tolerate_tail:
      return "tolerate_tail";
    case recovery_mode::absolute:
      return "absolute";
    case recovery_mode::salvage:
      return "salvage";
  }
  return "?";
}

caf::expected<std::unique_ptr<kepler::db>> open_in(const std::string& dir, recovery_mode m) {
  kepler::options opts;
  opts.create_if_missing = false;
  opts.recovery_mode = m;
  return kepler::db::open(dir, opts);
}

// A store whose newest log (never closed: 000100.log, after the store's own) holds `n`
// one-key batches key_of(i) -> value_of(i), as a killed writer leaves it.
std::string store_with_open_log(const std::string& dir, int n) {
  fill_store(dir, 0);
  std::vector<std::string> records;
  for (int i = 0; i < n; ++i) {
    auto rep = storage::batch::make_empty();
    storage::batch::add_put(&rep, key_of(i), value_of(i));
    storage::batch::set_sequence(&rep, 1 + i);
    records.push_back(rep);
  }
  const auto log = storage::log_file_name(100);
  kepler::test::write_log(dir, log, records);
  return dir + "/" + log;
}

// Copies `from` to a fresh directory `to` (each mode opens its own copy: an open rewrites).
void copy_store(const std::string& from, const std::string& to) {
  std::filesystem::create_directories(to);
  for (auto& e : std::filesystem::directory_iterator(from))
    if (e.path().filename() != "LOCK")
      std::filesystem::copy_file(e.path(), to + "/" + e.path().filename().string());
}

// Opens a copy of `dir` in each mode and checks it opened or refused with corruption as
// `opens` says; an open store holds a prefix of key_of(i) with the right values. Returns, per
// mode, how many of the n keys came back.
std::vector<int> each_mode(const std::string& dir, int n, std::vector<bool> opens) {
  std::vector<int> kept;
  for (std::size_t m = 0; m < 4; ++m) {
    temp_dir copy("kepler-mode-copy");
    copy_store(dir, copy.path());
    auto store = open_in(copy.path(), all_modes[m]);
    CAPTURE(name_of(all_modes[m]));
    CHECK_MESSAGE(bool(store) == opens[m], outcome(store));
    if (!store) {
      CHECK(has_code(store.error(), ec::corruption));
      kept.push_back(-1);
      continue;
    }
    int prefix = 0;
    while (prefix < n && (*store)->get(key_of(prefix)).value() == value_of(prefix)) ++prefix;
    int wrong = 0, after = 0;
    for (int i = 0; i < n; ++i) {
      auto v = (*store)->get(key_of(i)).value();
      if (v && *v != value_of(i)) ++wrong;
      if (i >= prefix && v) ++after;
    }
    CHECK(wrong == 0);
    // Only salvage may keep records after a damaged one.
    if (all_modes[m] != recovery_mode::salvage) CHECK(after == 0);
    const auto& report = (*store)->recovery();
    MESSAGE(name_of(all_modes[m]) << ": kept " << prefix + after << " of " << n << ", dropped "
                                  << report.torn_tail_bytes << " bytes, " << report.dropped_records
                                  << " records, " << report.damage.size() << " damage lines");
    kept.push_back(prefix + after);
  }
  return kept;
}

}  // namespace

TEST_CASE("a cleanly closed store opens in every recovery mode with nothing to report") {
  temp_dir dir;
  fill_store(dir.path(), 200);
  for (auto m : all_modes) {
    auto store = open_in(dir.path(), m);
    REQUIRE_MESSAGE(store, name_of(m) << ": " << outcome(store));
    CHECK(count_present(**store, 200) == 200);
    CHECK((*store)->recovery().torn_tail_bytes == 0);
    CHECK((*store)->recovery().damage.empty());
    REQUIRE((*store)->close());
  }
}

TEST_CASE("an incomplete last record of the newest log is dropped except in absolute mode") {
  temp_dir dir;
  auto log = store_with_open_log(dir.path(), 50);
  std::filesystem::resize_file(log, std::filesystem::file_size(log) - 3);
  auto kept = each_mode(dir.path(), 50, {true, true, false, true});
  CHECK(kept[0] == 49);
  CHECK(kept[1] == 49);
  CHECK(kept[3] == 49);
}

TEST_CASE("a damaged last record of the newest log is a torn tail only to point_in_time") {
  temp_dir dir;
  auto log = store_with_open_log(dir.path(), 50);
  // A flipped byte inside the last record: its checksum fails, nothing valid follows.
  flip_byte(log, std::filesystem::file_size(log) - 10);
  auto kept = each_mode(dir.path(), 50, {true, false, false, true});
  CHECK(kept[0] == 49);
  CHECK(kept[3] == 49);
}

TEST_CASE("damage in a closed log refuses the open in every mode but salvage") {
  temp_dir dir;
  constexpr int n = 2000;  // about 250 KiB of log: eight 32 KiB blocks
  fill_store(dir.path(), n);
  auto logs = with_suffix(dir.path(), ".log");
  REQUIRE(logs.size() == 1);
  const auto log = dir.file(logs[0]);
  REQUIRE(std::filesystem::file_size(log) > 100000);
  flip_byte(log, 40000);  // inside the second block: records on both sides survive
  auto kept = each_mode(dir.path(), n, {false, false, false, true});
  // Salvage loses the damaged block's records and keeps the ones on both sides of it.
  CHECK(kept[3] > 0);
  CHECK(kept[3] < n);
  temp_dir copy("kepler-mode-salvaged");
  copy_store(dir.path(), copy.path());
  auto store = open_in(copy.path(), recovery_mode::salvage);
  REQUIRE(store);
  CHECK((*store)->get(key_of(n - 1)).value() == value_of(n - 1));  // after the damage
  CHECK((*store)->get(key_of(0)).value() == value_of(0));          // before it
  REQUIRE_FALSE((*store)->recovery().damage.empty());
  CHECK((*store)->recovery().damage[0].find(logs[0]) != std::string::npos);
  REQUIRE((*store)->close());
  // What salvage saved is a sound store: it opens again even in absolute mode.
  auto again = open_in(copy.path(), recovery_mode::absolute);
  REQUIRE_MESSAGE(again, outcome(again));
  CHECK((*again)->recovery().damage.empty());
}

TEST_CASE("salvage rewrites a table with a damaged block and drops a missing one") {
  temp_dir dir;
  constexpr int n = 3000;
  kepler::options opts;
  opts.compression = kepler::compression_type::none;
  opts.memtable_bytes = 64 * 1024;
  opts.target_file_size = 64 * 1024;
  {
    auto store = kepler::db::open(dir.path(), opts);
    REQUIRE(store);
    for (int i = 0; i < n; ++i) REQUIRE((*store)->insert(key_of(i), value_of(i)));
    REQUIRE((*store)->compact_range(std::nullopt, std::nullopt));
    REQUIRE((*store)->close());
  }
  auto tables = with_suffix(dir.path(), ".sst");
  REQUIRE(tables.size() >= 2);
  flip_byte(dir.file(tables[0]), 100);  // inside the first data block

  // The default mode opens (tables are checked as they are read) and a read of the damaged
  // block is a corruption error naming the table: never a wrong value.
  {
    temp_dir copy("kepler-table-default");
    copy_store(dir.path(), copy.path());
    auto store = open_in(copy.path(), recovery_mode::point_in_time);
    REQUIRE(store);
    int errors = 0, right = 0, wrong = 0;
    for (int i = 0; i < n; ++i) {
      auto v = (*store)->get(key_of(i));
      if (!v) {
        ++errors;
        CHECK(has_code(v.error(), ec::corruption));
        CHECK(kepler::to_string(v.error()).find(tables[0]) != std::string::npos);
      } else if (*v == value_of(i)) {
        ++right;
      } else {
        ++wrong;
      }
    }
    MESSAGE("point_in_time reads: " << right << " right, " << errors << " corruption errors, "
                                    << wrong << " wrong");
    CHECK(errors > 0);
    CHECK(wrong == 0);
  }

  std::filesystem::remove(dir.file(tables.back()));
  temp_dir copy("kepler-table-salvage");
  copy_store(dir.path(), copy.path());
  auto store = open_in(copy.path(), recovery_mode::salvage);
  REQUIRE_MESSAGE(store, outcome(store));
  const auto& damage = (*store)->recovery().damage;
  std::string all;
  for (const auto& d : damage) all += d + "\n";
  MESSAGE("salvage reported:\n" << all);
  CHECK(all.find(tables[0] + ": rewritten as") != std::string::npos);
  CHECK(all.find("block skipped") != std::string::npos);
  CHECK(all.find(tables.back() + ": missing") != std::string::npos);
  int right = 0, wrong = 0, errors = 0;
  for (int i = 0; i < n; ++i) {
    auto v = (*store)->get(key_of(i));
    if (!v)
      ++errors;
    else if (*v == value_of(i))
      ++right;
    else if (*v)
      ++wrong;
  }
  MESSAGE("after salvage: " << right << " of " << n << " right, " << errors << " errors, " << wrong
                            << " wrong");
  CHECK(errors == 0);
  CHECK(wrong == 0);
  CHECK(right > 0);
  CHECK(right < n);
  REQUIRE((*store)->close());
  auto again = open_in(copy.path(), recovery_mode::absolute);
  REQUIRE_MESSAGE(again, outcome(again));
  CHECK(count_present(**again, n) == right);
}

TEST_CASE("salvage cannot be read_only") {
  temp_dir dir;
  fill_store(dir.path(), 1);
  kepler::options opts;
  opts.read_only = true;
  opts.recovery_mode = recovery_mode::salvage;
  auto store = kepler::db::open(dir.path(), opts);
  REQUIRE_FALSE(store);
  CHECK(has_code(store.error(), ec::invalid_argument));
}
