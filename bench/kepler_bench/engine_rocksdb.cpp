// RocksDB (Debian's librocksdb-dev): KeplerDB's codec on every level (refused when this
// librocksdb was built without it), bloom filter in the block-based table, KeplerDB's memtable
// size; otherwise RocksDB's defaults.

#ifdef KEPLER_BENCH_HAVE_ROCKSDB

#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <sstream>

#include "engine.hpp"

namespace kepler::bench {

namespace {

constexpr double mb = 1024.0 * 1024.0;
constexpr double gb = 1024.0 * mb;

// One line from the "rocksdb.cfstats" map: files and bytes per level that has files, the
// flushes and compactions (RocksDB counts a flush as a "compaction" into level 0) with the
// bytes they read and wrote, and the writes stopped or slowed. "L0=2/8.1MB L1=3/9.9MB
// compactions: 12 in 0.3 s, read 40.2 MB, wrote 58.0 MB; write stops 0, slowdowns 0"
std::string condense_stats(const std::map<std::string, std::string>& cf, int levels) {
  auto figure = [&](const std::string& name) {
    auto it = cf.find(name);
    return it == cf.end() ? 0.0 : std::strtod(it->second.c_str(), nullptr);
  };
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(1);
  bool any = false;
  for (int level = 0; level < levels; ++level) {
    auto prefix = "compaction.L" + std::to_string(level) + ".";
    auto files = static_cast<long long>(figure(prefix + "NumFiles"));
    if (files == 0) continue;
    out << "L" << level << "=" << files << "/" << figure(prefix + "SizeBytes") / mb << "MB ";
    any = true;
  }
  if (!any) out << "no tables ";
  out << "compactions: " << static_cast<long long>(figure("compaction.Sum.CompCount")) << " in "
      << figure("compaction.Sum.CompSec") << " s, read "
      << figure("compaction.Sum.ReadGB") * gb / mb << " MB, wrote "
      << figure("compaction.Sum.WriteGB") * gb / mb << " MB; write stops "
      << static_cast<long long>(figure("io_stalls.total_stop")) << ", slowdowns "
      << static_cast<long long>(figure("io_stalls.total_slowdown"));
  return out.str();
}

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
  // Close waits for the background jobs running; a compaction in flight stops early, as
  // whenever RocksDB closes.
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
  std::string compact_all() override {
    return error_text(db_->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr));
  }
  std::string stats() override {
    std::map<std::string, std::string> cf;
    if (!db_->GetMapProperty(rocksdb::DB::Properties::kCFStats, &cf))
      return "rocksdb.cfstats unavailable";
    return condense_stats(cf, db_->NumberLevels());
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
  // Fair: KeplerDB's codec, the same on every level.
  const rocksdb::CompressionType type = settings.compression == codec::zstd ? rocksdb::kZSTD
                                        : settings.compression == codec::lz4
                                            ? rocksdb::kLZ4Compression
                                            : rocksdb::kNoCompression;
  if (type != rocksdb::kNoCompression) {
    const auto supported = rocksdb::GetSupportedCompressions();
    if (std::find(supported.begin(), supported.end(), type) == supported.end()) {
      *error = "this librocksdb was built without the codec asked for (--compression)";
      return nullptr;
    }
  }
  opts.compression = type;
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
