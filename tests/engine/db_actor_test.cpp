// The store as a typed actor: request/response from an actor system that embeds the store.

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "kepler/db_actor.hpp"
#include "storage_format/log/log_reader.hpp"
#include "storage_format/memtable/batch_format.hpp"
#include "storage_format/util/file_system.hpp"
#include "storage_format/version/file_names.hpp"
#include "test_dir.hpp"

using kepler::test::temp_dir;

namespace {

// Runs one request and returns its reply or error.
template <class T, class... Ts>
caf::expected<T> ask(caf::scoped_actor& self, const kepler::db_actor& store, Ts&&... xs) {
  caf::expected<T> result{caf::error{}};
  self->request(store, caf::infinite, std::forward<Ts>(xs)...)
      .receive([&](T& x) { result = std::move(x); },
               [&](caf::error& err) { result = std::move(err); });
  return result;
}

}  // namespace

TEST_CASE("an actor writes, removes, batches and reads through the db actor") {
  temp_dir dir;
  caf::actor_system_config cfg;
  kepler::db::tune_scheduler(cfg);
  caf::actor_system system{cfg};
  auto opened = kepler::db::open(system, dir.path());
  REQUIRE_MESSAGE(opened, kepler::to_string(opened.error()));
  auto& store = **opened;
  auto handle = kepler::actor_of(store);
  {
    caf::scoped_actor self{system};
    using kepler::get_atom;
    using kepler::put_atom;
    using kepler::remove_atom;
    using kepler::write_atom;
    CHECK(ask<bool>(self, handle, put_atom::value, std::string("a"), std::string("1"), false));
    CHECK(ask<bool>(self, handle, put_atom::value, std::string("b"), std::string("2"), true));
    auto a = ask<caf::optional<std::string>>(self, handle, get_atom::value, std::string("a"));
    REQUIRE(a);
    REQUIRE(*a);
    CHECK(**a == "1");
    CHECK(ask<bool>(self, handle, remove_atom::value, std::string("a"), false));
    auto gone = ask<caf::optional<std::string>>(self, handle, get_atom::value, std::string("a"));
    REQUIRE(gone);
    CHECK_FALSE(*gone);

    kepler::write_batch batch;
    batch.insert("c", "3");
    batch.remove("b");
    CHECK(ask<bool>(self, handle, write_atom::value, batch.encoding(), false));
    // The blocking API sees what the actor wrote.
    CHECK(store.get("c")->value() == "3");
    CHECK_FALSE(store.get("b")->has_value());

    // Bad input gets invalid_argument and writes nothing.
    auto too_long = ask<bool>(self, handle, put_atom::value,
                              std::string(kepler::max_key_bytes + 1, 'k'), std::string("v"), false);
    REQUIRE_FALSE(too_long);
    CHECK(too_long.error().code() == static_cast<uint8_t>(kepler::ec::invalid_argument));
    auto garbage = ask<bool>(self, handle, write_atom::value, std::string("not a batch"), false);
    REQUIRE_FALSE(garbage);
    CHECK(garbage.error().code() == static_cast<uint8_t>(kepler::ec::invalid_argument));
    // A batch with one entry over a limit writes none of its entries.
    kepler::write_batch mixed;
    mixed.insert("fine", "1");
    mixed.insert(std::string(kepler::max_key_bytes + 1, 'k'), "v");
    auto refused = ask<bool>(self, handle, write_atom::value, mixed.encoding(), false);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code() == static_cast<uint8_t>(kepler::ec::invalid_argument));
    CHECK_FALSE(store.get("fine")->has_value());
  }
  REQUIRE(store.close());
  CHECK_FALSE(kepler::actor_of(store));  // closed: no handle
}

namespace {

// Every record of every log in `dir`, oldest log first: the batches as the log holds them.
std::vector<std::string> log_records(const std::string& dir) {
  namespace storage = kepler::storage;
  auto* fs = storage::file_system::posix();
  std::vector<std::string> names;
  REQUIRE(fs->list_dir(dir, &names).is_ok());
  std::sort(names.begin(), names.end());
  std::vector<std::string> records;
  for (auto& name : names) {
    std::uint64_t number = 0;
    if (storage::parse_file_name(name, &number) != storage::file_kind::log) continue;
    std::unique_ptr<storage::readable_file> file;
    REQUIRE(fs->new_readable_file(storage::join_path(dir, name), &file).is_ok());
    storage::log::reader reader(file.get());
    for (std::string record; reader.read_record(&record);) records.push_back(record);
    CHECK(reader.drops().empty());
  }
  return records;
}

}  // namespace

