// LevelDB (Debian's libleveldb-dev): no compression, bloom filter, KeplerDB's memtable size.

#ifdef KEPLER_BENCH_HAVE_LEVELDB

#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/iterator.h>
#include <leveldb/write_batch.h>

#include "engine.hpp"

namespace kepler::bench {

namespace {

leveldb::Slice slice(std::string_view s) {
  return {s.data(), s.size()};
}
std::string_view view(const leveldb::Slice& s) {
  return {s.data(), s.size()};
}
std::string error_text(const leveldb::Status& s) {
  return s.ok() ? std::string{} : s.ToString();
}

class leveldb_iterator : public iterator {
 public:
  explicit leveldb_iterator(leveldb::Iterator* it) : it_(it) {}
  void seek_to_first() override { it_->SeekToFirst(); }
  void seek_to_last() override { it_->SeekToLast(); }
  void seek(std::string_view target) override { it_->Seek(slice(target)); }
  bool valid() const override { return it_->Valid(); }
  void next() override { it_->Next(); }
  void prev() override { it_->Prev(); }
  std::string_view key() const override { return view(it_->key()); }
  std::string_view value() const override { return view(it_->value()); }
  std::string status() const override { return error_text(it_->status()); }

 private:
  std::unique_ptr<leveldb::Iterator> it_;
};

class leveldb_engine : public engine {
 public:
  leveldb_engine(leveldb::DB* db, const leveldb::FilterPolicy* filter) : db_(db), filter_(filter) {}
  ~leveldb_engine() override {
    delete db_;
    delete filter_;
  }
  std::string name() const override { return "leveldb"; }
  std::string put(std::string_view key, std::string_view value, bool sync) override {
    return error_text(db_->Put(options(sync), slice(key), slice(value)));
  }
  std::string remove(std::string_view key, bool sync) override {
    return error_text(db_->Delete(options(sync), slice(key)));
  }
  std::string write_batch(const key_values& kvs, bool sync) override {
    leveldb::WriteBatch batch;
    for (auto& [k, v] : kvs) batch.Put(k, v);
    return error_text(db_->Write(options(sync), &batch));
  }
  std::string get(std::string_view key, std::string* value, bool* found) override {
    auto s = db_->Get(leveldb::ReadOptions(), slice(key), value);
    *found = s.ok();
    return s.ok() || s.IsNotFound() ? std::string{} : s.ToString();
  }
  std::unique_ptr<iterator> new_iterator() override {
    return std::make_unique<leveldb_iterator>(db_->NewIterator(leveldb::ReadOptions()));
  }

 private:
  static leveldb::WriteOptions options(bool sync) {
    leveldb::WriteOptions wo;
    wo.sync = sync;
    return wo;
  }
  leveldb::DB* db_;
  const leveldb::FilterPolicy* filter_;
};

}  // namespace

std::unique_ptr<engine> open_leveldb(const engine_settings& settings, std::string* error) {
  leveldb::Options opts;
  opts.create_if_missing = true;
  opts.compression = leveldb::kNoCompression;  // fair: KeplerDB does not compress
  opts.write_buffer_size = settings.memtable_bytes;
  auto* filter = leveldb::NewBloomFilterPolicy(settings.bloom_bits_per_key);
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

}  // namespace kepler::bench

#endif  // KEPLER_BENCH_HAVE_LEVELDB
