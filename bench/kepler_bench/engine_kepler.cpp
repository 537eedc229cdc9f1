// KeplerDB through its public blocking API.

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "async_client.hpp"
#include "engine.hpp"
#include "kepler/db.hpp"

namespace kepler::bench {

namespace {

std::string error_text(const caf::expected<void>& r) {
  return r ? std::string{} : kepler::to_string(r.error());
}

class kepler_iterator : public iterator {
 public:
  explicit kepler_iterator(std::unique_ptr<kepler::iterator> it) : it_(std::move(it)) {}
  void seek_to_first() override { it_->seek_to_first(); }
  void seek_to_last() override { it_->seek_to_last(); }
  void seek(std::string_view target) override { it_->seek(target); }
  bool valid() const override { return it_->valid(); }
  void next() override { it_->next(); }
  void prev() override { it_->prev(); }
  std::string_view key() const override { return it_->key(); }
  std::string_view value() const override { return it_->value(); }
  std::string status() const override { return error_text(it_->status()); }

 private:
  std::unique_ptr<kepler::iterator> it_;
};

class kepler_engine : public engine {
 public:
  explicit kepler_engine(std::unique_ptr<kepler::db> store) : store_(std::move(store)) {}
  // A store in a user's actor system: the store closes before the system goes.
  kepler_engine(std::unique_ptr<caf::actor_system_config> cfg,
                std::unique_ptr<caf::actor_system> system, std::unique_ptr<kepler::db> store)
      : cfg_(std::move(cfg)), system_(std::move(system)), store_(std::move(store)) {}
  ~kepler_engine() override {
    if (store_) store_->close();
  }
  std::string name() const override { return "kepler"; }
  std::string put(std::string_view key, std::string_view value, bool sync) override {
    return error_text(store_->insert(key, value, kepler::write_options{sync}));
  }
  std::string remove(std::string_view key, bool sync) override {
    return error_text(store_->remove(key, kepler::write_options{sync}));
  }
  std::string write_batch(const key_values& kvs, bool sync) override {
    kepler::write_batch batch;
    for (auto& [k, v] : kvs) batch.insert(k, v);
    return error_text(store_->write(batch, kepler::write_options{sync}));
  }
  std::string get(std::string_view key, std::string* value, bool* found) override {
    auto r = store_->get(key);
    if (!r) return kepler::to_string(r.error());
    *found = r->has_value();
    if (*found) *value = std::move(**r);
    return {};
  }
  std::unique_ptr<iterator> new_iterator() override {
    auto it = store_->new_iterator();
    if (!it) return std::make_unique<failed_iterator>(kepler::to_string(it.error()));
    return std::make_unique<kepler_iterator>(std::move(*it));
  }
  std::string compact_all() override {
    return error_text(store_->compact_range(std::nullopt, std::nullopt));
  }
  std::string stats() override {
    auto s = store_->stats();
    return s ? s->to_string() : "stats failed: " + kepler::to_string(s.error());
  }
  bool has_actor_interface() const override { return system_ != nullptr; }
  std::string put_async(const async_plan& plan) override {
    if (!system_) return "the store was not opened for an actor client";
    return run_async_client(*system_, *store_, plan);
  }

 private:
  std::unique_ptr<caf::actor_system_config> cfg_;
  std::unique_ptr<caf::actor_system> system_;
  std::unique_ptr<kepler::db> store_;
};

}  // namespace

std::unique_ptr<engine> open_kepler(const engine_settings& settings, std::string* error) {
  kepler::options opts;
  opts.memtable_bytes = settings.memtable_bytes;
  opts.compression = settings.compression == codec::zstd  ? kepler::compression_type::zstd
                     : settings.compression == codec::lz4 ? kepler::compression_type::lz4
                                                          : kepler::compression_type::none;
  opts.worker_threads = settings.kepler_workers;
  if (settings.kepler_poll != 0) opts.worker_poll_attempts = settings.kepler_poll;
  if (settings.kepler_user_system != 0 || settings.actor_client) {
    auto cfg = std::make_unique<caf::actor_system_config>();
    // An actor client with the store's own settings: the system tuned as db::open tunes its own.
    if (settings.kepler_user_system != 1) kepler::db::tune_scheduler(*cfg, opts);
    cfg->set("logger.file-verbosity", caf::atom("quiet"));
    cfg->set("logger.console-verbosity", caf::atom("quiet"));
    auto system = std::make_unique<caf::actor_system>(*cfg);
    auto store = kepler::db::open(*system, settings.dir, opts);
    if (!store) {
      *error = kepler::to_string(store.error());
      return nullptr;
    }
    return std::make_unique<kepler_engine>(std::move(cfg), std::move(system), std::move(*store));
  }
  auto store = kepler::db::open(settings.dir, opts);
  if (!store) {
    *error = kepler::to_string(store.error());
    return nullptr;
  }
  return std::make_unique<kepler_engine>(std::move(*store));
}

}  // namespace kepler::bench
