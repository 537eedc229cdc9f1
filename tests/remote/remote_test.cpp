// kepler-server and its clients over loopback: every call through kepler::remote_db and through
// a remote db_actor, mutual TLS (and a client without a valid certificate refused), the server
// killed with calls pending (every call returns, none hangs) and restarted (every acknowledged
// write is there).

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "kepler/remote.hpp"
#include "remote/server_process.hpp"
#include "test_dir.hpp"

using kepler::test::server_process;
using kepler::test::temp_dir;
using kepler::test::test_certificates;

namespace {

bool has_code(const caf::error& err, kepler::ec code) {
  return err.category() == caf::atom("kepler") && err.code() == static_cast<std::uint8_t>(code);
}

template <class T, class... Ts>
caf::expected<T> ask(caf::scoped_actor& self, const kepler::db_actor& store, Ts&&... xs) {
  caf::expected<T> result{caf::error{}};
  self->request(store, std::chrono::seconds(30), std::forward<Ts>(xs)...)
      .receive([&](T& x) { result = std::move(x); },
               [&](caf::error& err) { result = std::move(err); });
  return result;
}

// Every call of remote_db against a fresh server, checked.
void run_every_call(kepler::remote_db& db) {
  REQUIRE(db.insert("a", "1"));
  REQUIRE(db.insert("b", "2", kepler::write_options{true}));
  auto a = db.get("a");
  REQUIRE(a);
  REQUIRE(*a);
  CHECK(**a == "1");
  REQUIRE(db.remove("a"));
  auto gone = db.get("a");
  REQUIRE(gone);
  CHECK_FALSE(*gone);
  kepler::write_batch batch;
  batch.insert("c", "3");
  batch.insert("d", "4");
  batch.remove("b");
  REQUIRE(db.write(batch));
  auto all = db.scan(std::nullopt, std::nullopt);
  REQUIRE(all);
  using pairs = std::vector<std::pair<std::string, std::string>>;
  CHECK(*all == pairs{{"c", "3"}, {"d", "4"}});
  auto one = db.scan(std::string_view("c"), std::string_view("d"), 0);
  REQUIRE(one);
  CHECK(*one == pairs{{"c", "3"}});
  auto limited = db.scan(std::nullopt, std::nullopt, 1);
  REQUIRE(limited);
  CHECK(limited->size() == 1);
  // The server's errors come back as they are.
  auto too_long = db.insert(std::string(kepler::max_key_bytes + 1, 'k'), "v");
  REQUIRE_FALSE(too_long);
  CHECK(has_code(too_long.error(), kepler::ec::invalid_argument));
  // Binary keys and values cross intact.
  std::string bin("\0\xff\x01", 3);
  REQUIRE(db.insert(bin, bin));
  auto got = db.get(bin);
  REQUIRE(got);
  REQUIRE(*got);
  CHECK(**got == bin);
}

}  // namespace

TEST_CASE("remote_db and a remote db_actor run every call against kepler-server") {
  temp_dir store;
  server_process server(store.path(), {});
  REQUIRE_MESSAGE(server.port() != 0, server.err());
  CHECK(server.out().find("kepler-server: listening on 127.0.0.1:" +
                          std::to_string(server.port())) != std::string::npos);
  {
    auto db = kepler::remote_db::open("127.0.0.1", server.port());
    REQUIRE_MESSAGE(db, kepler::to_string(db.error()));
    run_every_call(**db);
    // Scans page on past max_scan_reply_bytes: 40 values of 2 MiB (80 MiB) in at least 2 pages.
    std::string big(2u << 20, 'v');
    for (int i = 0; i < 40; ++i) REQUIRE((*db)->insert("big" + std::to_string(100 + i), big));
    auto bigs = (*db)->scan(std::string_view("big"), std::string_view("bih"));
    REQUIRE(bigs);
    CHECK(bigs->size() == 40);
    CHECK(bigs->back().second == big);
    CHECK((*db)->connected());
    REQUIRE((*db)->close());
    auto after = (*db)->get("c");
    REQUIRE_FALSE(after);
    CHECK(has_code(after.error(), kepler::ec::closed));
  }
  {
    caf::actor_system_config cfg;
    REQUIRE_FALSE(kepler::remote::configure(cfg, nullptr));
    caf::actor_system system{cfg};
    auto handle = kepler::remote::connect(system, "127.0.0.1", server.port());
    REQUIRE_MESSAGE(handle, kepler::to_string(handle.error()));
    caf::scoped_actor self{system};
    using namespace kepler;
    CHECK(ask<bool>(self, *handle, put_atom::value, std::string("x"), std::string("9"), true));
    auto x = ask<caf::optional<std::string>>(self, *handle, get_atom::value, std::string("x"));
    REQUIRE(x);
    REQUIRE(*x);
    CHECK(**x == "9");
    CHECK(ask<bool>(self, *handle, remove_atom::value, std::string("c"), false));
    kepler::write_batch batch;
    batch.insert("y", "8");
    CHECK(ask<bool>(self, *handle, write_atom::value, batch.encoding(), false));
    auto page = ask<scan_page>(self, *handle, scan_atom::value, caf::optional<std::string>("d"),
                               caf::optional<std::string>("z"), std::uint64_t{0});
    REQUIRE(page);
    std::vector<std::string> keys;
    for (auto& p : page->pairs) keys.push_back(p.first);
    CHECK(keys == std::vector<std::string>{"d", "x", "y"});
    CHECK_FALSE(page->more);
    kepler::remote::disconnect(*handle);
  }
  // SIGTERM: the server closes the store and exits 0; the store then holds what was written.
  CHECK(server.stop(SIGTERM) == 0);
  auto log = server.err();
  MESSAGE("server log:\n" << log);
  CHECK(log.find("connected") != std::string::npos);
  CHECK(log.find("disconnected") != std::string::npos);
  CHECK(log.find("store closed") != std::string::npos);
  auto reopened = kepler::db::open(store.path());
  REQUIRE(reopened);
  CHECK((*reopened)->get("y")->value() == "8");
  CHECK_FALSE((*reopened)->get("c")->has_value());
}

