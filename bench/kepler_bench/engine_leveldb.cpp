// LevelDB (Debian's libleveldb-dev): Snappy (its only codec) unless --compression=none, bloom
// filter, KeplerDB's memtable size.

#ifdef KEPLER_BENCH_HAVE_LEVELDB

#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/iterator.h>
#include <leveldb/write_batch.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

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

constexpr double mb = 1024.0 * 1024.0;

// Files and bytes per level from "leveldb.sstables" (a "--- level N ---" line, then a line
// " number:bytes[smallest .. largest]" per table), and the compaction totals from the
// "leveldb.stats" table (a row per level: level, files, MB, seconds, MB read, MB written;
// flushes count as writes of the level they land on, and LevelDB rounds every figure to
// whole MB and seconds). One line: "L0=4/3.1MB L1=5/9.8MB compactions: 0 s, read 37 MB, wrote
// 41 MB".
std::string condense_stats(const std::string& sstables, const std::string& stats) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(1);
  std::istringstream tables(sstables);
  std::string line;
  int level = -1;
  std::vector<std::pair<int, double>> levels;  // files, bytes of each level
  while (std::getline(tables, line)) {
    if (std::sscanf(line.c_str(), "--- level %d ---", &level) == 1) {
      levels.resize(std::max<std::size_t>(levels.size(), level + 1));
      continue;
    }
    unsigned long long number = 0, bytes = 0;
    if (level >= 0 && std::sscanf(line.c_str(), " %llu:%llu[", &number, &bytes) == 2)
      ++levels[level].first, levels[level].second += bytes;
  }
  bool any = false;
  for (std::size_t l = 0; l < levels.size(); ++l)
    if (levels[l].first > 0) {
      out << "L" << l << "=" << levels[l].first << "/" << levels[l].second / mb << "MB ";
      any = true;
    }
  if (!any) out << "no tables ";
  std::istringstream rows(stats);
  double seconds = 0, read_mb = 0, written_mb = 0;
  bool past_header = false;
  while (std::getline(rows, line)) {
    if (line.rfind("---", 0) == 0) {
      past_header = true;
      continue;
    }
    int row_level = 0, files = 0;
    double size_mb = 0, secs = 0, read = 0, written = 0;
    std::istringstream row(line);
    if (past_header && row >> row_level >> files >> size_mb >> secs >> read >> written)
      seconds += secs, read_mb += read, written_mb += written;
  }
  out.precision(0);
  out << "compactions: " << seconds << " s, read " << read_mb << " MB, wrote " << written_mb
      << " MB";
  return out.str();
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
  // Waits for the background compaction in flight, which LevelDB ends early (at its next key)
  // whenever a store closes.
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
  std::string compact_all() override {
    db_->CompactRange(nullptr, nullptr);  // returns no status: as db_bench's compact
    return {};
  }
  std::string stats() override {
    std::string sstables, stats;
    if (!db_->GetProperty("leveldb.sstables", &sstables) ||
        !db_->GetProperty("leveldb.stats", &stats))
      return "leveldb.sstables or leveldb.stats unavailable";
    return condense_stats(sstables, stats);
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
  opts.compression =
      settings.compression == codec::none ? leveldb::kNoCompression : leveldb::kSnappyCompression;
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
