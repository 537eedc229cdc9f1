// kepler-server under load (16 clients, each its own connection, calls back to back; and one
// actor keeping 256 requests in flight), and what a peer can reach on the server's node.

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "kepler/remote.hpp"
#include "remote/server_process.hpp"
#include "test_dir.hpp"

using kepler::test::server_process;
using kepler::test::temp_dir;

namespace {

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

TEST_CASE("16 remote clients and a pipelining actor load kepler-server") {
  temp_dir store;
  server_process server(store.path(), {});
  REQUIRE_MESSAGE(server.port() != 0, server.err());
  constexpr int clients = 16;
  constexpr int calls = 500;  // per client: puts and gets alternating
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::future<std::vector<double>>> runs;
  std::atomic<int> failures{0};
  for (int c = 0; c < clients; ++c)
    runs.push_back(std::async(std::launch::async, [&, c] {
      std::vector<double> us;
      auto db = kepler::remote_db::open("127.0.0.1", server.port());
      if (!db) {
        failures += calls;
        return us;
      }
      for (int i = 0; i < calls; ++i) {
        std::string key = "c" + std::to_string(c) + "-" + std::to_string(i / 2);
        auto s = std::chrono::steady_clock::now();
        bool ok = i % 2 == 0 ? static_cast<bool>((*db)->insert(key, std::string(100, 'v')))
                             : static_cast<bool>((*db)->get(key));
        us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - s)
                         .count());
        if (!ok) ++failures;
      }
      return us;
    }));
  std::vector<double> all;
  for (auto& r : runs) {
    auto us = r.get();
    all.insert(all.end(), us.begin(), us.end());
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  MESSAGE(clients << " clients x " << calls << " calls (put/get alternating, 100-byte values): "
                  << static_cast<long>(static_cast<double>(all.size()) / secs) << " calls/s, p50 "
                  << percentile(all, 0.5) << " us, p99 " << percentile(all, 0.99)
                  << " us, failures " << failures.load()
                  << " (2 shared cores; connect time included)");
  CHECK(failures.load() == 0);

  // One actor with 256 requests in flight at a time.
  caf::actor_system_config cfg;
  REQUIRE_FALSE(kepler::remote::configure(cfg, nullptr));
  caf::actor_system system{cfg};
  auto handle = kepler::remote::connect(system, "127.0.0.1", server.port());
  REQUIRE_MESSAGE(handle, kepler::to_string(handle.error()));
  // Stops the guard however the test ends (else the system's destructor waits for it).
  std::shared_ptr<void> stop_guard(nullptr, [&](void*) { kepler::remote::disconnect(*handle); });
  {
    caf::scoped_actor self{system};
    constexpr int total = 8192, window = 256;
    int sent = 0, done = 0, errors = 0;
    auto p0 = std::chrono::steady_clock::now();
    while (done < total) {
      while (sent < total && sent - done < window) {
        self->send(*handle, kepler::put_atom::value, "p" + std::to_string(sent), std::string("v"),
                   false);
        ++sent;
      }
      self->receive([&](bool) { ++done; },
                    [&](caf::error&) {
                      ++done;
                      ++errors;
                    },
                    caf::after(std::chrono::seconds(30)) >>
                        [&] {
                          errors += sent - done;
                          done = total;
                        });
    }
    double psecs = std::chrono::duration<double>(std::chrono::steady_clock::now() - p0).count();
    MESSAGE("pipelined puts through one remote db_actor (window "
            << window << "): " << static_cast<long>(total / psecs) << " puts/s, errors " << errors);
    CHECK(errors == 0);
  }

  // What a peer reaches on the server's node beside the published actor: CAF's named actors.
  auto typed = system.middleman().remote_actor<kepler::db_actor>("127.0.0.1", server.port());
  REQUIRE(typed);
  auto raw = caf::actor_cast<caf::actor>(*typed);
  auto nid = raw.node();
  std::vector<std::string> reachable;
  for (const char* name : {"SpawnServ", "ConfigServ"})
    if (system.middleman().remote_lookup(caf::atom_from_string(name), nid))
      reachable.push_back(name);
  std::string names;
  for (auto& n : reachable) names += n + " ";
  MESSAGE("named actors a peer reaches on the server node: " << (names.empty() ? "none" : names));
  // Remote spawning finds no factory: nothing of ours can be spawned by a peer.
  auto spawned = system.middleman().remote_spawn<caf::actor>(
      nid, "kepler.db_facade", caf::make_message(), std::chrono::seconds(5));
  CHECK_FALSE(spawned);
  // Every answer a peer gets comes from the published front or the db actor, never from an
  // internal actor (a delegated reply would carry the wal_writer's or memtable_owner's
  // address and make it reachable): run every call, errors included, and collect who answered.
  {
    caf::scoped_actor self{system};
    std::set<caf::actor_id> answered;
    int replies = 0;
    auto note = [&] {
      ++replies;
      if (auto sender = self->current_sender(); sender && sender->node() == nid)
        answered.insert(sender->id());
    };
    // One lambda per reply type: the typed handle checks each handler's signature.
    auto ask = [&](auto... xs) {
      self->request(*typed, std::chrono::seconds(10), xs...)
          .receive([&](bool) { note(); }, [&](caf::error&) { note(); });
    };
    auto ask_get = [&](std::string key) {
      self->request(*typed, std::chrono::seconds(10), kepler::get_atom::value, std::move(key))
          .receive([&](caf::optional<std::string>&) { note(); }, [&](caf::error&) { note(); });
    };
    auto ask_scan = [&] {
      self->request(*typed, std::chrono::seconds(10), kepler::scan_atom::value,
                    caf::optional<std::string>{}, caf::optional<std::string>{}, std::uint64_t{10})
          .receive([&](kepler::scan_page&) { note(); }, [&](caf::error&) { note(); });
    };
    using namespace kepler;
    write_batch batch;
    batch.insert("rb1", "1");
    batch.remove("rb2");
    ask(put_atom::value, std::string("r1"), std::string("v"), false);
    ask(put_atom::value, std::string("r2"), std::string("v"), true);
    ask(put_atom::value, std::string(max_key_bytes + 1, 'k'), std::string("v"), false);  // refused
    ask_get("r1");
    ask_get("missing");
    ask(remove_atom::value, std::string("r1"), true);
    ask(write_atom::value, batch.encoding(), true);
    ask(write_atom::value, std::string("not a batch"), false);  // refused
    ask_scan();
    // The db actor answers every request itself; any other answering actor is one more the
    // peer could now address.
    const auto internal = answered.empty() ? 0 : answered.size() - 1;
    MESSAGE("replies " << replies << " from " << answered.size()
                       << " actor(s) of the server node (the db actor); internal actors reached: "
                       << internal);
    CHECK(replies == 9);
    CHECK(answered.size() == 1);
    CHECK(internal == 0);
  }
  // Atoms the facade's internal messages once were, sent to the published actor, do nothing.
  caf::anon_send(raw, caf::atom_constant<caf::atom("close")>::value);
  caf::anon_send(raw, caf::atom_constant<caf::atom("wdone")>::value, std::uint64_t{0});
  {
    caf::scoped_actor self{system};
    bool served = false;
    self->request(*handle, std::chrono::seconds(10), kepler::put_atom::value, std::string("after"),
                  std::string("1"), true)
        .receive([&](bool) { served = true; }, [&](caf::error&) {});
    CHECK(served);
  }
  CHECK(server.stop(SIGTERM) == 0);
}
