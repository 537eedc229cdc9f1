// kepler::remote: the actor-system setup both ends share, connecting to a published db actor,
// and the local guard actor that keeps the db actor's promise over a network: every request
// gets a reply (doc/design.md, "CAF"). The only file of the library with CAF's io and openssl
// headers; it is in kepler_remote, not in kepler.

#include "kepler/remote.hpp"

#include <cstdio>
#include <functional>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <unordered_map>

#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "kepler/events.hpp"

namespace kepler::remote {

namespace {

// --- TLS files: checked here, so a bad file is an error rather than an exception deep in CAF.

std::string ssl_error_text() {
  std::string text;
  while (auto code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text.empty() ? std::string("no detail") : text;
}

int passphrase_cb(char* buf, int size, int, void* user) {
  const auto* pass = static_cast<const std::string*>(user);
  auto n = std::min<std::size_t>(pass->size(), static_cast<std::size_t>(size));
  pass->copy(buf, n);
  return static_cast<int>(n);
}

caf::error check_tls_files(const tls_options& tls) {
  struct named {
    const char* what;
    const std::string* path;
  };
  for (auto f : {named{"certificate", &tls.certificate}, named{"key", &tls.key},
                 named{"CA file", &tls.ca_file}}) {
    if (f.path->empty())
      return make_error(ec::invalid_argument,
                        std::string("TLS needs a certificate, a key and a CA file: no ") + f.what);
    if (::access(f.path->c_str(), R_OK) != 0)
      return make_error(ec::invalid_argument,
                        std::string("TLS ") + f.what + " " + *f.path + ": cannot be read");
  }
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_method());
  if (ctx == nullptr) return make_error(ec::io_error, "OpenSSL: " + ssl_error_text());
  caf::error err;
  if (!tls.passphrase.empty()) {
    SSL_CTX_set_default_passwd_cb(ctx, passphrase_cb);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, const_cast<std::string*>(&tls.passphrase));
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, tls.certificate.c_str()) != 1)
    err = make_error(ec::invalid_argument, "TLS certificate " + tls.certificate +
                                               ": not a PEM certificate: " + ssl_error_text());
  else if (SSL_CTX_use_PrivateKey_file(ctx, tls.key.c_str(), SSL_FILETYPE_PEM) != 1)
    err = make_error(ec::invalid_argument,
                     "TLS key " + tls.key +
                         ": not a PEM private key (or a wrong passphrase): " + ssl_error_text());
  else if (SSL_CTX_check_private_key(ctx) != 1)
    err = make_error(ec::invalid_argument,
                     "TLS key " + tls.key + " does not match certificate " + tls.certificate);
  else if (SSL_CTX_load_verify_locations(ctx, tls.ca_file.c_str(), nullptr) != 1)
    err = make_error(ec::invalid_argument,
                     "TLS CA file " + tls.ca_file + ": no PEM certificates: " + ssl_error_text());
  SSL_CTX_free(ctx);
  return err;
}

// --- The guard: a local db_actor in front of the remote proxy.

struct guard_state {
  db_actor remote;
  caf::timespan timeout{};
  std::shared_ptr<std::atomic<bool>> lost_flag;
  bool lost = false;
  std::string why;
  std::uint64_t next_id = 0;
  // What answers a pending request with an error: (the error for writes, for reads).
  std::unordered_map<std::uint64_t, std::function<void(const caf::error&, const caf::error&)>>
      pending;
  ~guard_state() {
    auto left = std::move(pending);
    for (auto& entry : left)
      entry.second(make_error(ec::outcome_unknown,
                              "the client closed while this write was in flight: it may or may "
                              "not have been applied"),
                   make_error(ec::closed, "the client closed"));
  }
  static inline const char* name = "kepler.remote_guard";
};

using guard_ptr = db_actor::stateful_pointer<guard_state>;

// The connection is gone: every pending request fails now, every later one at once.
void lose(guard_ptr self, std::string why) {
  auto& st = self->state;
  if (!st.lost) {
    st.lost = true;
    st.why = std::move(why);
    if (st.lost_flag) st.lost_flag->store(true);
  }
  auto left = std::move(st.pending);
  st.pending.clear();
  for (auto& entry : left)
    entry.second(
        make_error(ec::outcome_unknown, st.why + " while this write was in flight: it may or "
                                                 "may not have been applied"),
        make_error(ec::disconnected, st.why));
}

