#pragma once
// A KeplerDB store served by kepler-server, reached over CAF's middleman (TCP, optionally TLS).
// Link kepler::kepler_remote (it brings CAF's io and openssl modules; plain users of
// kepler::kepler do not pay for them).
//
// Blocking, the same calls and errors as kepler::db, so code switches by one line:
//
//   auto store = kepler::remote_db::open("127.0.0.1", 7411);   // or kepler::db::open(dir)
//   if (!store) { std::cerr << kepler::to_string(store.error()); return; }
//   (*store)->insert("key", "value");
//
// From actors: configure your actor system with remote::configure (on both ends: it registers
// the types the db actor's messages carry), then remote::connect gives a kepler::db_actor.
//
// Losing the server. When the connection drops (the server stopped or died, the network broke)
// or the server stops answering (no reply within remote_options::request_timeout, or no
// heartbeat within remote_options::connection_timeout), every pending call returns an error and
// so does every later call; none hangs:
//   - a write (insert, remove, write) that was sent gets ec::outcome_unknown: it may or may not
//     have been applied. Read the key back before retrying a write that must not apply twice.
//   - a read (get, scan), and any call made after the loss, gets ec::disconnected: it did
//     nothing.
// Nothing reconnects by itself: reconnecting is the caller's choice (open a new remote_db, or
// connect again), since only the caller knows whether its writes in doubt must be checked first.
//
// Security. Without TLS anyone who can reach the port can read and write the store. With TLS
// (tls_options) both ends present a certificate and each checks that the other's is signed by
// its CA file (mutual TLS, enforced by CAF's openssl module with SSL_VERIFY_PEER |
// SSL_VERIFY_FAIL_IF_NO_PEER_CERT). The peer's host name is not checked against its
// certificate: any certificate the CA signed is accepted, so use a CA of your own for the store.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "kepler/db_actor.hpp"
#include "kepler/errors.hpp"
#include "kepler/options.hpp"
#include "kepler/write_batch.hpp"

namespace caf {
class actor_system;
class actor_system_config;
}  // namespace caf

namespace kepler {

/// PEM files for mutual TLS. All three are required.
struct tls_options {
  /// This end's certificate (chain), signed by the CA the other end trusts.
  std::string certificate;
  /// This end's private key.
  std::string key;
  /// The CA whose signature the other end's certificate must carry.
  std::string ca_file;
  /// The private key's passphrase, if it has one.
  std::string passphrase;
};

/// Timeouts of a remote client (the last resort: a dropped connection is noticed at once).
struct remote_options {
  /// Connecting (TCP and the TLS and CAF handshakes) fails with ec::disconnected after this.
  std::chrono::milliseconds connect_timeout{10000};
  /// A call without a reply after this fails (writes: ec::outcome_unknown; reads:
  /// ec::disconnected) and the connection counts as lost.
  std::chrono::milliseconds request_timeout{60000};
  /// CAF's heartbeat: a peer silent for connection_timeout is dropped (0 turns heartbeats off).
  std::chrono::milliseconds heartbeat_interval{1000};
  std::chrono::milliseconds connection_timeout{10000};
};

namespace remote {

/// Prepares `cfg` (before the actor system is made) for serving or reaching a store: loads CAF's
/// io module, and with `tls` the openssl module with its files; sets the heartbeat of `opts`;
/// registers every type the db actor's messages carry (caf::optional<std::string>, scan_page,
/// the events of events.hpp). Both ends must call it. Errors: ec::invalid_argument when a TLS
/// file is missing, unreadable or not what it should be (the message names it).
caf::error configure(caf::actor_system_config& cfg, const tls_options* tls,
                     const remote_options& opts = {});

/// Connects to the db actor kepler-server publishes at host:port, over TLS when `system` was
/// configured with it, and returns a local db_actor that forwards to it with the promises
/// above: every request gets a reply, also when the connection drops (see the header comment).
/// Errors: ec::disconnected (refused, timed out, TLS handshake failed; the message says which
/// as far as CAF tells), ec::invalid_argument (`system` not configured by configure, or the
/// actor there is not a db actor).
/// Call disconnect(handle) when done with it: an actor that has sent to another node stays
/// registered with CAF's middleman (so replies can reach it), and the actor system's destructor
/// would wait for it.
caf::expected<db_actor> connect(caf::actor_system& system, const std::string& host,
                                std::uint16_t port, const remote_options& opts = {});

/// Stops the local actor connect() returned: its pending requests get ec::outcome_unknown
/// (writes) or ec::closed (reads); the connection goes once nothing else uses it.
void disconnect(const db_actor& handle);

}  // namespace remote

/// A blocking client of a remote store: kepler::db's calls and errors, over the network.
/// Thread-safe. Beside each call's own errors (those of the matching kepler::db call), every
/// call can return ec::disconnected and writes ec::outcome_unknown (see the header comment);
/// after close() calls return ec::closed.
class remote_db {
 public:
  /// Connects to kepler-server at host:port (with TLS when `tls` is given), in an actor system
  /// of its own. Errors: those of remote::configure and remote::connect.
  static caf::expected<std::unique_ptr<remote_db>> open(const std::string& host, std::uint16_t port,
                                                        const tls_options* tls = nullptr,
                                                        remote_options opts = {});

  ~remote_db();
  remote_db(const remote_db&) = delete;
  remote_db& operator=(const remote_db&) = delete;

  caf::expected<void> insert(std::string_view key, std::string_view value, write_options wo = {});
  caf::expected<std::optional<std::string>> get(std::string_view key);
  caf::expected<void> remove(std::string_view key, write_options wo = {});
  caf::expected<void> write(const write_batch& batch, write_options wo = {});
  /// db::scan: the pairs with begin <= key < end, at most `limit` (0: all), in pages of at most
  /// max_scan_reply_bytes each. Unlike db::scan, the pages are read at different moments: a
  /// write between two pages may or may not show.
  caf::expected<std::vector<std::pair<std::string, std::string>>> scan(
      std::optional<std::string_view> begin, std::optional<std::string_view> end,
      std::size_t limit = 0);

  /// True while no call has seen the connection lost.
  bool connected() const;

  /// Drops the connection and stops the client's actor system; the server's store stays open.
  /// Later calls return ec::closed. Closing twice is fine.
  caf::expected<void> close();

  struct impl;
  explicit remote_db(std::unique_ptr<impl> p);

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace kepler
