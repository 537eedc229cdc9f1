// The public API: what a user of kepler::db can rely on.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "kepler/db.hpp"
#include "test_dir.hpp"

using kepler::ec;
using kepler::test::temp_dir;

namespace {

std::unique_ptr<kepler::db> open_ok(const std::string& dir, kepler::options opts = {}) {
  auto store = kepler::db::open(dir, opts);
  REQUIRE_MESSAGE(store, kepler::to_string(store.error()));
  return std::move(*store);
}

std::optional<std::string> get_ok(kepler::db& store, std::string_view key) {
  auto value = store.get(key);
  REQUIRE_MESSAGE(value, kepler::to_string(value.error()));
  return *value;
}

// Runs body(thread, i) for i in [0, per_thread) on each of `threads` threads at once; returns
// how many calls returned false.
template <class Body>
int run_threads(int threads, int per_thread, Body body) {
  std::vector<std::thread> workers;
  std::atomic<int> failures{0};
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i)
        if (!body(t, i)) ++failures;
    });
  for (auto& w : workers) w.join();
  return failures;
}

bool has_code(const caf::error& err, ec code) {
  return err.category() == caf::atom("kepler") && err.code() == static_cast<uint8_t>(code);
}

}  // namespace

TEST_CASE("an inserted value is read back, and a removed one is gone") {
  temp_dir dir;
  auto store = open_ok(dir.path());
  REQUIRE(store->insert("alpha", "1"));
  CHECK(get_ok(*store, "alpha") == "1");
  REQUIRE(store->insert("alpha", "2"));
  CHECK(get_ok(*store, "alpha") == "2");
  REQUIRE(store->remove("alpha"));
  CHECK(get_ok(*store, "alpha") == std::nullopt);
  CHECK(get_ok(*store, "never-written") == std::nullopt);
  REQUIRE(store->remove("never-written"));
}

TEST_CASE("the empty key and keys with NUL bytes are ordinary keys") {
  temp_dir dir;
  auto store = open_ok(dir.path());
  std::string nul_key("a\0b", 3);
  std::string other_nul_key("a\0c", 3);
  REQUIRE(store->insert("", "empty"));
  REQUIRE(store->insert(nul_key, std::string("v\0v", 3)));
  CHECK(get_ok(*store, "") == "empty");
  CHECK(get_ok(*store, nul_key) == std::string("v\0v", 3));
  CHECK(get_ok(*store, other_nul_key) == std::nullopt);
  CHECK(get_ok(*store, "a") == std::nullopt);
  REQUIRE(store->close());
  store = open_ok(dir.path());
  CHECK(get_ok(*store, "") == "empty");
  CHECK(get_ok(*store, nul_key) == std::string("v\0v", 3));
}

TEST_CASE("a batch applies all its entries in order") {
  temp_dir dir;
  auto store = open_ok(dir.path());
  REQUIRE(store->insert("gone", "x"));
  kepler::write_batch batch;
  batch.insert("a", "1");
  batch.insert("b", "2");
  batch.insert("a", "3");  // a later entry for a key wins
  batch.remove("gone");
  CHECK(batch.count() == 4);
  REQUIRE(store->write(batch));
  CHECK(get_ok(*store, "a") == "3");
  CHECK(get_ok(*store, "b") == "2");
  CHECK(get_ok(*store, "gone") == std::nullopt);
  batch.clear();
  CHECK(batch.count() == 0);
  CHECK(store->write(batch));  // an empty batch is a no-op
}

TEST_CASE("everything written comes back after close and reopen") {
  temp_dir dir;
  constexpr int n = 2000;
  {
    auto store = open_ok(dir.path());
    for (int i = 0; i < n; ++i) {
      kepler::write_options wo;
      wo.sync = i % 100 == 0;
      REQUIRE(store->insert("key" + std::to_string(i), std::string(i % 500, 'v')));
    }
    for (int i = 0; i < n; i += 3) REQUIRE(store->remove("key" + std::to_string(i)));
  }  // the destructor closes
  for (int round = 0; round < 2; ++round) {
    auto store = open_ok(dir.path());
    int found = 0;
    for (int i = 0; i < n; ++i) {
      auto v = get_ok(*store, "key" + std::to_string(i));
      if (i % 3 == 0) {
        CHECK(v == std::nullopt);
      } else {
        CHECK(v == std::string(i % 500, 'v'));
        ++found;
      }
    }
    CHECK(found == n - (n + 2) / 3);
    REQUIRE(store->insert("round" + std::to_string(round), "x"));
  }
}