// What a caller gets for CAF's error `err` on a request: the server's own kepler errors as they
// are; anything else (the proxy died, a timeout) means the connection is in doubt.
caf::error translate(guard_ptr self, const caf::error& err, bool write) {
  if (err.category() == caf::atom("kepler")) return err;
  std::string text = caf::to_string(err);
  if (err == caf::sec::request_timeout) {
    lose(self, "the server did not answer in time (" + text + ")");
  } else {
    lose(self, "the connection to the server was lost (" + text + ")");
  }
  if (write)
    return make_error(ec::outcome_unknown, self->state.why +
                                               " while this write was in flight: it may or may "
                                               "not have been applied");
  return make_error(ec::disconnected, self->state.why);
}

template <class T, class... Ts>
caf::typed_response_promise<T> forward(guard_ptr self, bool write, Ts&&... xs) {
  auto& st = self->state;
  auto rp = self->make_response_promise<T>();
  if (st.lost) {
    rp.deliver(make_error(ec::disconnected, st.why));
    return rp;
  }
  auto id = st.next_id++;
  st.pending.emplace(id,
                     [rp, write](const caf::error& for_write, const caf::error& for_read) mutable {
                       rp.deliver(write ? for_write : for_read);
                     });
  self->request(st.remote, st.timeout, std::forward<Ts>(xs)...)
      .then(
          [self, id, rp](T& x) mutable {
            if (self->state.pending.erase(id) != 0) rp.deliver(std::move(x));
          },
          [self, id, rp, write](caf::error& err) mutable {
            if (self->state.pending.erase(id) == 0) return;
            rp.deliver(translate(self, err, write));
          });
  return rp;
}

db_actor::behavior_type guard(guard_ptr self, db_actor remote, caf::timespan timeout,
                              std::shared_ptr<std::atomic<bool>> lost_flag) {
  self->state.remote = remote;
  self->state.timeout = timeout;
  self->state.lost_flag = std::move(lost_flag);
  // CAF answers nothing pending at a proxy whose node is gone; its down message is our signal.
  self->monitor(remote);
  self->set_down_handler([self](caf::down_msg& msg) {
    if (msg.source == self->state.remote.address())
      lose(self, "the connection to the server was lost (" + caf::to_string(msg.reason) + ")");
  });
  return {
      [self](put_atom, std::string& key, std::string& value, bool sync) {
        return forward<bool>(self, true, put_atom::value, std::move(key), std::move(value), sync);
      },
      [self](remove_atom, std::string& key, bool sync) {
        return forward<bool>(self, true, remove_atom::value, std::move(key), sync);
      },
      [self](write_atom, std::string& encoded, bool sync) {
        return forward<bool>(self, true, write_atom::value, std::move(encoded), sync);
      },
      [self](get_atom, std::string& key) {
        return forward<caf::optional<std::string>>(self, false, get_atom::value, std::move(key));
      },
      [self](scan_atom, caf::optional<std::string>& begin, caf::optional<std::string>& end,
             std::uint64_t limit) {
        return forward<scan_page>(self, false, scan_atom::value, std::move(begin), std::move(end),
                                  limit);
      },
      [self](subscribe_atom, event_subscriber& sub) {
        return forward<bool>(self, false, subscribe_atom::value, std::move(sub));
      },
      [self](unsubscribe_atom, event_subscriber& sub) {
        return forward<bool>(self, false, unsubscribe_atom::value, std::move(sub));
      },
  };
}

}  // namespace

