// Micro benchmarks of the table format (sst_format.md): block build and seek, bloom probes, and
// point lookups and scans on a 1M-entry table (16-byte keys, 100-byte values, warm block cache),
// beside LevelDB's own table (leveldb/table.h) built from the same keys and values with the same
// block size, restart interval and bloom bits, in the same run.
//
// LevelDB's public table API has iterator seeks only (its bloom-assisted get is internal), so the
// like-for-like pair is "seek + read value" on both (one iterator reused, value copied out);
// KeplerDB's bloom-assisted get, for present and missing keys, is reported beside it.

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/table/block.hpp"
#include "storage_format/table/block_builder.hpp"
#include "storage_format/table/block_cache.hpp"
#include "storage_format/table/bloom_filter.hpp"
#include "storage_format/table/table_builder.hpp"
#include "storage_format/table/table_reader.hpp"

#ifdef KEPLER_MICRO_HAVE_LEVELDB
#include <leveldb/cache.h>
#include <leveldb/env.h>
#include <leveldb/filter_policy.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/table.h>
#include <leveldb/table_builder.h>
#endif

namespace {

using namespace kepler::storage;

constexpr std::size_t table_entries = 1000000;
constexpr std::size_t user_key_bytes = 16;
constexpr std::size_t value_bytes = 100;
constexpr std::size_t block_bytes = 4096;
constexpr int restart_interval = 16;
constexpr int bloom_bits_per_key = 10;
// Large enough to hold every data block of either table: "warm cache" means no file reads.
constexpr std::size_t cache_bytes = std::size_t{512} << 20;
constexpr std::size_t lookup_keys = 1 << 20;
constexpr sequence_number sequence = 1;

// Present keys are the even numbers, missing ones the odd numbers between them.
std::string user_key(std::uint64_t n) {
  char buf[user_key_bytes + 1];
  std::snprintf(buf, sizeof buf, "%016llu", static_cast<unsigned long long>(n));
  return std::string(buf, user_key_bytes);
}

std::string internal_key(std::uint64_t n) {
  std::string k;
  append_internal_key(&k, user_key(n), sequence, value_type::value);
  return k;
}

std::string value_for(std::uint64_t n) {
  std::string v(value_bytes, 'v');
  std::snprintf(v.data(), v.size(), "value-%llu", static_cast<unsigned long long>(n));
  return v;
}

// Lookup targets in a random order shared by every benchmark, present or missing.
std::vector<std::string> lookup_targets(bool present) {
  std::vector<std::string> out;
  out.reserve(lookup_keys);
  std::mt19937_64 rng(42);
  for (std::size_t i = 0; i < lookup_keys; ++i) {
    const std::uint64_t n = 2 * (rng() % table_entries) + (present ? 0 : 1);
    out.push_back(internal_key(n));
  }
  return out;
}

class temp_directory {
 public:
  temp_directory() {
    path_ = (std::filesystem::temp_directory_path() /
             ("kepler-micro-bench-" + std::to_string(::getpid())))
                .string();
    std::filesystem::create_directories(path_);
  }
  ~temp_directory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The two tables and their caches, built once and warmed by one full pass of lookups.
struct tables {
  temp_directory dir;
  block_cache cache{cache_bytes};
  std::unique_ptr<table_reader> kepler;
  std::vector<std::string> present = lookup_targets(true);
  std::vector<std::string> missing = lookup_targets(false);
#ifdef KEPLER_MICRO_HAVE_LEVELDB
  std::unique_ptr<const leveldb::FilterPolicy> leveldb_filter{
      leveldb::NewBloomFilterPolicy(bloom_bits_per_key)};
  std::unique_ptr<leveldb::Cache> leveldb_cache{leveldb::NewLRUCache(cache_bytes)};
  std::unique_ptr<leveldb::RandomAccessFile> leveldb_file;
  std::unique_ptr<leveldb::Table> leveldb;
#endif

  tables() {
    build_kepler();
#ifdef KEPLER_MICRO_HAVE_LEVELDB
    build_leveldb();
#endif
  }

