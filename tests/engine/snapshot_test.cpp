// Snapshots: a snapshot reads the store as it was when it was taken, whatever was written,
// flushed and compacted since; while it lives compaction keeps the versions it sees, and once
// it is released a compaction reclaims them. Reads refuse a snapshot of another store, and
// db::stats counts the live ones.

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/store_checks.hpp"
#include "kepler/db.hpp"
#include "test_dir.hpp"

using kepler::ec;
using kepler::test::has_code;
using kepler::test::open_ok;
using kepler::test::stats_of;
using kepler::test::temp_dir;

namespace {

// `bytes` bytes, different for every key and version.
std::string versioned_value(int key, int version, std::size_t bytes) {
  std::string v = "v" + std::to_string(version) + ":" + std::to_string(key) + ":";
  v.resize(bytes, static_cast<char>('a' + (key + version) % 26));
  return v;
}

std::unique_ptr<kepler::snapshot> snapshot_ok(const kepler::db& store) {
  auto snap = store.snapshot();
  REQUIRE_MESSAGE(snap, (snap ? std::string() : kepler::to_string(snap.error())));
  return std::move(*snap);
}

// Every pair a full forward walk shows (through `snap` when not null).
std::map<std::string, std::string> walk(const kepler::db& store,
                                        const kepler::snapshot* snap = nullptr) {
  kepler::read_options ro;
  ro.snapshot = snap;
  auto it = store.new_iterator(ro);
  REQUIRE_MESSAGE(it, (it ? std::string() : kepler::to_string(it.error())));
  std::map<std::string, std::string> seen;
  for ((*it)->seek_to_first(); (*it)->valid(); (*it)->next())
    seen.emplace((*it)->key(), (*it)->value());
  REQUIRE((*it)->status());
  return seen;
}

// The same, walking backward from the last key.
std::map<std::string, std::string> walk_backward(const kepler::db& store,
                                                 const kepler::snapshot* snap) {
  kepler::read_options ro;
  ro.snapshot = snap;
  auto it = store.new_iterator(ro);
  REQUIRE_MESSAGE(it, (it ? std::string() : kepler::to_string(it.error())));
  std::map<std::string, std::string> seen;
  for ((*it)->seek_to_last(); (*it)->valid(); (*it)->prev())
    seen.emplace((*it)->key(), (*it)->value());
  REQUIRE((*it)->status());
  return seen;
}

std::uint64_t property_number(const kepler::db& store, const std::string& name) {
  auto text = store.property(name);
  REQUIRE_MESSAGE(text, (text ? std::string() : kepler::to_string(text.error())));
  return std::stoull(*text);
}

}  // namespace