caf::error configure(caf::actor_system_config& cfg, const tls_options* tls,
                     const remote_options& opts) {
  if (tls != nullptr)
    if (auto err = check_tls_files(*tls)) return err;
  cfg.load<caf::io::middleman>();
  if (tls != nullptr) {
    cfg.load<caf::openssl::manager>();
    cfg.openssl_certificate = tls->certificate;
    cfg.openssl_key = tls->key;
    cfg.openssl_cafile = tls->ca_file;
    cfg.openssl_passphrase = tls->passphrase;
  }
  cfg.set("middleman.heartbeat-interval", caf::timespan{opts.heartbeat_interval});
  cfg.set("middleman.connection-timeout", caf::timespan{opts.connection_timeout});
  // Never connect to nodes a peer names (doc/design.md, "CAF": a peer reaches only what we
  // publish).
  cfg.set("middleman.enable-automatic-connections", false);
  // What the db actor's messages carry beyond CAF's built-in types.
  cfg.add_message_type<caf::optional<std::string>>("kepler::optional_string");
  cfg.add_message_type<scan_page>("kepler::scan_page");
  cfg.add_message_type<event_subscriber>("kepler::event_subscriber");
  cfg.add_message_type<flush_started>("kepler::flush_started");
  cfg.add_message_type<flush_finished>("kepler::flush_finished");
  cfg.add_message_type<compaction_started>("kepler::compaction_started");
  cfg.add_message_type<compaction_finished>("kepler::compaction_finished");
  cfg.add_message_type<write_stall_started>("kepler::write_stall_started");
  cfg.add_message_type<write_stall_ended>("kepler::write_stall_ended");
  cfg.add_message_type<store_failed>("kepler::store_failed");
  return {};
}

namespace {

caf::expected<db_actor> connect_impl(caf::actor_system& system, const std::string& host,
                                     std::uint16_t port, const remote_options& opts,
                                     std::shared_ptr<std::atomic<bool>> flag) {
  if (!system.has_middleman())
    return make_error(ec::invalid_argument,
                      "remote::connect: the actor system was not set up by remote::configure");
  std::string where = host + ":" + std::to_string(port);
  try {
    // CAF's remote_actor waits without a deadline (a TLS handshake that fails may never answer):
    // the same request to the middleman actor, with one.
    caf::io::middleman_actor mm = system.has_openssl_manager()
                                      ? system.openssl_manager().actor_handle()
                                      : system.middleman().actor_handle();
    caf::scoped_actor self{system};
    caf::expected<db_actor> result{caf::error{}};
    self->request(mm, caf::timespan{opts.connect_timeout}, caf::connect_atom::value, host, port)
        .receive(
            [&](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>& ifs) {
              if (!ptr) {
                result = make_error(ec::disconnected, where + ": no actor is published there");
                return;
              }
              if (!system.assignable<db_actor>(ifs)) {
                result = make_error(ec::invalid_argument,
                                    where +
                                        ": the actor published there is not a KeplerDB db "
                                        "actor (or its version differs)");
                return;
              }
              result = system.spawn(guard, caf::actor_cast<db_actor>(std::move(ptr)),
                                    caf::timespan{opts.request_timeout}, flag);
            },
            [&](caf::error& err) {
              result = make_error(ec::disconnected,
                                  "cannot connect to " + where + ": " + caf::to_string(err) +
                                      (system.has_openssl_manager()
                                           ? " (with TLS: a refused certificate looks the same)"
                                           : ""));
            });
    return result;
  } catch (const std::exception& e) {
    return make_error(ec::io_error, "cannot connect to " + where + ": " + e.what());
  } catch (...) {
    return make_error(ec::io_error, "cannot connect to " + where + ": unexpected failure");
  }
}

}  // namespace

caf::expected<db_actor> connect(caf::actor_system& system, const std::string& host,
                                std::uint16_t port, const remote_options& opts) {
  return connect_impl(system, host, port, opts, std::make_shared<std::atomic<bool>>(false));
}

void disconnect(const db_actor& handle) {
  if (handle) caf::anon_send_exit(handle, caf::exit_reason::user_shutdown);
}

}  // namespace kepler::remote

// --- remote_db: the blocking client, in an actor system of its own.

namespace kepler {

struct remote_db::impl {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  db_actor guard;
  remote_options opts;
  std::shared_ptr<std::atomic<bool>> lost = std::make_shared<std::atomic<bool>>(false);
  std::atomic<bool> closed{false};
  // Calls hold it shared; close() takes it exclusively before the system goes.
  std::shared_mutex calls;