  void build_kepler() {
    file_system* fs = file_system::posix();
    const std::string path = dir.file("kepler.sst");
    std::unique_ptr<writable_file> out;
    check(fs->new_writable_file(path, &out));
    table_options options;
    options.block_bytes = block_bytes;
    options.restart_interval = restart_interval;
    options.bloom_bits_per_key = bloom_bits_per_key;
    table_builder builder(options, out.get());
    for (std::uint64_t i = 0; i < table_entries; ++i) {
      check(builder.add(internal_key(2 * i), value_for(2 * i)));
    }
    check(builder.finish());
    check(out->close());
    std::unique_ptr<readable_file> in;
    check(fs->new_readable_file(path, &in));
    check(table_reader::open(std::move(in), &cache, &kepler));
    auto it = kepler->new_iterator();
    for (it->seek_to_first(); it->valid(); it->next()) {
    }
    check(it->state());
  }

#ifdef KEPLER_MICRO_HAVE_LEVELDB
  leveldb::Options leveldb_options() const {
    leveldb::Options o;
    o.block_size = block_bytes;
    o.block_restart_interval = restart_interval;
    o.filter_policy = leveldb_filter.get();
    o.block_cache = leveldb_cache.get();
    o.compression = leveldb::kNoCompression;
    return o;
  }

  void build_leveldb() {
    leveldb::Env* env = leveldb::Env::Default();
    const std::string path = dir.file("leveldb.ldb");
    leveldb::WritableFile* raw_out = nullptr;
    check(env->NewWritableFile(path, &raw_out));
    std::unique_ptr<leveldb::WritableFile> out(raw_out);
    const leveldb::Options options = leveldb_options();
    leveldb::TableBuilder builder(options, out.get());
    // The same bytes as KeplerDB's table: the internal keys (all one sequence, so bytewise
    // order is the user keys' order) and the values.
    for (std::uint64_t i = 0; i < table_entries; ++i) {
      builder.Add(internal_key(2 * i), value_for(2 * i));
    }
    check(builder.Finish());
    check(out->Sync());
    check(out->Close());
    const std::uint64_t size = builder.FileSize();
    leveldb::RandomAccessFile* raw_in = nullptr;
    check(env->NewRandomAccessFile(path, &raw_in));
    leveldb_file.reset(raw_in);
    leveldb::Table* table = nullptr;
    check(leveldb::Table::Open(options, leveldb_file.get(), size, &table));
    leveldb.reset(table);
    leveldb::ReadOptions read;
    read.verify_checksums = true;
    std::unique_ptr<leveldb::Iterator> it(leveldb->NewIterator(read));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
    }
    check(it->status());
  }

  static void check(const leveldb::Status& s) {
    if (!s.ok()) {
      std::fprintf(stderr, "leveldb: %s\n", s.ToString().c_str());
      std::abort();
    }
  }
#endif

