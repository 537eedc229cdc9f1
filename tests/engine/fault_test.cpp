// Failures and damage: a failed write or sync makes the store's error sticky without losing
// acknowledged writes; damage in the log is reported, a torn tail is not.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "api/src/open_with_file_system.hpp"
#include "engine/store_checks.hpp"
#include "fault_file_system.hpp"
#include "kepler/db.hpp"
#include "test_dir.hpp"

using kepler::ec;
using namespace kepler::test;
using kepler::test::fault_file_system;

namespace {

// The store's log files, oldest first.
std::vector<std::string> log_files(const std::string& dir) {
  std::vector<std::string> logs;
  for (auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".log") logs.push_back(entry.path().string());
  std::sort(logs.begin(), logs.end());
  return logs;
}

void check_all_present(const std::string& dir, int n) {
  auto store = kepler::db::open(dir);
  REQUIRE_MESSAGE(store, outcome(store));
  CHECK(count_present(**store, n) == n);
}

void run_failure_case(bool fail_sync) {
  temp_dir dir;
  fault_file_system fs(kepler::storage::file_system::posix());
  constexpr int acked = 500;
  {
    auto store = kepler::detail::open_with_file_system(fs, nullptr, dir.path(), {});
    REQUIRE_MESSAGE(store, kepler::to_string(store.error()));
    for (int i = 0; i < acked; ++i)
      REQUIRE((*store)->insert(key_of(i), value_of(i), kepler::write_options{i % 7 == 0}));
    if (fail_sync)
      fs.fail_syncs = true;
    else
      fs.fail_appends = true;
    auto failed = (*store)->insert("doomed", "x", kepler::write_options{true});
    REQUIRE_FALSE(failed);
    CHECK(has_code(failed.error(), ec::write_failed));
    CHECK(kepler::to_string(failed.error()).find("injected") != std::string::npos);
    // Sticky: later writes fail even when the file system recovers; nothing is retried
    // after a failure whose effect on the file is unknown.
    fs.fail_syncs = false;
    fs.fail_appends = false;
    auto later = (*store)->insert("later", "y");
    REQUIRE_FALSE(later);
    CHECK(has_code(later.error(), ec::write_failed));
    kepler::write_batch batch;
    batch.insert("b", "c");
    REQUIRE_FALSE((*store)->write(batch));
    // Reads keep working.
    auto v = (*store)->get(key_of(3));
    REQUIRE(v);
    CHECK(*v == value_of(3));
    CHECK((*store)->get("later")->has_value() == false);
  }
  // Reopening recovers every acknowledged write.
  check_all_present(dir.path(), acked);
}

}  // namespace

TEST_CASE("a failed log write makes writes fail until reopened, and loses nothing acknowledged") {
  run_failure_case(false);
}

TEST_CASE("a failed sync makes writes fail until reopened, and loses nothing acknowledged") {
  run_failure_case(true);
}

TEST_CASE("a torn log tail is the normal end of a crash: earlier writes are recovered") {
  temp_dir source;
  temp_dir dir;
  constexpr int n = 400;
  fill_store(source.path(), n);
  {
    auto store = kepler::db::open(source.path());
    REQUIRE(store);
    REQUIRE((*store)->insert("last", std::string(5000, 'z')));
    // What a kill -9 leaves: the files as the OS has them now, the newest log never closed.
    std::filesystem::create_directories(dir.path());
    for (auto& entry : std::filesystem::directory_iterator(source.path()))
      if (entry.path().filename() != "LOCK")
        std::filesystem::copy_file(entry.path(),
                                   std::filesystem::path(dir.path()) / entry.path().filename());
  }
  auto logs = log_files(dir.path());
  REQUIRE(!logs.empty());
  // Cut the newest log that holds data inside its last record.
  std::string victim;
  for (auto& l : logs)
    if (std::filesystem::file_size(l) > 0) victim = l;
  REQUIRE(!victim.empty());
  std::filesystem::resize_file(victim, std::filesystem::file_size(victim) - 2000);
  {
    auto store = kepler::db::open(dir.path());
    REQUIRE_MESSAGE(store, kepler::to_string(store.error()));
    CHECK_FALSE((*store)->get("last")->has_value());
    REQUIRE((*store)->insert("after", "crash"));
  }
  check_all_present(dir.path(), n);
}

TEST_CASE("damage before a log's tail is reported as corruption naming the file and offset") {
  temp_dir dir;
  // Enough to fill more than one 32 KiB block, so valid records follow the damage.
  fill_store(dir.path(), 1000);
  std::string victim;
  for (auto& l : log_files(dir.path()))
    if (std::filesystem::file_size(l) > 0) victim = l;
  REQUIRE(!victim.empty());
  {
    std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1000);
    char c = 0;
    f.read(&c, 1);
    f.seekp(1000);
    c = static_cast<char>(c ^ 0x5a);
    f.write(&c, 1);
  }
  auto size_before = std::filesystem::file_size(victim);
  auto store = kepler::db::open(dir.path());
  REQUIRE_FALSE(store);
  CHECK(has_code(store.error(), ec::corruption));
  auto text = kepler::to_string(store.error());
  CHECK(text.find(std::filesystem::path(victim).filename().string()) != std::string::npos);
  CHECK(text.find("offset") != std::string::npos);
  // Nothing was deleted or rewritten.
  CHECK(std::filesystem::file_size(victim) == size_before);
}

TEST_CASE("a log that cannot be read fails the open with an I/O error and loses nothing") {
  temp_dir dir;
  constexpr int n = 300;
  fill_store(dir.path(), n);
  fault_file_system fs(kepler::storage::file_system::posix());
  fs.fail_reads = true;
  auto store = kepler::detail::open_with_file_system(fs, nullptr, dir.path(), {});
  REQUIRE_FALSE(store);
  CHECK(has_code(store.error(), ec::io_error));
  CHECK(fs.failures > 0);
  // A read failure is not a torn tail: nothing was cut off, and a later open finds it all.
  check_all_present(dir.path(), n);
}

TEST_CASE("an empty synced batch syncs the log: every earlier write becomes durable") {
  temp_dir dir;
  fault_file_system fs(kepler::storage::file_system::posix());
  auto store = kepler::detail::open_with_file_system(fs, nullptr, dir.path(), {});
  REQUIRE_MESSAGE(store, kepler::to_string(store.error()));
  REQUIRE((*store)->insert("a", "1"));  // not synced
  kepler::write_batch empty;
  // No sync is owed while nothing synced is asked for: a plain empty batch does nothing.
  fs.fail_syncs = true;
  REQUIRE((*store)->write(empty));
  CHECK(fs.failures == 0);
  // Asked to sync, it syncs the log (here the sync fails, which proves it was attempted).
  auto synced = (*store)->write(empty, kepler::write_options{true});
  REQUIRE_FALSE(synced);
  CHECK(has_code(synced.error(), ec::write_failed));
  CHECK(fs.failures == 1);
  MESSAGE("syncs attempted by the empty synced batch: " << fs.failures.load());
}

TEST_CASE("an empty synced batch with nothing unsynced before it costs no sync") {
  temp_dir dir;
  fault_file_system fs(kepler::storage::file_system::posix());
  auto store = kepler::detail::open_with_file_system(fs, nullptr, dir.path(), {});
  REQUIRE_MESSAGE(store, kepler::to_string(store.error()));
  REQUIRE((*store)->insert("a", "1", kepler::write_options{true}));
  fs.fail_syncs = true;
  kepler::write_batch empty;
  REQUIRE((*store)->write(empty, kepler::write_options{true}));
  CHECK(fs.failures == 0);
}