TEST_CASE("a batch sent through the db actor is one log record, as through the blocking API") {
  temp_dir dir;
  caf::actor_system_config cfg;
  kepler::db::tune_scheduler(cfg);
  caf::actor_system system{cfg};
  auto opened = kepler::db::open(system, dir.path());
  REQUIRE_MESSAGE(opened, (opened ? std::string() : kepler::to_string(opened.error())));
  auto& store = **opened;
  kepler::write_batch batch;
  batch.insert("a", "1");
  batch.insert("b", "2");
  batch.remove("c");
  {
    caf::scoped_actor self{system};
    auto handle = kepler::actor_of(store);
    CHECK(ask<bool>(self, handle, kepler::write_atom::value, batch.encoding(), false));
    CHECK(ask<bool>(self, handle, kepler::put_atom::value, std::string("d"), std::string("4"),
                    false));
  }
  REQUIRE(store.write(batch));  // the blocking API's record, for comparison
  REQUIRE(store.close());
  auto records = log_records(dir.path());
  std::vector<std::uint32_t> counts;
  for (auto& r : records) counts.push_back(kepler::storage::batch::count(r));
  MESSAGE("log records: " << records.size()
                          << ", entries per record: " << (counts.size() > 0 ? counts[0] : 0) << " "
                          << (counts.size() > 1 ? counts[1] : 0) << " "
                          << (counts.size() > 2 ? counts[2] : 0));
  REQUIRE(records.size() == 3);
  CHECK(counts[0] == 3);  // the actor's batch: one record, all three entries
  CHECK(counts[1] == 1);
  CHECK(counts[2] == 3);  // the blocking API's batch: the same shape
  // The same entries in the same record, only the stamped sequence differs.
  CHECK(records[0].substr(8) == records[2].substr(8));
}

TEST_CASE("writes in flight together through the db actor are all acknowledged, in order") {
  temp_dir dir;
  caf::actor_system_config cfg;
  kepler::db::tune_scheduler(cfg);
  caf::actor_system system{cfg};
  auto opened = kepler::db::open(system, dir.path());
  REQUIRE_MESSAGE(opened, (opened ? std::string() : kepler::to_string(opened.error())));
  auto& store = **opened;
  constexpr int writes = 500;
  int acked = 0, failed = 0;
  {
    caf::scoped_actor self{system};
    auto handle = kepler::actor_of(store);
    // Sent without waiting, so they queue together at the db actor: puts of distinct keys,
    // a batch, and one key written again and again, whose last value must win.
    for (int i = 0; i < writes; ++i) {
      if (i % 50 == 0) {
        kepler::write_batch batch;
        batch.insert("batch-" + std::to_string(i), "b");
        batch.remove("key-" + std::to_string(i - 1));
        self->send(handle, kepler::write_atom::value, batch.encoding(), i % 100 == 0);
      } else {
        self->send(handle, kepler::put_atom::value, "key-" + std::to_string(i), std::to_string(i),
                   false);
      }
      self->send(handle, kepler::put_atom::value, std::string("same"), std::to_string(i), false);
    }
    for (int i = 0; i < 2 * writes; ++i)
      self->receive([&](bool) { ++acked; }, [&](caf::error&) { ++failed; });
  }
  CHECK(acked == 2 * writes);
  CHECK(failed == 0);
  CHECK(store.get("same")->value() == std::to_string(writes - 1));
  int present = 0;
  for (int i = 0; i < writes; ++i) {
    bool removed = (i + 1) % 50 == 0;  // the batch after it removed it
    auto got = store.get("key-" + std::to_string(i));
    if (i % 50 == 0)
      CHECK(store.get("batch-" + std::to_string(i))->value() == "b");
    else if (!removed && got->has_value() && **got == std::to_string(i))
      ++present;
  }
  REQUIRE(store.close());
  auto records = log_records(dir.path());
  std::uint64_t entries = 0;
  for (auto& r : records) entries += kepler::storage::batch::count(r);
  MESSAGE((2 * writes) << " writes in flight: " << acked << " acknowledged, " << records.size()
                       << " log records holding " << entries << " entries");
  CHECK(present == writes - 2 * (writes / 50));  // every put but the batches' and the removed
  CHECK(entries == 2 * writes + writes / 50);    // each batch has two entries
  CHECK(records.size() <= static_cast<std::size_t>(2 * writes));
}