  static void check(const status& s) {
    if (!s) {
      std::fprintf(stderr, "kepler: %s\n", s.to_string().c_str());
      std::abort();
    }
  }
};

tables& shared_tables() {
  static tables t;
  return t;
}

// ---- blocks and the filter ----

std::vector<std::pair<std::string, std::string>> one_block_of_entries() {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t bytes = 0;
  for (std::uint64_t i = 0; bytes < block_bytes; ++i) {
    out.emplace_back(internal_key(2 * i), value_for(2 * i));
    bytes += out.back().first.size() + out.back().second.size() + 3;
  }
  return out;
}

void BM_block_build(benchmark::State& state) {
  const auto entries = one_block_of_entries();
  block_builder builder(restart_interval);
  for (auto _ : state) {
    builder.reset();
    for (const auto& [k, v] : entries) builder.add(k, v);
    benchmark::DoNotOptimize(builder.finish().data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * entries.size()));
  state.SetLabel(std::to_string(entries.size()) + " entries per 4 KiB block");
}
BENCHMARK(BM_block_build);

void BM_block_seek(benchmark::State& state) {
  const auto entries = one_block_of_entries();
  block_builder builder(restart_interval);
  for (const auto& [k, v] : entries) builder.add(k, v);
  block b;
  tables::check(block::parse(std::string(builder.finish()), &b));
  std::vector<std::string> targets;
  std::mt19937 rng(1);
  for (int i = 0; i < 1024; ++i) targets.push_back(entries[rng() % entries.size()].first);
  std::size_t i = 0;
  for (auto _ : state) {
    block::iterator it(&b);
    it.seek(targets[i++ & 1023]);
    benchmark::DoNotOptimize(it.value().data());
  }
}
BENCHMARK(BM_block_seek);

void BM_bloom_probe(benchmark::State& state) {
  const bool present = state.range(0) != 0;
  bloom_filter_builder builder(bloom_bits_per_key);
  for (std::uint64_t i = 0; i < table_entries; ++i) builder.add_key(user_key(2 * i));
  bloom_filter filter;
  tables::check(bloom_filter::parse(builder.finish(), &filter));
  std::vector<std::string> probes;
  std::mt19937_64 rng(3);
  for (std::size_t i = 0; i < lookup_keys; ++i) {
    probes.push_back(user_key(2 * (rng() % table_entries) + (present ? 0 : 1)));
  }
  std::size_t i = 0, hits = 0;
  for (auto _ : state) hits += filter.may_contain(probes[i++ & (lookup_keys - 1)]) ? 1 : 0;
  state.counters["may_contain"] =
      benchmark::Counter(static_cast<double>(hits) / static_cast<double>(state.iterations()));
  state.SetLabel(present ? "present keys, 1M-key filter" : "missing keys, 1M-key filter");
}
BENCHMARK(BM_bloom_probe)->Arg(1)->Arg(0);

// ---- a 1M-entry table, warm block cache ----

void BM_kepler_get(benchmark::State& state) {
  tables& t = shared_tables();
  const bool present = state.range(0) != 0;
  const auto& targets = present ? t.present : t.missing;
  const read_options options;
  std::string value;
  std::size_t i = 0;
  benchmark::IterationCount found = 0;
  for (auto _ : state) {
    table_lookup result;
    tables::check(t.kepler->get(options, targets[i++ & (lookup_keys - 1)], &result, &value));
    found += result == table_lookup::found ? 1 : 0;
  }
  if (found != (present ? state.iterations() : benchmark::IterationCount{0}))
    state.SkipWithError("wrong lookup result");
  state.SetLabel(present ? "bloom-assisted get, present keys" : "bloom-assisted get, missing keys");
}
BENCHMARK(BM_kepler_get)->Arg(1)->Arg(0);

void BM_kepler_seek_value(benchmark::State& state) {
  tables& t = shared_tables();
  auto it = t.kepler->new_iterator();
  std::string value;
  std::size_t i = 0;
  benchmark::IterationCount found = 0;
  for (auto _ : state) {
    const std::string& target = t.present[i++ & (lookup_keys - 1)];
    it->seek(target);
    if (it->valid() && it->key() == target) {
      value.assign(it->value().data(), it->value().size());
      ++found;
    }
  }
  if (found != state.iterations()) state.SkipWithError("a present key was not found");
  state.SetLabel("iterator seek + value, present keys");
}
BENCHMARK(BM_kepler_seek_value);

void BM_kepler_scan(benchmark::State& state) {
  tables& t = shared_tables();
  std::size_t entries = 0;
  for (auto _ : state) {
    auto it = t.kepler->new_iterator();
    for (it->seek_to_first(); it->valid(); it->next()) {
      benchmark::DoNotOptimize(it->value().data());
      ++entries;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(entries));
  state.SetLabel("full scan of 1M entries");
}
BENCHMARK(BM_kepler_scan)->Unit(benchmark::kMillisecond);

#ifdef KEPLER_MICRO_HAVE_LEVELDB
void BM_leveldb_seek_value(benchmark::State& state) {
  tables& t = shared_tables();
  std::unique_ptr<leveldb::Iterator> it(t.leveldb->NewIterator(leveldb::ReadOptions()));
  std::string value;
  std::size_t i = 0;
  benchmark::IterationCount found = 0;
  for (auto _ : state) {
    const std::string& target = t.present[i++ & (lookup_keys - 1)];
    it->Seek(target);
    if (it->Valid() && it->key() == target) {
      value.assign(it->value().data(), it->value().size());
      ++found;
    }
  }
  if (found != state.iterations()) state.SkipWithError("a present key was not found");
  state.SetLabel("iterator seek + value, present keys");
}
BENCHMARK(BM_leveldb_seek_value);

void BM_leveldb_scan(benchmark::State& state) {
  tables& t = shared_tables();
  std::size_t entries = 0;
  for (auto _ : state) {
    std::unique_ptr<leveldb::Iterator> it(t.leveldb->NewIterator(leveldb::ReadOptions()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      benchmark::DoNotOptimize(it->value().data());
      ++entries;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(entries));
  state.SetLabel("full scan of 1M entries");
}
BENCHMARK(BM_leveldb_scan)->Unit(benchmark::kMillisecond);
#endif

}  // namespace

BENCHMARK_MAIN();
