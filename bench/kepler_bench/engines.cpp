#include "engine.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "kepler/db.hpp"

#ifdef KEPLER_BENCH_HAVE_LEVELDB
#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/write_batch.h>
#endif

namespace kepler::bench {

namespace {

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
    auto r = store_->insert(key, value, kepler::write_options{sync});
    return r ? std::string{} : kepler::to_string(r.error());
  }
  std::string write_batch(const std::vector<std::pair<std::string, std::string>>& kvs,
                          bool sync) override {
    kepler::write_batch batch;
    for (auto& [k, v] : kvs) batch.insert(k, v);
    auto r = store_->write(batch, kepler::write_options{sync});
    return r ? std::string{} : kepler::to_string(r.error());
  }
  std::string get(std::string_view key, std::string* value, bool* found) override {
    auto r = store_->get(key);
    if (!r) return kepler::to_string(r.error());
    *found = r->has_value();
    if (*found) *value = std::move(**r);
    return {};
  }

 private:
  std::unique_ptr<caf::actor_system_config> cfg_;
  std::unique_ptr<caf::actor_system> system_;
  std::unique_ptr<kepler::db> store_;
};

#ifdef KEPLER_BENCH_HAVE_LEVELDB
class leveldb_engine : public engine {
 public:
  leveldb_engine(leveldb::DB* db, const leveldb::FilterPolicy* filter) : db_(db), filter_(filter) {}
  ~leveldb_engine() override {
    delete db_;
    delete filter_;
  }
  std::string name() const override { return "leveldb"; }
  std::string put(std::string_view key, std::string_view value, bool sync) override {
    leveldb::WriteOptions wo;
    wo.sync = sync;
    auto s = db_->Put(wo, leveldb::Slice(key.data(), key.size()),
                      leveldb::Slice(value.data(), value.size()));
    return s.ok() ? std::string{} : s.ToString();
  }
  std::string write_batch(const std::vector<std::pair<std::string, std::string>>& kvs,
                          bool sync) override {
    leveldb::WriteBatch batch;
    for (auto& [k, v] : kvs) batch.Put(k, v);
    leveldb::WriteOptions wo;
    wo.sync = sync;
    auto s = db_->Write(wo, &batch);
    return s.ok() ? std::string{} : s.ToString();
  }
  std::string get(std::string_view key, std::string* value, bool* found) override {
    auto s = db_->Get(leveldb::ReadOptions(), leveldb::Slice(key.data(), key.size()), value);
    *found = s.ok();
    if (s.ok() || s.IsNotFound()) return {};
    return s.ToString();
  }

 private:
  leveldb::DB* db_;
  const leveldb::FilterPolicy* filter_;
};
#endif

}  // namespace

std::vector<std::string> available_engines() {
  std::vector<std::string> names{"kepler"};
#ifdef KEPLER_BENCH_HAVE_LEVELDB
  names.push_back("leveldb");
#endif
  return names;
}

std::unique_ptr<engine> open_engine(const std::string& name, const engine_settings& settings,
                                    std::string* error) {
  if (name == "kepler") {
    kepler::options opts;
    opts.memtable_bytes = settings.memtable_bytes;
    opts.worker_threads = settings.kepler_workers;
    if (settings.kepler_poll != 0) opts.worker_poll_attempts = settings.kepler_poll;
    if (settings.kepler_user_system != 0) {
      auto cfg = std::make_unique<caf::actor_system_config>();
      if (settings.kepler_user_system == 2) kepler::db::tune_scheduler(*cfg, opts);
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
#ifdef KEPLER_BENCH_HAVE_LEVELDB
  if (name == "leveldb") {
    leveldb::Options opts;
    opts.create_if_missing = true;
    opts.compression = leveldb::kNoCompression;  // fair: KeplerDB does not compress
    opts.write_buffer_size = settings.memtable_bytes;
    auto* filter = leveldb::NewBloomFilterPolicy(10);
    opts.filter_policy = filter;
    leveldb::DB* db = nullptr;
    auto s = leveldb::DB::Open(opts, settings.dir, &db);
    if (!s.ok()) {
      delete filter;
      *error = s.ToString();
      return nullptr;
    }
    return std::make_unique<leveldb_engine>(db, filter);
  }
#endif
  *error = "unknown or unavailable engine '" + name + "'";
  return nullptr;
}

}  // namespace kepler::bench
