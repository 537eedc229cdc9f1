// The LSM tree through the public API: sealed memtables become table files, reads find every
// key wherever it lives, the logs that a flush made obsolete go, back-pressure holds writes
// rather than memory, a failed flush fails writes without losing anything, and a read-only open
// writes nothing.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/src/open_with_file_system.hpp"
#include "fault_file_system.hpp"
#include "kepler/db.hpp"
#include "test_dir.hpp"

using kepler::ec;
using kepler::test::fault_file_system;
using kepler::test::op_faults;
using kepler::test::temp_dir;
namespace fs = std::filesystem;

namespace {

bool has_code(const caf::error& err, ec code) {
  return err.category() == caf::atom("kepler") && err.code() == static_cast<uint8_t>(code);
}

// 16-byte keys and 100-byte values, as db_bench writes them.
std::string key_of(std::uint64_t i) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llu", static_cast<unsigned long long>(i));
  return buf;
}

std::string value_of(std::uint64_t i, int version = 0) {
  std::string v = "v" + std::to_string(version) + ":" + std::to_string(i) + ":";
  v.resize(100, static_cast<char>('a' + i % 26));
  return v;
}

struct dir_files {
  std::vector<std::string> logs, tables, manifests, others;
  std::uint64_t log_bytes = 0;
};

dir_files files_in(const std::string& dir) {
  dir_files f;
  for (auto& e : fs::directory_iterator(dir)) {
    auto name = e.path().filename().string();
    auto ext = e.path().extension().string();
    if (ext == ".log") {
      f.logs.push_back(name);
      f.log_bytes += fs::file_size(e.path());
    } else if (ext == ".sst") {
      f.tables.push_back(name);
    } else if (name.rfind("MANIFEST-", 0) == 0) {
      f.manifests.push_back(name);
    } else {
      f.others.push_back(name);
    }
  }
  return f;
}

std::unique_ptr<kepler::db> open_ok(const std::string& dir, kepler::options opts = {}) {
  auto store = kepler::db::open(dir, opts);
  REQUIRE_MESSAGE(store, kepler::to_string(store.error()));
  return std::move(*store);
}

// Inserts key_of(i) -> value_of(i) for i < n.
void insert_keys(kepler::db& store, int n) {
  for (int i = 0; i < n; ++i)
    REQUIRE(store.insert(key_of(static_cast<std::uint64_t>(i)),
                         value_of(static_cast<std::uint64_t>(i))));
}

// Of key_of(i) -> value_of(i) for every `step`-th i < n, how many the store holds.
int keys_present(kepler::db& store, int n, int step) {
  int present = 0;
  for (int i = 0; i < n; i += step) {
    auto v = store.get(key_of(static_cast<std::uint64_t>(i)));
    REQUIRE_MESSAGE(v, kepler::to_string(v.error()));
    if (v->value_or("") == value_of(static_cast<std::uint64_t>(i))) ++present;
  }
  return present;
}

int keys_checked(int n, int step) {
  return (n + step - 1) / step;
}

kepler::options small_memtable() {
  kepler::options opts;
  opts.memtable_bytes = 64 * 1024;
  return opts;
}

}  // namespace

TEST_CASE("a million inserts become table files, leave few logs, and all read back") {
  temp_dir dir;
  constexpr std::uint64_t n = 1000000;
  kepler::options opts;  // 4 MiB memtable, two sealed at most
  {
    auto store = open_ok(dir.path(), opts);
    for (std::uint64_t i = 0; i < n; ++i)
      REQUIRE((*store).insert(key_of(i * 7919 % n), value_of(i * 7919 % n)));
  }
  auto files = files_in(dir.path());
  MESSAGE("after " << n << " inserts and close: " << files.tables.size() << " table files, "
                   << files.logs.size() << " logs holding " << files.log_bytes << " bytes");
  CHECK(files.tables.size() > 0);
  CHECK(files.logs.size() <= opts.max_sealed_memtables + 1);
  // A log holds one memtable's worth, plus the one group that crossed the line.
  CHECK(files.log_bytes <= (opts.max_sealed_memtables + 1) * (opts.memtable_bytes + (1 << 20)));
  auto start = std::chrono::steady_clock::now();
  auto store = open_ok(dir.path(), opts);
  auto reopen_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  std::printf("flush test: 1M keys, %zu tables, %zu logs (%llu bytes); reopen took %lld ms\n",
              files.tables.size(), files.logs.size(),
              static_cast<unsigned long long>(files.log_bytes), static_cast<long long>(reopen_ms));
  MESSAGE("reopen took " << reopen_ms << " ms");
  std::uint64_t found = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    auto v = store->get(key_of(i));
    REQUIRE_MESSAGE(v, kepler::to_string(v.error()));
    if (*v == value_of(i)) ++found;
  }
  CHECK(found == n);
  CHECK_FALSE(store->get(key_of(n))->has_value());
}