TEST_CASE(
    "a snapshot taken before 1,000 overwrites reads every old value after flushes and "
    "compactions, once it is released a compaction reclaims the old values' bytes") {
  temp_dir dir;
  constexpr int keys = 1000;
  constexpr std::size_t value_bytes = 1000;
  kepler::options opts;
  opts.memtable_bytes = 64 * 1024;  // a flush every ~60 writes
  opts.l0_compaction_trigger = 2;
  // Stored raw, so the bytes reclaimed can be set against the old values' own bytes (these
  // values compress to almost nothing).
  opts.compression = kepler::compression_type::none;
  auto store = open_ok(dir.path(), opts);
  for (int i = 0; i < keys; ++i)
    REQUIRE(store->insert(kepler::test::key_of(i), versioned_value(i, 0, value_bytes)));
  auto snap = snapshot_ok(*store);
  for (int i = 0; i < keys; ++i)
    REQUIRE(store->insert(kepler::test::key_of(i), versioned_value(i, 1, value_bytes)));
  REQUIRE(store->compact_range(std::nullopt, std::nullopt));
  const auto stats = stats_of(*store);
  MESSAGE("during the overwrites and compact_range: " << stats.flushes << " flushes, "
                                                      << stats.compactions << " compactions");
  CHECK(stats.flushes > 0);
  CHECK(stats.compactions > 0);

  kepler::read_options through;
  through.snapshot = snap.get();
  int old_read = 0, new_read = 0;
  for (int i = 0; i < keys; ++i) {
    auto old_value = store->get(kepler::test::key_of(i), through);
    REQUIRE(old_value);
    if (*old_value == versioned_value(i, 0, value_bytes)) ++old_read;
    auto new_value = store->get(kepler::test::key_of(i));
    REQUIRE(new_value);
    if (*new_value == versioned_value(i, 1, value_bytes)) ++new_read;
  }
  CHECK(old_read == keys);
  CHECK(new_read == keys);
  auto old_state = walk(*store, snap.get());
  int old_walked = 0;
  for (int i = 0; i < keys; ++i)
    if (old_state[kepler::test::key_of(i)] == versioned_value(i, 0, value_bytes)) ++old_walked;
  CHECK(old_state.size() == static_cast<std::size_t>(keys));
  CHECK(old_walked == keys);
  MESSAGE("through the snapshot: " << old_read << " old values by get, " << old_walked
                                   << " by an iterator; newest: " << new_read);

  const auto held = kepler::test::bytes_on_disk(dir.path());
  snap.reset();
  REQUIRE(store->compact_range(std::nullopt, std::nullopt));
  const auto released = kepler::test::bytes_on_disk(dir.path());
  const std::uint64_t old_value_bytes = keys * value_bytes;
  MESSAGE("bytes on disk after compact_range: " << held << " with the snapshot held, " << released
                                                << " after its release (old values: "
                                                << old_value_bytes << " bytes)");
  CHECK(released < held);
  CHECK(held - released >= old_value_bytes);
  int still_new = 0;
  for (int i = 0; i < keys; ++i)
    if (store->get(kepler::test::key_of(i))->value_or("") == versioned_value(i, 1, value_bytes))
      ++still_new;
  CHECK(still_new == keys);
}

TEST_CASE(
    "an iterator through a snapshot sees the old state: old values, removed keys, none "
    "written later") {
  temp_dir dir;
  kepler::options opts;
  opts.memtable_bytes = 16 * 1024;
  opts.l0_compaction_trigger = 2;
  auto store = open_ok(dir.path(), opts);
  constexpr int keys = 600;
  std::map<std::string, std::string> then;
  for (int i = 0; i < keys; i += 2) {
    REQUIRE(store->insert(kepler::test::key_of(i), versioned_value(i, 0, 50)));
    then[kepler::test::key_of(i)] = versioned_value(i, 0, 50);
  }
  auto snap = snapshot_ok(*store);
  auto latest = then;
  // After the snapshot: every fifth key removed, every third overwritten, the odd keys added.
  for (int i = 0; i < keys; ++i) {
    const auto key = kepler::test::key_of(i);
    if (i % 5 == 0) {
      REQUIRE(store->remove(key));
      latest.erase(key);
    } else if (i % 3 == 0 || i % 2 == 1) {
      REQUIRE(store->insert(key, versioned_value(i, 1, 50)));
      latest[key] = versioned_value(i, 1, 50);
    }
  }
  // Some later writes in tables of a deeper level, some in the memtable.
  REQUIRE(store->compact_range(std::nullopt, std::nullopt));
  for (int i = 1; i < keys; i += 4) {
    REQUIRE(store->insert(kepler::test::key_of(i), versioned_value(i, 2, 50)));
    latest[kepler::test::key_of(i)] = versioned_value(i, 2, 50);
  }

  CHECK(walk(*store, snap.get()) == then);
  CHECK(walk_backward(*store, snap.get()) == then);
  CHECK(walk(*store) == latest);
  MESSAGE("the snapshot's iterator shows " << then.size() << " keys; the newest state "
                                           << latest.size());
  // And through db::scan, within a range.
  kepler::read_options ro;
  ro.snapshot = snap.get();
  auto from = kepler::test::key_of(100), to = kepler::test::key_of(200);
  auto scanned = store->scan(from, to, 0, ro);
  REQUIRE(scanned);
  std::vector<std::pair<std::string, std::string>> expected(then.lower_bound(from),
                                                            then.lower_bound(to));
  CHECK(*scanned == expected);
}

