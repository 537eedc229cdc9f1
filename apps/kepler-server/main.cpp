// kepler-server: serves one KeplerDB store to remote clients (kepler::remote_db,
// kepler::remote::connect, `kepler --connect`) over CAF's middleman, optionally with mutual TLS.
//
//   kepler-server DIR [--bind ADDR] [--port N] [--port-file F]
//                     [--tls-cert F --tls-key F --tls-ca F] [--insecure]
//
// The store runs in the server's own actor system (db::open(system, dir)); the published actor
// is a thin front of the store's db actor (server_front.hpp; doc/design.md, "CAF": a peer
// reaches that actor's messages only). SIGINT or SIGTERM: stop accepting, refuse new requests,
// let those in flight finish, close the store, exit 0.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "kepler/db.hpp"
#include "kepler/db_actor.hpp"
#include "kepler/remote.hpp"
#include "server_front.hpp"

namespace {

constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

bool is_loopback(const std::string& addr) {
  if (addr == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, addr.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, addr.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

// Writes the port for scripts: a temporary file renamed over `path`, so a reader never sees a
// partial one.
bool write_port_file(const std::string& path, std::uint16_t port) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

// Closes the listening port (the connections made stay). CAF 0.17.6's openssl::unpublish does
// not compile (it names 0.18's unpublish_atom_v), so this asks the middleman actor itself.
void stop_listening(caf::actor_system& system, const kepler::db_actor& front, std::uint16_t port,
                    bool with_tls) {
  caf::io::middleman_actor mm =
      with_tls ? system.openssl_manager().actor_handle() : system.middleman().actor_handle();
  caf::scoped_actor self{system};
  self->request(mm, std::chrono::seconds(5), caf::unpublish_atom::value, front.address(), port)
      .receive([] {}, [](caf::error&) {});
}

int fail(const std::string& message) {
  std::fprintf(stderr, "kepler-server: %s\n", message.c_str());
  return exit_failed;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "kepler-server: serves a KeplerDB store to remote clients (kepler --connect, "
      "kepler::remote_db)"};
  app.name("kepler-server");
  std::string dir, bind = "127.0.0.1", port_file;
  std::uint16_t port = 0;
  kepler::tls_options tls;
  bool insecure = false;
  app.add_option("DIR", dir, "store directory (created when missing)")->required();
  app.add_option("--bind", bind, "address to listen on (default 127.0.0.1)");
  app.add_option("--port", port, "TCP port (default 0: pick a free one and print it)");
  app.add_option("--port-file", port_file, "write the port to this file once listening");
  auto* cert = app.add_option("--tls-cert", tls.certificate, "server certificate (PEM)");
  auto* key = app.add_option("--tls-key", tls.key, "server private key (PEM)");
  auto* ca = app.add_option("--tls-ca", tls.ca_file,
                            "CA (PEM) that must have signed every client's certificate");
  cert->needs(key)->needs(ca);
  key->needs(cert);
  ca->needs(cert);
  app.add_flag("--insecure", insecure,
               "allow a non-loopback --bind without TLS (anyone reaching it can read and write "
               "the store)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "kepler-server: %s\nkepler-server: run 'kepler-server --help'\n",
                 e.what());
    return exit_usage;
  }
  const bool with_tls = !tls.certificate.empty();
  if (!with_tls && !is_loopback(bind)) {
    if (!insecure) {
      std::fprintf(stderr,
                   "kepler-server: refusing to serve %s without TLS: anyone who can reach it "
                   "could read, write and delete every key. Give --tls-cert, --tls-key and "
                   "--tls-ca, or --insecure to allow it anyway.\n",
                   bind.c_str());
      return exit_usage;
    }
    std::fprintf(stderr,
                 "kepler-server: --insecure: serving %s without TLS or authentication: anyone "
                 "who can reach this address and port can read, write and delete every key of "
                 "the store, and read all traffic on the way\n",
                 bind.c_str());
  }

  // SIGINT and SIGTERM are taken by sigwait below: blocked here, before any thread starts, so
  // every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  caf::actor_system_config cfg;
  kepler::db::tune_scheduler(cfg);
  if (auto err = kepler::remote::configure(cfg, with_tls ? &tls : nullptr))
    return fail(kepler::to_string(err));
  std::unique_ptr<caf::actor_system> system;
  try {
    system = std::make_unique<caf::actor_system>(cfg);
  } catch (const std::exception& e) {
    return fail(std::string("cannot start the actor system: ") + e.what());
  }
  int code = 0;
  {
    auto opened = kepler::db::open(*system, dir);
    if (!opened) return fail(dir + ": " + kepler::to_string(opened.error()));
    auto& store = **opened;
    auto stopping = std::make_shared<std::atomic<bool>>(false);
    auto front = kepler::server::spawn_front(*system, kepler::actor_of(store), stderr, stopping);
    auto published = with_tls ? caf::openssl::publish(front, port, bind.c_str(), true)
                              : system->middleman().publish(front, port, bind.c_str(), true);
    if (!published) {
      caf::anon_send_exit(front, caf::exit_reason::user_shutdown);
      (void)store.close();
      return fail("cannot listen on " + bind + ":" + std::to_string(port) + ": " +
                  system->render(published.error()));
    }
    std::uint16_t bound = *published;
    std::printf("kepler-server: listening on %s:%u%s\n", bind.c_str(), bound,
                with_tls ? " (mutual TLS)" : "");
    std::fflush(stdout);
    if (!port_file.empty() && !write_port_file(port_file, bound))
      std::fprintf(stderr, "kepler-server: cannot write the port file %s\n", port_file.c_str());

    int sig = 0;
    sigwait(&stop_signals, &sig);
    std::fprintf(stderr, "kepler-server: %s: stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    // Stop accepting; refuse what arrives from now on; what is in flight finishes in close().
    stop_listening(*system, front, bound, with_tls);
    stopping->store(true);
    auto closed = store.close();
    caf::anon_send_exit(front, caf::exit_reason::user_shutdown);
    if (!closed) {
      std::fprintf(stderr, "kepler-server: closing the store: %s\n",
                   kepler::to_string(closed.error()).c_str());
      code = exit_failed;
    } else {
      std::fprintf(stderr, "kepler-server: store closed\n");
    }
  }
  system.reset();
  return code;
}