TEST_CASE("reads find the newest version in the memtable, sealed memtables and table files") {
  temp_dir dir;
  std::map<std::string, std::optional<std::string>> model;
  constexpr int keys = 3000;
  // No compaction: the reads must meet several level-0 tables.
  auto opts = small_memtable();
  opts.l0_compaction_trigger = opts.l0_slowdown_trigger = opts.l0_stop_trigger = 1000;
  {
    auto store = open_ok(dir.path(), opts);
    for (int round = 0; round < 4; ++round)
      for (int i = 0; i < keys; ++i) {
        auto k = key_of(static_cast<std::uint64_t>(i));
        if ((i + round) % 7 == 0) {
          REQUIRE(store->remove(k));
          model[k] = std::nullopt;
        } else {
          REQUIRE(store->insert(k, value_of(static_cast<std::uint64_t>(i), round)));
          model[k] = value_of(static_cast<std::uint64_t>(i), round);
        }
        // Reads in between see every acknowledged write, wherever it is now.
        if (i % 97 == 0)
          for (int j = 0; j <= i; j += 13) {
            auto kj = key_of(static_cast<std::uint64_t>(j));
            REQUIRE(*store->get(kj) == model[kj]);
          }
      }
    for (auto& [k, v] : model) CHECK(*store->get(k) == v);
  }
  auto files = files_in(dir.path());
  MESSAGE(files.tables.size() << " table files after 4 rounds over " << keys << " keys");
  CHECK(files.tables.size() >= 4);
  auto store = open_ok(dir.path(), small_memtable());
  int checked = 0;
  for (auto& [k, v] : model) {
    CHECK(*store->get(k) == v);
    ++checked;
  }
  MESSAGE("checked " << checked << " keys after reopen");
}

TEST_CASE("a store with one open table file at a time still reads every key") {
  temp_dir dir;
  auto opts = small_memtable();
  opts.max_open_files = 1;
  constexpr int keys = 4000;
  auto store = open_ok(dir.path(), opts);
  insert_keys(*store, keys);
  REQUIRE(store->close());
  auto reopened = open_ok(dir.path(), opts);
  REQUIRE(files_in(dir.path()).tables.size() > 2);
  CHECK(keys_present(*reopened, keys, 3) == keys_checked(keys, 3));
}

TEST_CASE("writes wait for a slow flush instead of piling up memtables or failing") {
  temp_dir dir;
  fault_file_system slow(kepler::storage::file_system::posix());
  slow.appends.only_files_ending(".sst");
  slow.appends.delay(std::chrono::microseconds(2000));
  auto opts = small_memtable();
  opts.max_sealed_memtables = 1;
  auto store = kepler::detail::open_with_file_system(slow, nullptr, dir.path(), opts);
  REQUIRE_MESSAGE(store, kepler::to_string(store.error()));
  std::size_t most_logs = 0;
  constexpr int n = 6000;
  for (int i = 0; i < n; ++i) {
    REQUIRE((*store)->insert(key_of(static_cast<std::uint64_t>(i)),
                             value_of(static_cast<std::uint64_t>(i))));
    if (i % 200 == 0) most_logs = std::max(most_logs, files_in(dir.path()).logs.size());
  }
  MESSAGE("most logs seen while writing: " << most_logs << " (max_sealed_memtables 1)");
  // The active log, the sealed one, and a new one the writer may have started just now.
  CHECK(most_logs <= opts.max_sealed_memtables + 2);
  CHECK(keys_present(**store, n, 11) == keys_checked(n, 11));
}

TEST_CASE("a failed flush makes writes fail, keeps reads working and deletes nothing") {
  temp_dir dir;
  fault_file_system faulty(kepler::storage::file_system::posix());
  faulty.syncs.only_files_ending(".sst");
  faulty.syncs.fail_nth(1, op_faults::repeat::from_then_on);
  auto store = kepler::detail::open_with_file_system(faulty, nullptr, dir.path(), small_memtable());
  REQUIRE_MESSAGE(store, kepler::to_string(store.error()));
  int acked = 0;
  caf::error failure;
  for (int i = 0; i < 20000; ++i) {
    auto r = (*store)->insert(key_of(static_cast<std::uint64_t>(i)),
                              value_of(static_cast<std::uint64_t>(i)));
    if (!r) {
      failure = r.error();
      break;
    }
    ++acked;
  }
  REQUIRE(failure);
  CHECK(has_code(failure, ec::write_failed));
  MESSAGE("acknowledged before the failed flush stopped writes: " << acked << "; "
                                                                  << kepler::to_string(failure));
  auto logs_then = files_in(dir.path()).logs;
  CHECK(keys_present(**store, acked, 7) == keys_checked(acked, 7));
  (*store)->close();
  // Every log is still there, and a normal open brings back every acknowledged write.
  auto logs_now = files_in(dir.path()).logs;
  for (auto& l : logs_then) CHECK(std::find(logs_now.begin(), logs_now.end(), l) != logs_now.end());
  auto reopened = open_ok(dir.path());
  int found = 0;
  for (int i = 0; i < acked; ++i)
    if (reopened->get(key_of(static_cast<std::uint64_t>(i)))->value_or("") ==
        value_of(static_cast<std::uint64_t>(i)))
      ++found;
  CHECK(found == acked);
}