TEST_CASE("a snapshot of another store is refused with invalid_argument by every read") {
  temp_dir dir_a, dir_b;
  auto a = open_ok(dir_a.path());
  auto b = open_ok(dir_b.path());
  REQUIRE(a->insert("k", "a"));
  REQUIRE(b->insert("k", "b"));
  auto snap_of_a = snapshot_ok(*a);
  kepler::read_options ro;
  ro.snapshot = snap_of_a.get();
  auto got = b->get("k", ro);
  REQUIRE_FALSE(got);
  CHECK(has_code(got.error(), ec::invalid_argument));
  MESSAGE("get: " << kepler::to_string(got.error()));
  auto it = b->new_iterator(ro);
  REQUIRE_FALSE(it);
  CHECK(has_code(it.error(), ec::invalid_argument));
  auto scanned = b->scan(std::nullopt, std::nullopt, 0, ro);
  REQUIRE_FALSE(scanned);
  CHECK(has_code(scanned.error(), ec::invalid_argument));
  // Its own store takes it.
  auto own = a->get("k", ro);
  REQUIRE(own);
  CHECK(*own == std::optional<std::string>("a"));
}

TEST_CASE("a snapshot kept past its store's close is refused by the reopened store") {
  temp_dir dir;
  auto store = open_ok(dir.path());
  REQUIRE(store->insert("k", "old"));
  auto snap = snapshot_ok(*store);
  REQUIRE(store->close());
  store.reset();
  // The snapshot outlives its store: it pins nothing, and the next open does not know it.
  auto reopened = open_ok(dir.path());
  REQUIRE(reopened->insert("k", "new"));
  kepler::read_options ro;
  ro.snapshot = snap.get();
  auto got = reopened->get("k", ro);
  REQUIRE_FALSE(got);
  CHECK(has_code(got.error(), ec::invalid_argument));
  MESSAGE(kepler::to_string(got.error()));
  snap.reset();  // releasing it after its store closed is fine
  CHECK(stats_of(*reopened).live_snapshots == 0);
}

TEST_CASE("stats().live_snapshots and the snapshot properties count the snapshots held") {
  temp_dir dir;
  auto store = open_ok(dir.path());
  CHECK(stats_of(*store).live_snapshots == 0);
  std::vector<std::unique_ptr<kepler::snapshot>> held;
  for (int i = 0; i < 3; ++i) {
    REQUIRE(store->insert("k" + std::to_string(i), "v"));
    held.push_back(snapshot_ok(*store));
    CHECK(stats_of(*store).live_snapshots == held.size());
  }
  CHECK(held[0]->sequence() < held[1]->sequence());
  CHECK(held[1]->sequence() < held[2]->sequence());
  CHECK(property_number(*store, "kepler.num-snapshots") == 3);
  CHECK(property_number(*store, "kepler.oldest-snapshot-sequence") == held[0]->sequence());
  // Two snapshots of one moment count twice, and releasing one keeps the other.
  held.push_back(snapshot_ok(*store));
  CHECK(held[3]->sequence() == held[2]->sequence());
  CHECK(stats_of(*store).live_snapshots == 4);
  held.erase(held.begin() + 3);
  CHECK(stats_of(*store).live_snapshots == 3);
  held.erase(held.begin());  // the oldest
  CHECK(stats_of(*store).live_snapshots == 2);
  CHECK(property_number(*store, "kepler.oldest-snapshot-sequence") == held[0]->sequence());
  held.clear();
  CHECK(stats_of(*store).live_snapshots == 0);
  CHECK(property_number(*store, "kepler.num-snapshots") == 0);
  MESSAGE("last sequence " << property_number(*store, "kepler.last-sequence"));
}