TEST_CASE("writes from many threads are all applied") {
  temp_dir dir;
  auto store = open_ok(dir.path());
  constexpr int threads = 8;
  constexpr int per_thread = 500;
  auto failures = run_threads(threads, per_thread, [&](int t, int i) {
    kepler::write_options wo;
    wo.sync = i % 50 == 0;
    auto key = "t" + std::to_string(t) + "-" + std::to_string(i);
    if (!store->insert(key, key, wo)) return false;
    // Read-your-writes: acknowledged means visible to every later read.
    auto v = store->get(key);
    return v && *v == key;
  });
  CHECK(failures == 0);
  for (int t = 0; t < threads; ++t)
    for (int i = 0; i < per_thread; ++i) {
      auto key = "t" + std::to_string(t) + "-" + std::to_string(i);
      CHECK(get_ok(*store, key) == key);
    }
}

TEST_CASE("sync writes from many threads at once are group-committed and all answered") {
  temp_dir dir;
  auto store = open_ok(dir.path());
  constexpr int threads = 8;
  constexpr int per_thread = 100;
  auto failures = run_threads(threads, per_thread, [&](int t, int i) {
    kepler::write_options wo;
    wo.sync = (i + t) % 3 != 0;  // sync and non-sync groups interleave
    return static_cast<bool>(
        store->insert("s" + std::to_string(t) + "-" + std::to_string(i), "v", wo));
  });
  CHECK(failures == 0);
  REQUIRE(store->close());
  store = open_ok(dir.path());
  int found = 0;
  for (int t = 0; t < threads; ++t)
    for (int i = 0; i < per_thread; ++i)
      found += get_ok(*store, "s" + std::to_string(t) + "-" + std::to_string(i)).has_value();
  CHECK(found == threads * per_thread);
}

TEST_CASE("a key or value over the limit is refused and nothing is written") {
  temp_dir dir;
  auto store = open_ok(dir.path());
  std::string long_key(kepler::max_key_bytes + 1, 'k');
  std::string max_key(kepler::max_key_bytes, 'k');
  std::string long_value(kepler::max_value_bytes + 1, 'v');
  auto r = store->insert(long_key, "v");
  REQUIRE_FALSE(r);
  CHECK(has_code(r.error(), ec::invalid_argument));
  CHECK(kepler::to_string(r.error()).find("exceeds the limit") != std::string::npos);
  r = store->insert("k", long_value);
  REQUIRE_FALSE(r);
  CHECK(has_code(r.error(), ec::invalid_argument));
  CHECK(get_ok(*store, "k") == std::nullopt);
  REQUIRE_FALSE(store->remove(long_key));
  REQUIRE_FALSE(store->get(long_key));

  kepler::write_batch batch;
  batch.insert("ok", "1");
  batch.insert("bad", long_value);
  r = store->write(batch);
  REQUIRE_FALSE(r);
  CHECK(has_code(r.error(), ec::invalid_argument));
  CHECK(get_ok(*store, "ok") == std::nullopt);

  // The limits themselves are allowed.
  REQUIRE(store->insert(max_key, "at the limit"));
  CHECK(get_ok(*store, max_key) == "at the limit");
}

TEST_CASE("calls after close get a clear closed error") {
  temp_dir dir;
  auto store = open_ok(dir.path());
  REQUIRE(store->insert("k", "v"));
  REQUIRE(store->close());
  REQUIRE(store->close());  // closing twice is fine
  auto r = store->insert("k", "v2");
  REQUIRE_FALSE(r);
  CHECK(has_code(r.error(), ec::closed));
  CHECK(kepler::to_string(r.error()).find("closed") != std::string::npos);
  auto g = store->get("k");
  REQUIRE_FALSE(g);
  CHECK(has_code(g.error(), ec::closed));
  REQUIRE_FALSE(store->remove("k"));
  kepler::write_batch batch;
  batch.insert("a", "b");
  REQUIRE_FALSE(store->write(batch));
}