TEST_CASE("a half-written table file is never part of the store and goes at the next open") {
  temp_dir dir;
  {
    auto store = open_ok(dir.path(), small_memtable());
    insert_keys(*store, 3000);
  }
  auto tables = files_in(dir.path()).tables;
  REQUIRE_FALSE(tables.empty());
  // What a flush killed halfway leaves: a table file that no MANIFEST edit names, with a number
  // above every other, cut short.
  auto orphan = dir.file("009999.sst");
  fs::copy_file(dir.file(tables.front()), orphan);
  fs::resize_file(orphan, fs::file_size(orphan) / 2);
  auto store = open_ok(dir.path(), small_memtable());
  CHECK_FALSE(fs::exists(orphan));
  CHECK(keys_present(*store, 3000, 5) == keys_checked(3000, 5));
}

TEST_CASE("a MANIFEST that names a missing table file is corruption naming the file") {
  temp_dir dir;
  {
    auto store = open_ok(dir.path(), small_memtable());
    insert_keys(*store, 3000);
  }
  auto tables = files_in(dir.path()).tables;
  REQUIRE_FALSE(tables.empty());
  fs::remove(dir.file(tables.front()));
  auto before = files_in(dir.path());
  auto store = kepler::db::open(dir.path());
  REQUIRE_FALSE(store);
  CHECK(has_code(store.error(), ec::corruption));
  CHECK(kepler::to_string(store.error()).find(tables.front()) != std::string::npos);
  MESSAGE(kepler::to_string(store.error()));
  // Nothing was changed: not a fresh store over the data.
  auto after = files_in(dir.path());
  CHECK(after.logs == before.logs);
  CHECK(after.manifests == before.manifests);
}

TEST_CASE("a missing CURRENT beside store files is corruption, never a fresh empty store") {
  temp_dir dir;
  {
    auto store = open_ok(dir.path());
    REQUIRE(store->insert("k", "v"));
  }
  fs::remove(dir.file("CURRENT"));
  auto store = kepler::db::open(dir.path());
  REQUIRE_FALSE(store);
  CHECK(has_code(store.error(), ec::corruption));
  MESSAGE(kepler::to_string(store.error()));
  CHECK_FALSE(fs::exists(dir.file("CURRENT")));
}

TEST_CASE("damage in a closed log is corruption, not a torn tail") {
  temp_dir dir;
  {
    auto store = open_ok(dir.path());
    insert_keys(*store, 500);
  }
  // close() recorded the log's final length: cutting it short is damage to synced data.
  auto logs = files_in(dir.path()).logs;
  std::string victim;
  for (auto& l : logs)
    if (fs::file_size(dir.file(l)) > 0) victim = l;
  REQUIRE_FALSE(victim.empty());
  fs::resize_file(dir.file(victim), fs::file_size(dir.file(victim)) - 10);
  auto store = kepler::db::open(dir.path());
  REQUIRE_FALSE(store);
  CHECK(has_code(store.error(), ec::corruption));
  CHECK(kepler::to_string(store.error()).find(victim) != std::string::npos);
  MESSAGE(kepler::to_string(store.error()));
}

TEST_CASE("a read-only open writes nothing, reads the logs and refuses writes") {
  temp_dir dir;
  {
    auto store = open_ok(dir.path(), small_memtable());
    insert_keys(*store, 2000);
  }
  auto listing = [&] {
    std::map<std::string, std::uintmax_t> sizes;
    for (auto& e : fs::directory_iterator(dir.path()))
      if (e.path().filename() != "LOCK") sizes[e.path().filename().string()] = fs::file_size(e);
    return sizes;
  };
  auto before = listing();
  {
    auto opts = small_memtable();
    opts.read_only = true;
    auto store = open_ok(dir.path(), opts);
    CHECK(keys_present(*store, 2000, 3) == keys_checked(2000, 3));
    auto refused = store->insert("x", "y");
    REQUIRE_FALSE(refused);
    CHECK(has_code(refused.error(), ec::read_only));
    kepler::write_batch empty;
    CHECK_FALSE(store->write(empty, kepler::write_options{true}));
    REQUIRE(store->close());
  }
  CHECK(listing() == before);
  // A read-only open of a directory that is not a store creates nothing.
  temp_dir missing;
  kepler::options ro;
  ro.read_only = true;
  auto none = kepler::db::open(missing.path(), ro);
  REQUIRE_FALSE(none);
  CHECK(has_code(none.error(), ec::not_a_store));
  CHECK_FALSE(fs::exists(missing.path()));
}