  // Sends one request to the guard (which always answers) and waits for the reply.
  template <class T, class... Ts>
  caf::expected<T> ask(Ts&&... xs) {
    std::shared_lock<std::shared_mutex> hold(calls);
    if (closed.load()) return make_error(ec::closed, "the remote_db was closed");
    caf::expected<T> result{caf::error{}};
    try {
      caf::scoped_actor self{*system};
      // The guard answers within request_timeout; the extra minute is a backstop only.
      self->request(guard, caf::timespan{opts.request_timeout + std::chrono::seconds(60)},
                    std::forward<Ts>(xs)...)
          .receive([&](T& x) { result = std::move(x); },
                   [&](caf::error& err) {
                     if (err == caf::sec::request_timeout || err == caf::sec::request_receiver_down)
                       result = make_error(ec::disconnected, "the client's guard did not answer (" +
                                                                 caf::to_string(err) + ")");
                     else
                       result = std::move(err);
                   });
    } catch (const std::bad_alloc&) {
      return make_error(ec::out_of_memory, "out of memory in the remote client");
    } catch (const std::exception& e) {
      return make_error(ec::io_error, std::string("unexpected failure: ") + e.what());
    }
    return result;
  }
};

remote_db::remote_db(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

remote_db::~remote_db() {
  close();
}

caf::expected<std::unique_ptr<remote_db>> remote_db::open(const std::string& host,
                                                          std::uint16_t port,
                                                          const tls_options* tls,
                                                          remote_options opts) {
  auto p = std::make_unique<impl>();
  p->opts = opts;
  if (auto err = remote::configure(p->cfg, tls, opts)) return err;
  // A client needs few threads.
  p->cfg.set("scheduler.max-threads", 2);
  try {
    p->system = std::make_unique<caf::actor_system>(p->cfg);
  } catch (const std::exception& e) {
    return make_error(ec::invalid_argument,
                      std::string("cannot start the client's actor system: ") + e.what());
  }
  auto g = remote::connect_impl(*p->system, host, port, opts, p->lost);
  if (!g) return std::move(g.error());
  p->guard = std::move(*g);
  return std::make_unique<remote_db>(std::move(p));
}

caf::expected<void> remote_db::insert(std::string_view key, std::string_view value,
                                      write_options wo) {
  auto r = impl_->ask<bool>(put_atom::value, std::string(key), std::string(value), wo.sync);
  if (!r) return std::move(r.error());
  return caf::unit;
}

caf::expected<std::optional<std::string>> remote_db::get(std::string_view key) {
  auto r = impl_->ask<caf::optional<std::string>>(get_atom::value, std::string(key));
  if (!r) return std::move(r.error());
  if (!*r) return std::optional<std::string>{};
  return std::optional<std::string>{std::move(**r)};
}

caf::expected<void> remote_db::remove(std::string_view key, write_options wo) {
  auto r = impl_->ask<bool>(remove_atom::value, std::string(key), wo.sync);
  if (!r) return std::move(r.error());
  return caf::unit;
}

caf::expected<void> remote_db::write(const write_batch& batch, write_options wo) {
  auto r = impl_->ask<bool>(write_atom::value, batch.encoding(), wo.sync);
  if (!r) return std::move(r.error());
  return caf::unit;
}

caf::expected<std::vector<std::pair<std::string, std::string>>> remote_db::scan(
    std::optional<std::string_view> begin, std::optional<std::string_view> end, std::size_t limit) {
  std::vector<std::pair<std::string, std::string>> out;
  caf::optional<std::string> from;
  if (begin) from = std::string(*begin);
  caf::optional<std::string> to;
  if (end) to = std::string(*end);
  for (;;) {
    std::uint64_t want = limit == 0 ? 0 : limit - out.size();
    auto page = impl_->ask<scan_page>(scan_atom::value, from, to, want);
    if (!page) return std::move(page.error());
    bool more = page->more && !page->pairs.empty();
    if (more) from = page->pairs.back().first + '\0';
    for (auto& p : page->pairs) out.push_back(std::move(p));
    if (!more || (limit != 0 && out.size() >= limit)) return out;
  }
}

bool remote_db::connected() const {
  return !impl_->closed.load() && !impl_->lost->load();
}

caf::expected<void> remote_db::close() {
  if (!impl_ || impl_->closed.exchange(true)) return caf::unit;
  // The guard answers whatever is pending as it stops; then no call is left in the system.
  caf::anon_send_exit(impl_->guard, caf::exit_reason::user_shutdown);
  std::unique_lock<std::shared_mutex> wait(impl_->calls);
  impl_->guard = db_actor{};
  impl_->system.reset();
  return caf::unit;
}

}  // namespace kepler