TEST_CASE("a second opener of the same store is told it is locked") {
  temp_dir dir;
  auto store = open_ok(dir.path());
  auto second = kepler::db::open(dir.path());
  REQUIRE_FALSE(second);
  CHECK(has_code(second.error(), ec::locked));
  auto text = kepler::to_string(second.error());
  CHECK(text.find("locked by process " + std::to_string(::getpid())) != std::string::npos);
  REQUIRE(store->close());
  // Closing releases the lock.
  auto third = kepler::db::open(dir.path());
  CHECK(third);
}

TEST_CASE("opening a directory that is not a store fails clearly") {
  temp_dir dir;
  kepler::options no_create;
  no_create.create_if_missing = false;
  auto missing = kepler::db::open(dir.file("nothing-here"), no_create);
  REQUIRE_FALSE(missing);
  CHECK(has_code(missing.error(), ec::not_a_store));
  CHECK(kepler::to_string(missing.error()).find("not a KeplerDB store") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("nothing-here")));  // nothing was created

  // A directory with other files is never turned into a store.
  std::filesystem::create_directories(dir.path());
  std::ofstream(dir.file("notes.txt")) << "mine";
  std::ofstream(dir.file("LOCK")) << "the user's own file";
  auto foreign = kepler::db::open(dir.path());
  REQUIRE_FALSE(foreign);
  CHECK(has_code(foreign.error(), ec::not_a_store));
  CHECK(std::filesystem::exists(dir.file("notes.txt")));
  std::ifstream lock_file(dir.file("LOCK"));
  std::string lock_text((std::istreambuf_iterator<char>(lock_file)), {});
  CHECK(lock_text == "the user's own file");  // refused before it was touched
  CHECK_FALSE(std::filesystem::exists(dir.file("CURRENT")));
}

TEST_CASE("an empty path is refused") {
  auto store = kepler::db::open("");
  REQUIRE_FALSE(store);
  CHECK(has_code(store.error(), ec::invalid_argument));
}

TEST_CASE("error_if_exists refuses an existing store") {
  temp_dir dir;
  open_ok(dir.path())->close();
  kepler::options opts;
  opts.error_if_exists = true;
  auto again = kepler::db::open(dir.path(), opts);
  REQUIRE_FALSE(again);
  CHECK(has_code(again.error(), ec::already_exists));
}

TEST_CASE("a store runs in the user's own actor system") {
  temp_dir dir;
  caf::actor_system_config cfg;
  kepler::db::tune_scheduler(cfg);
  caf::actor_system system{cfg};
  auto store = kepler::db::open(system, dir.path());
  REQUIRE_MESSAGE(store, kepler::to_string(store.error()));
  REQUIRE((*store)->insert("k", "v", kepler::write_options{true}));
  CHECK(get_ok(**store, "k") == "v");
  REQUIRE((*store)->close());  // before `system` is destroyed
}

TEST_CASE("the recovery report says what reopening replayed") {
  temp_dir dir;
  {
    auto store = open_ok(dir.path());
    CHECK(store->recovery().created);
    CHECK(store->recovery().entries_replayed == 0);
    kepler::write_batch batch;
    batch.insert("a", "1");
    batch.remove("b");
    REQUIRE(store->write(batch));
    REQUIRE(store->insert("c", "3"));
  }
  auto store = open_ok(dir.path());
  CHECK_FALSE(store->recovery().created);
  CHECK(store->recovery().batches_replayed == 2);
  CHECK(store->recovery().entries_replayed == 3);
  CHECK(store->recovery().torn_tail_bytes == 0);
}

TEST_CASE("options out of range are refused before anything is touched") {
  temp_dir dir;
  auto refused = [&](kepler::options opts) {
    auto store = kepler::db::open(dir.path(), opts);
    REQUIRE_FALSE(store);
    MESSAGE(kepler::to_string(store.error()));
    CHECK(has_code(store.error(), ec::invalid_argument));
    CHECK_FALSE(std::filesystem::exists(dir.path()));
  };
  kepler::options tiny_memtable;
  tiny_memtable.memtable_bytes = 100;
  refused(tiny_memtable);
  kepler::options no_sealed;
  no_sealed.max_sealed_memtables = 0;
  refused(no_sealed);
  kepler::options no_files;
  no_files.max_open_files = 0;
  refused(no_files);
  kepler::options both;
  both.read_only = true;
  both.error_if_exists = true;
  refused(both);
}
