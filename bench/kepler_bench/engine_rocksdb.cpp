// RocksDB (Debian's librocksdb-dev): no compression on any level, bloom filter in the
// block-based table, KeplerDB's memtable size; otherwise RocksDB's defaults.

#ifdef KEPLER_BENCH_HAVE_ROCKSDB

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "engine.hpp"

namespace kepler::bench {

namespace {

rocksdb::Slice slice(std::string_view s) {
  return {s.data(), s.size()};
}
std::string_view view(const rocksdb::Slice& s) {
  return {s.data(), s.size()};
}
std::string error_text(const rocksdb::Status& s) {
  return s.ok() ? std::string{} : s.ToString();
}

class rocksdb_iterator : public iterator {
 public:
  explicit rocksdb_iterator(rocksdb::Iterator* it) : it_(it) {}
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
  std::unique_ptr<rocksdb::Iterator> it_;
};

class rocksdb_engine : public engine {
 public:
  explicit rocksdb_engine(rocksdb::DB* db) : db_(db) {}
  ~rocksdb_engine() override {
    db_->Close();
    delete db_;
  }
  std::string name() const override { return "rocksdb"; }
  std::string put(std::string_view key, std::string_view value, bool sync) override {
    return error_text(db_->Put(options(sync), slice(key), slice(value)));
  }
  std::string remove(std::string_view key, bool sync) override {
    return error_text(db_->Delete(options(sync), slice(key)));
  }
  std::string write_batch(const key_values& kvs, bool sync) override {
    rocksdb::WriteBatch batch;
    for (auto& [k, v] : kvs) batch.Put(k, v);
    return error_text(db_->Write(options(sync), &batch));
  }
  std::string get(std::string_view key, std::string* value, bool* found) override {
    auto s = db_->Get(rocksdb::ReadOptions(), slice(key), value);
    *found = s.ok();
    return s.ok() || s.IsNotFound() ? std::string{} : s.ToString();
  }
  std::unique_ptr<iterator> new_iterator() override {
    return std::make_unique<rocksdb_iterator>(db_->NewIterator(rocksdb::ReadOptions()));
  }

 private:
  static rocksdb::WriteOptions options(bool sync) {
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    return wo;
  }
  rocksdb::DB* db_;
};

}  // namespace

std::unique_ptr<engine> open_rocksdb(const engine_settings& settings, std::string* error) {
  rocksdb::Options opts;
  opts.create_if_missing = true;
  // Fair: KeplerDB does not compress, so nothing is compressed on any level.
  opts.compression = rocksdb::kNoCompression;
  opts.bottommost_compression = rocksdb::kDisableCompressionOption;
  opts.compression_per_level.clear();
  opts.write_buffer_size = settings.memtable_bytes;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(settings.bloom_bits_per_key));
  opts.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::DB* db = nullptr;
  auto s = rocksdb::DB::Open(opts, settings.dir, &db);
  if (!s.ok()) {
    *error = s.ToString();
    return nullptr;
  }
  return std::make_unique<rocksdb_engine>(db);
}

}  // namespace kepler::bench

#endif  // KEPLER_BENCH_HAVE_ROCKSDB