TEST_CASE("kepler-server refuses a non-loopback bind without TLS unless insecure") {
  temp_dir store;
  server_process refused(store.path(), {"--bind", "0.0.0.0"}, std::chrono::seconds(10));
  CHECK(refused.port() == 0);
  CHECK(refused.exited());
  CHECK(refused.status() == 2);
  CHECK(refused.err().find("without TLS") != std::string::npos);
  server_process allowed(store.path(), {"--bind", "0.0.0.0", "--insecure"});
  REQUIRE_MESSAGE(allowed.port() != 0, allowed.err());
  CHECK(allowed.err().find("--insecure") != std::string::npos);
  auto db = kepler::remote_db::open("127.0.0.1", allowed.port());
  REQUIRE_MESSAGE(db, kepler::to_string(db.error()));
  CHECK((*db)->insert("k", "v"));
  CHECK(allowed.stop(SIGINT) == 0);
}

TEST_CASE("kepler-server with mutual TLS serves a client with a certificate of its CA only") {
  test_certificates certs;
  REQUIRE_MESSAGE(certs.ok(), certs.log());
  temp_dir store;
  server_process server(store.path(), {"--tls-cert", certs.file("server.pem"), "--tls-key",
                                       certs.file("server.key"), "--tls-ca", certs.file("ca.pem")});
  REQUIRE_MESSAGE(server.port() != 0, server.err());
  CHECK(server.out().find("mutual TLS") != std::string::npos);
  kepler::remote_options quick;
  quick.connect_timeout = std::chrono::seconds(5);
  {
    kepler::tls_options tls{certs.file("client.pem"), certs.file("client.key"),
                            certs.file("ca.pem"), ""};
    auto db = kepler::remote_db::open("127.0.0.1", server.port(), &tls, quick);
    REQUIRE_MESSAGE(db, kepler::to_string(db.error()));
    run_every_call(**db);
    // Through a remote db_actor over TLS as well.
    caf::actor_system_config cfg;
    REQUIRE_FALSE(kepler::remote::configure(cfg, &tls));
    caf::actor_system system{cfg};
    auto handle = kepler::remote::connect(system, "127.0.0.1", server.port(), quick);
    REQUIRE_MESSAGE(handle, kepler::to_string(handle.error()));
    caf::scoped_actor self{system};
    CHECK(ask<bool>(self, *handle, kepler::put_atom::value, std::string("t"), std::string("1"),
                    false));
    kepler::remote::disconnect(*handle);
  }
  int refused = 0;
  auto started = std::chrono::steady_clock::now();
  {
    // A certificate from another CA.
    kepler::tls_options rogue{certs.file("intruder.pem"), certs.file("intruder.key"),
                              certs.file("ca.pem"), ""};
    auto db = kepler::remote_db::open("127.0.0.1", server.port(), &rogue, quick);
    if (!db) {
      ++refused;
      MESSAGE("rogue certificate: " << kepler::to_string(db.error()));
    }
    CHECK_FALSE(db);
  }
  {
    // No TLS at all against the TLS port.
    auto db = kepler::remote_db::open("127.0.0.1", server.port(), nullptr, quick);
    if (!db) {
      ++refused;
      MESSAGE("plain client: " << kepler::to_string(db.error()));
    }
    CHECK_FALSE(db);
  }
  {
    // A client that trusts another CA refuses the server.
    kepler::tls_options wrong_ca{certs.file("client.pem"), certs.file("client.key"),
                                 certs.file("rogue.pem"), ""};
    auto db = kepler::remote_db::open("127.0.0.1", server.port(), &wrong_ca, quick);
    if (!db) ++refused;
    CHECK_FALSE(db);
  }
  {
    // A key that does not belong to the certificate is caught before connecting.
    kepler::tls_options mismatched{certs.file("client.pem"), certs.file("server.key"),
                                   certs.file("ca.pem"), ""};
    auto db = kepler::remote_db::open("127.0.0.1", server.port(), &mismatched, quick);
    REQUIRE_FALSE(db);
    CHECK(has_code(db.error(), kepler::ec::invalid_argument));
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  MESSAGE("refused clients: " << refused << " of 3 in " << secs << " s");
  CHECK(refused == 3);
  // The server kept serving through them.
  kepler::tls_options tls{certs.file("client.pem"), certs.file("client.key"), certs.file("ca.pem"),
                          ""};
  auto again = kepler::remote_db::open("127.0.0.1", server.port(), &tls, quick);
  REQUIRE_MESSAGE(again, kepler::to_string(again.error()));
  CHECK((*again)->get("t")->value() == "1");
  (*again)->close();
  CHECK(server.stop(SIGTERM) == 0);
}

TEST_CASE("a server killed with calls pending fails every call and loses no acknowledged write") {
  temp_dir store;
  auto server = std::make_unique<server_process>(store.path(), std::vector<std::string>{});
  REQUIRE_MESSAGE(server->port() != 0, server->err());
  kepler::remote_options opts;
  opts.request_timeout = std::chrono::seconds(20);
  auto db = kepler::remote_db::open("127.0.0.1", server->port(), nullptr, opts);
  REQUIRE_MESSAGE(db, kepler::to_string(db.error()));
  constexpr int writers = 8;
  std::mutex mu;
  std::set<std::string> acked;
  std::atomic<int> outcome_unknown{0}, disconnected{0}, other_errors{0}, calls_after{0};
  std::atomic<bool> stop{false};
  std::vector<std::future<void>> done;
  for (int w = 0; w < writers; ++w)
    done.push_back(std::async(std::launch::async, [&, w] {
      for (int i = 0;; ++i) {
        std::string key = "w" + std::to_string(w) + "-" + std::to_string(i);
        auto r = (*db)->insert(key, std::string(100, 'v'), kepler::write_options{i % 2 == 0});
        if (r) {
          std::lock_guard<std::mutex> g(mu);
          acked.insert(key);
          continue;
        }
        if (has_code(r.error(), kepler::ec::outcome_unknown))
          ++outcome_unknown;
        else if (has_code(r.error(), kepler::ec::disconnected))
          ++disconnected;
        else
          ++other_errors;
        // A read and a write after the loss fail at once.
        auto g = (*db)->get(key);
        auto p = (*db)->insert(key, "again");
        if (!g && !p && has_code(g.error(), kepler::ec::disconnected) &&
            has_code(p.error(), kepler::ec::disconnected))
          ++calls_after;
        return;
      }
    }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto killed_at = std::chrono::steady_clock::now();
  server->stop(SIGKILL);
  int hung = 0;
  double slowest = 0;
  for (auto& f : done) {
    if (f.wait_until(killed_at + std::chrono::seconds(15)) != std::future_status::ready) {
      ++hung;
      continue;
    }
    slowest = std::max(
        slowest,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count());
  }
  MESSAGE("acknowledged writes: " << acked.size() << ", in flight at the kill: outcome_unknown "
                                  << outcome_unknown.load() << ", disconnected "
                                  << disconnected.load() << ", other errors " << other_errors.load()
                                  << "; calls after the loss failing at "
                                  << "once: " << calls_after.load() << "/" << writers
                                  << "; hung calls: " << hung << "; last call returned " << slowest
                                  << " s after the kill");
  REQUIRE(hung == 0);
  CHECK(other_errors.load() == 0);
  CHECK(calls_after.load() == writers);
  CHECK_FALSE((*db)->connected());
  CHECK(acked.size() > 0);
  (*db)->close();
  // Restarted on the same directory: every acknowledged write is there.
  server = std::make_unique<server_process>(store.path(), std::vector<std::string>{});
  REQUIRE_MESSAGE(server->port() != 0, server->err());
  auto again = kepler::remote_db::open("127.0.0.1", server->port());
  REQUIRE_MESSAGE(again, kepler::to_string(again.error()));
  auto all = (*again)->scan(std::nullopt, std::nullopt);
  REQUIRE(all);
  std::set<std::string> present;
  for (auto& p : *all) present.insert(p.first);
  int lost_acked = 0;
  for (const auto& k : acked)
    if (present.count(k) == 0) ++lost_acked;
  MESSAGE("after the restart: " << present.size() << " keys present, lost_acked " << lost_acked);
  CHECK(lost_acked == 0);
  (*again)->close();
  CHECK(server->stop(SIGTERM) == 0);
}