TEST_CASE("compact_range covers the writes sent to the db actor just before it") {
  temp_dir dir;
  caf::actor_system_config cfg;
  kepler::db::tune_scheduler(cfg);
  caf::actor_system system{cfg};
  auto opened = kepler::db::open(system, dir.path());
  REQUIRE_MESSAGE(opened, (opened ? std::string() : kepler::to_string(opened.error())));
  auto& store = **opened;
  const auto empty_memtable = store.stats()->memtable_bytes;
  constexpr int writes = 300;
  int acked = 0;
  {
    caf::scoped_actor self{system};
    auto handle = kepler::actor_of(store);
    // Queued at the db actor together, so it gathers them; the compaction comes behind them.
    for (int i = 0; i < writes; ++i)
      self->send(handle, kepler::put_atom::value, "key-" + std::to_string(i), std::string(100, 'v'),
                 false);
    REQUIRE(store.compact_range(std::nullopt, std::nullopt));
    for (int i = 0; i < writes; ++i) self->receive([&](bool) { ++acked; }, [](caf::error&) {});
  }
  auto stats = store.stats();
  REQUIRE(stats);
  std::uint64_t table_bytes = 0;
  for (const auto& level : stats->levels) table_bytes += level.bytes;
  MESSAGE(writes << " puts sent before compact_range: " << acked << " acknowledged; after it the "
                 << "memtables hold " << stats->memtable_bytes << " bytes (empty: "
                 << empty_memtable << "), the tables " << table_bytes << " bytes");
  CHECK(acked == writes);
  // Every put came before the compaction's seal, so none is left in a memtable.
  CHECK(stats->memtable_bytes == empty_memtable);
  CHECK(stats->sealed_memtables == 0);
  CHECK(table_bytes > 0);
  CHECK(store.get("key-" + std::to_string(writes - 1))->value_or("") == std::string(100, 'v'));
  REQUIRE(store.close());
}

namespace {

// The atoms the db actor's internal reports used to be: anyone could send them.
using old_close_atom = caf::atom_constant<caf::atom("close")>;
using old_write_done_atom = caf::atom_constant<caf::atom("wdone")>;

}  // namespace

TEST_CASE("a user's message through a dynamically typed handle cannot stop the store's writes") {
  temp_dir dir;
  caf::actor_system_config cfg;
  kepler::db::tune_scheduler(cfg);
  caf::actor_system system{cfg};
  auto opened = kepler::db::open(system, dir.path());
  REQUIRE_MESSAGE(opened, kepler::to_string(opened.error()));
  auto handle = kepler::actor_of(**opened);
  auto dynamic = caf::actor_cast<caf::actor>(handle);
  {
    caf::scoped_actor self{system};
    caf::anon_send(dynamic, old_close_atom::value);
    self->send(dynamic, old_close_atom::value);
    // Still taking writes from actors and from the blocking API.
    CHECK(ask<bool>(self, handle, kepler::put_atom::value, std::string("a"), std::string("1"),
                    false));
  }
  CHECK((*opened)->insert("b", "2"));
  REQUIRE((*opened)->close());
}

TEST_CASE("a user's message through a dynamically typed handle cannot acknowledge a write") {
  temp_dir dir;
  caf::actor_system_config cfg;
  kepler::db::tune_scheduler(cfg);
  caf::actor_system system{cfg};
  auto opened = kepler::db::open(system, dir.path());
  REQUIRE_MESSAGE(opened, kepler::to_string(opened.error()));
  auto handle = kepler::actor_of(**opened);
  auto dynamic = caf::actor_cast<caf::actor>(handle);
  int forged_replies = 0;
  constexpr int rounds = 20;
  {
    caf::scoped_actor self{system};
    for (std::uint64_t id = 0; id < rounds; ++id) {
      // A sync write is pending for an fdatasync (far longer than one message) when the forged
      // report for its request id arrives.
      auto reply = self->request(handle, caf::infinite, kepler::put_atom::value,
                                 "k" + std::to_string(id), std::string("v"), true);
      caf::anon_send(dynamic, old_write_done_atom::value, id,
                     kepler::make_error(kepler::ec::io_error, "forged"));
      std::move(reply).receive([](bool) {},
                               [&](caf::error& err) {
                                 if (kepler::to_string(err).find("forged") != std::string::npos)
                                   ++forged_replies;
                               });
    }
  }
  MESSAGE("sync writes: " << rounds << ", answered by a forged report: " << forged_replies);
  CHECK(forged_replies == 0);
  for (int id = 0; id < rounds; ++id) CHECK((*opened)->get("k" + std::to_string(id))->has_value());
  REQUIRE((*opened)->close());
}

