// The store's events (kepler/events.hpp) to actors that subscribe through its db actor: flushes
// and compactions announce their start and end with their figures; a subscriber that dies is
// dropped without harm; a slow one does not hold the store's writes back.

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "engine/store_checks.hpp"
#include "kepler/db_actor.hpp"
#include "test_dir.hpp"

using kepler::test::stats_of;
using kepler::test::temp_dir;

namespace {

// Everything a subscriber received, for the test thread to read.
struct event_log {
  mutable std::mutex mutex;
  std::vector<kepler::flush_started> flushes_started;
  std::vector<kepler::flush_finished> flushes_finished;
  std::vector<kepler::compaction_started> compactions_started;
  std::vector<kepler::compaction_finished> compactions_finished;
  std::vector<std::string> others;  // stalls and failures, by name
  std::atomic<std::uint64_t> handled{0};
  // Set when the test is done with a slow subscriber: it skips its delay from then on (an exit
  // message waits behind the events already in its mailbox).
  std::atomic<bool> hurry{false};

  template <class Event>
  void add(std::vector<Event>& to, const Event& e) {
    std::lock_guard<std::mutex> guard(mutex);
    to.push_back(e);
    ++handled;
  }
  void add_other(std::string what) {
    std::lock_guard<std::mutex> guard(mutex);
    others.push_back(std::move(what));
    ++handled;
  }
  // A consistent copy of the four lists' sizes.
  struct counts {
    std::size_t flushes_started, flushes_finished, compactions_started, compactions_finished;
  };
  counts sizes() const {
    std::lock_guard<std::mutex> guard(mutex);
    return {flushes_started.size(), flushes_finished.size(), compactions_started.size(),
            compactions_finished.size()};
  }
};

// A subscriber that records every event in `log`, taking `delay` over each (a slow consumer),
// and quits after `lifetime` events when it is set.
kepler::event_subscriber::behavior_type recorder(kepler::event_subscriber::pointer self,
                                                 std::shared_ptr<event_log> log,
                                                 std::chrono::milliseconds delay,
                                                 std::optional<std::uint64_t> lifetime) {
  auto handled = [self, log, delay, lifetime] {
    if (delay.count() > 0 && !log->hurry) std::this_thread::sleep_for(delay);
    if (lifetime && log->handled >= *lifetime) self->quit();
  };
  return {
      [=](const kepler::flush_started& e) {
        log->add(log->flushes_started, e);
        handled();
      },
      [=](const kepler::flush_finished& e) {
        log->add(log->flushes_finished, e);
        handled();
      },
      [=](const kepler::compaction_started& e) {
        log->add(log->compactions_started, e);
        handled();
      },
      [=](const kepler::compaction_finished& e) {
        log->add(log->compactions_finished, e);
        handled();
      },
      [=](const kepler::write_stall_started& e) {
        log->add_other("write_stall_started " + e.reason);
        handled();
      },
      [=](const kepler::write_stall_ended& e) {
        log->add_other("write_stall_ended " + e.reason);
        handled();
      },
      [=](const kepler::store_failed& e) {
        log->add_other("store_failed " + e.error);
        handled();
      },
  };
}

// A store in an actor system of the test's own, as actor users open it.
struct actor_store {
  explicit actor_store(kepler::options opts) : system(tuned(cfg)) {
    auto opened = kepler::db::open(system, dir.path(), opts);
    REQUIRE_MESSAGE(opened, kepler::test::outcome(opened));
    db = std::move(*opened);
  }
  ~actor_store() {
    if (db) db->close();
  }
  static caf::actor_system_config& tuned(caf::actor_system_config& cfg) {
    kepler::db::tune_scheduler(cfg);
    return cfg;
  }

  // (un)subscribe_atom through the db actor; true when the store said yes.
  template <class Atom>
  bool send_subscription(Atom atom, const kepler::event_subscriber& sub) {
    bool ok = false;
    caf::scoped_actor self{system};
    self->request(kepler::actor_of(*db), caf::infinite, atom, sub)
        .receive([&](bool yes) { ok = yes; }, [&](caf::error&) { ok = false; });
    return ok;
  }
  bool subscribe(const kepler::event_subscriber& sub) {
    return send_subscription(kepler::subscribe_atom::value, sub);
  }
  bool unsubscribe(const kepler::event_subscriber& sub) {
    return send_subscription(kepler::unsubscribe_atom::value, sub);
  }