TEST_CASE("actor_of is safe while another thread closes the store") {
  temp_dir dir;
  caf::actor_system_config cfg;
  kepler::db::tune_scheduler(cfg);
  caf::actor_system system{cfg};
  constexpr int rounds = 20;
  int handles_seen = 0;
  for (int round = 0; round < rounds; ++round) {
    auto opened = kepler::db::open(system, dir.path());
    REQUIRE_MESSAGE(opened, kepler::to_string(opened.error()));
    auto& store = **opened;
    std::atomic<bool> stop{false};
    std::atomic<int> seen{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t)
      readers.emplace_back([&] {
        while (!stop.load())
          if (kepler::actor_of(store)) ++seen;
      });
    while (seen.load() == 0) std::this_thread::yield();
    REQUIRE(store.close());
    CHECK_FALSE(kepler::actor_of(store));
    stop = true;
    for (auto& r : readers) r.join();
    handles_seen += seen.load();
  }
  MESSAGE("rounds: " << rounds << ", handles taken while closing: " << handles_seen);
}

namespace {

// Runs `body` inside an actor of `system` and waits up to 5 s for it: a blocking call that
// deadlocks the only worker must not hang the test run.
template <class Body>
void run_in_actor(caf::actor_system& system, Body body) {
  std::promise<void> finished;
  auto done = finished.get_future();
  // One unused argument: for a spawn without arguments CAF 0.17's init_fun_factory (a header,
  // so compiled into this test) binds a reference to its null argument-tuple pointer, undefined
  // behaviour that UBSan stops the test for (the empty tuple is never read).
  system.spawn(
      [&body, &finished](caf::event_based_actor*, int) {
        body();
        finished.set_value();
      },
      0);
  if (done.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    FAIL_CHECK("a blocking call from the only worker did not return within 5 s: deadlock");
    std::fflush(stdout);
    std::_Exit(1);  // the system cannot be destroyed while its only worker is stuck
  }
}

}  // namespace

TEST_CASE("a blocking call from the only worker of the store's actor system is refused") {
  temp_dir dir;
  caf::actor_system_config cfg;
  kepler::options one_worker;
  one_worker.worker_threads = 1;
  kepler::db::tune_scheduler(cfg, one_worker);
  caf::actor_system system{cfg};
  auto opened = kepler::db::open(system, dir.path());
  REQUIRE_MESSAGE(opened, kepler::to_string(opened.error()));
  auto store = std::move(*opened);
  caf::expected<void> inserted{caf::unit}, closed{caf::unit};
  caf::expected<std::optional<std::string>> read{std::nullopt};
  run_in_actor(system, [&] {
    inserted = store->insert("k", "v");
    closed = store->close();
    read = store->get("missing");  // reads wait for no actor: fine anywhere
  });
  REQUIRE_FALSE(inserted);
  CHECK(inserted.error().code() == static_cast<uint8_t>(kepler::ec::would_deadlock));
  MESSAGE(kepler::to_string(inserted.error()));
  REQUIRE_FALSE(closed);
  CHECK(closed.error().code() == static_cast<uint8_t>(kepler::ec::would_deadlock));
  CHECK(read);
  // From any other thread the store works as usual.
  CHECK(store->insert("k", "v"));
  // Destroyed on the only worker, the store closes once the worker is free again: its LOCK
  // is released and it reopens with what was written. A write sent to the db actor just
  // before finds the actor's request pool alive (the actor co-owns it).
  run_in_actor(system, [&] {
    caf::anon_send(kepler::actor_of(*store), kepler::put_atom::value, std::string("late"),
                   std::string("w"), false);
    store.reset();
  });
  caf::expected<std::unique_ptr<kepler::db>> again{caf::error{}};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  do {
    again = kepler::db::open(system, dir.path());
  } while (!again && std::chrono::steady_clock::now() < deadline);
  REQUIRE_MESSAGE(again, kepler::to_string(again.error()));
  CHECK((*again)->get("k")->value_or("") == "v");
}

TEST_CASE("an exit message to the db actor neither stops the store's writes nor loses one") {
  temp_dir dir;
  caf::actor_system_config cfg;
  kepler::db::tune_scheduler(cfg);
  caf::actor_system system{cfg};
  auto opened = kepler::db::open(system, dir.path());
  REQUIRE_MESSAGE(opened, kepler::to_string(opened.error()));
  auto& store = **opened;
  auto handle = kepler::actor_of(store);
  {
    caf::scoped_actor self{system};
    // An ordinary exit request is ignored: the actor answers as before.
    caf::anon_send_exit(handle, caf::exit_reason::user_shutdown);
    CHECK(ask<bool>(self, handle, kepler::put_atom::value, std::string("a"), std::string("1"),
                    false));
    // A kill cannot be refused; it stops the db actor only.
    caf::anon_send_exit(handle, caf::exit_reason::kill);
  }
  CHECK(store.insert("b", "2"));
  CHECK(store.get("a")->value_or("") == "1");
  REQUIRE(store.close());
}