  temp_dir dir;
  caf::actor_system_config cfg;
  caf::actor_system system;
  std::unique_ptr<kepler::db> db;
};

kepler::options flushing_often() {
  kepler::options opts;
  opts.memtable_bytes = 8 * 1024;
  opts.l0_compaction_trigger = 2;
  return opts;
}

// Writes n keys from `first` on, 100 bytes each; returns how many writes failed.
int write_keys(kepler::db& store, int first, int n) {
  int failed = 0;
  for (int i = first; i < first + n; ++i)
    if (!store.insert(kepler::test::key_of(i), kepler::test::value_of(i))) ++failed;
  return failed;
}

// Waits (up to a deadline) until the subscriber has every flush and compaction the store counts
// finished, each with its start; true when it got there.
bool caught_up(const kepler::db& store, const event_log& log) {
  constexpr auto deadline = std::chrono::seconds(10);
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    auto s = stats_of(store);
    auto n = log.sizes();
    if (n.flushes_finished == s.flushes && n.flushes_started == n.flushes_finished &&
        n.compactions_finished == s.compactions && n.compactions_started == n.compactions_finished)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

// Stops `sub`, which records in `log`, and waits until it is gone.
void stop(caf::actor_system& system, const kepler::event_subscriber& sub, event_log& log) {
  log.hurry = true;
  caf::scoped_actor self{system};
  caf::anon_send_exit(sub, caf::exit_reason::kill);
  self->wait_for(sub);
}

}  // namespace

TEST_CASE(
    "a subscriber receives the start and the end of every flush and compaction, with "
    "sane figures") {
  actor_store store(flushing_often());
  auto log = std::make_shared<event_log>();
  auto sub = store.system.spawn(recorder, log, std::chrono::milliseconds(0), std::nullopt);
  REQUIRE(store.subscribe(sub));
  CHECK(store.subscribe(sub));  // twice is one subscription
  constexpr int keys = 2000;
  CHECK(write_keys(*store.db, 0, keys) == 0);
  CHECK(write_keys(*store.db, 0, keys) == 0);  // overwrites, for compactions to drop
  REQUIRE(store.db->compact_range(std::nullopt, std::nullopt));
  REQUIRE(caught_up(*store.db, *log));
  const auto s = stats_of(*store.db);
  std::lock_guard<std::mutex> guard(log->mutex);
  MESSAGE("events: " << log->flushes_started.size() << " flush_started, "
                     << log->flushes_finished.size() << " flush_finished, "
                     << log->compactions_started.size() << " compaction_started, "
                     << log->compactions_finished.size() << " compaction_finished, "
                     << log->others.size() << " others; stats: flushes=" << s.flushes
                     << " compactions=" << s.compactions);
  CHECK(s.flushes > 0);
  CHECK(s.compactions > 0);

  std::set<std::uint64_t> tables;
  std::uint64_t flushed_bytes = 0, flushed_entries = 0, started_entries = 0;
  for (const auto& e : log->flushes_started) {
    CHECK(e.memtable_bytes > 0);
    CHECK(e.entries > 0);
    started_entries += e.entries;
  }
  for (const auto& e : log->flushes_finished) {
    CHECK(e.error.empty());
    CHECK(e.table_bytes > 0);
    CHECK(e.entries > 0);
    CHECK(tables.insert(e.table_number).second);  // a new table each
    flushed_bytes += e.table_bytes;
    flushed_entries += e.entries;
  }
  CHECK(flushed_entries == started_entries);
  CHECK(flushed_entries <= 2 * keys);
  CHECK(flushed_bytes == s.flush_bytes_written);

  std::set<std::string> reasons;
  for (const auto& e : log->compactions_started) {
    CHECK(e.level >= 0);
    CHECK(e.level < 6);
    CHECK(e.input_files > 0);
    CHECK(e.input_bytes > 0);
    reasons.insert(e.reason);
  }
  std::uint64_t read = 0, written = 0, dropped = 0;
  for (const auto& e : log->compactions_finished) {
    CHECK(e.error.empty());
    CHECK(e.input_files > 0);
    CHECK(e.bytes_read > 0);
    CHECK((e.output_files == 0) == (e.bytes_written == 0));
    read += e.bytes_read;
    written += e.bytes_written;
    dropped += e.entries_dropped;
  }
  std::string reason_list;
  for (const auto& r : reasons) reason_list += " " + r;
  MESSAGE("compactions: reasons" << reason_list << "; read " << read << " bytes, wrote " << written
                                 << ", dropped " << dropped << " entries");
  CHECK(read == s.compaction_bytes_read);
  CHECK(written == s.compaction_bytes_written);
  CHECK(reasons.count("manual") == 1);  // compact_range's
  for (const auto& r : reasons) CHECK((r == "manual" || r == "level0_files" || r == "level_size"));
  CHECK(dropped > 0);  // the first version of every key is overwritten
  stop(store.system, sub, *log);
}

TEST_CASE(
    "a subscriber that dies is dropped: writes, compactions and the other subscribers go "
    "on") {
  actor_store store(flushing_often());
  auto short_lived = std::make_shared<event_log>();
  auto survivor = std::make_shared<event_log>();
  // Quits after its third event.
  auto dies = store.system.spawn(recorder, short_lived, std::chrono::milliseconds(0),
                                 std::optional<std::uint64_t>(3));
  auto lives = store.system.spawn(recorder, survivor, std::chrono::milliseconds(0), std::nullopt);
  REQUIRE(store.subscribe(dies));
  REQUIRE(store.subscribe(lives));
  CHECK(write_keys(*store.db, 0, 1000) == 0);
  {
    caf::scoped_actor self{store.system};
    self->wait_for(dies);
  }
  const auto events_before = survivor->handled.load();
  // And one killed from outside.
  auto killed_log = std::make_shared<event_log>();
  auto killed =
      store.system.spawn(recorder, killed_log, std::chrono::milliseconds(0), std::nullopt);
  REQUIRE(store.subscribe(killed));
  stop(store.system, killed, *killed_log);
  CHECK(write_keys(*store.db, 1000, 2000) == 0);
  REQUIRE(store.db->compact_range(std::nullopt, std::nullopt));
  REQUIRE(caught_up(*store.db, *survivor));
  MESSAGE("the subscriber that died handled "
          << short_lived->handled.load() << " events; the survivor " << survivor->handled.load()
          << " (" << events_before << " before the death)");
  CHECK(short_lived->handled == 3);
  CHECK(survivor->handled > events_before);
  CHECK(kepler::test::count_present(*store.db, 3000) == 3000);
  // Subscribing the dead again is harmless too.
  store.subscribe(dies);
  CHECK(write_keys(*store.db, 3000, 500) == 0);
  stop(store.system, lives, *survivor);
}

TEST_CASE("an unsubscribed actor gets no more events") {
  actor_store store(flushing_often());
  auto log = std::make_shared<event_log>();
  auto sub = store.system.spawn(recorder, log, std::chrono::milliseconds(0), std::nullopt);
  REQUIRE(store.subscribe(sub));
  CHECK(write_keys(*store.db, 0, 500) == 0);
  REQUIRE(store.db->compact_range(std::nullopt, std::nullopt));
  REQUIRE(caught_up(*store.db, *log));
  REQUIRE(store.unsubscribe(sub));
  CHECK(store.unsubscribe(sub));  // when not subscribed: fine
  const auto handled = log->handled.load();
  CHECK(write_keys(*store.db, 500, 1000) == 0);
  REQUIRE(store.db->compact_range(std::nullopt, std::nullopt));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // time for strays to arrive
  MESSAGE("events while subscribed " << handled << ", after " << log->handled - handled);
  CHECK(handled > 0);
  CHECK(log->handled == handled);
  stop(store.system, sub, *log);
}

TEST_CASE("a slow subscriber does not hold writes back: they finish while it has a backlog") {
  // A subscriber that takes its time, as its own thread (caf::detached): one that blocked a
  // scheduler worker would block the store's actors on that worker too, which no store can
  // prevent.
  // Slow enough that the writes (about a second, several under a sanitizer or a loaded
  // machine) finish long before it could have handled what they sent it.
  constexpr auto per_event = std::chrono::milliseconds(100);
  constexpr int keys = 3000;
  auto timed_writes = [&](actor_store& store) {
    const auto start = std::chrono::steady_clock::now();
    CHECK(write_keys(*store.db, 0, keys) == 0);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
  };
  double alone_ms = 0;
  {
    actor_store store(flushing_often());
    alone_ms = timed_writes(store);
  }
  actor_store store(flushing_often());
  auto log = std::make_shared<event_log>();
  auto slow = store.system.spawn<caf::detached>(recorder, log, per_event, std::nullopt);
  REQUIRE(store.subscribe(slow));
  const auto watched_ms = timed_writes(store);
  const auto handled = log->handled.load();
  const auto s = stats_of(*store.db);
  // Each flush the store counts sent two events at least.
  const auto sent = 2 * s.flushes;
  MESSAGE("slow subscriber (" << per_event.count() << " ms an event): " << keys << " writes took "
                              << alone_ms << " ms without it, " << watched_ms
                              << " ms with it; it had handled " << handled << " of at least "
                              << sent << " events when the writes finished");
  CHECK(s.flushes > 0);
  CHECK(handled < sent);
  stop(store.system, slow, *log);
}
