// Micro benchmarks of the write path's pieces: coding (fixed and varint), CRC32C (ISA-L), the
// memtable's skiplist (inserts while readers search, searches while a writer inserts) and WAL
// appends (one write(2) per record, and a group of records per write(2)).

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "storage_format/log/log_writer.hpp"
#include "storage_format/memtable/memtable.hpp"
#include "storage_format/util/coding.hpp"
#include "storage_format/util/crc32c.hpp"
#include "storage_format/util/file_system.hpp"

namespace {

using namespace kepler::storage;

constexpr std::size_t key_bytes = 16;
constexpr std::size_t value_bytes = 100;
/// Entries in the memtable the lookups search (about a 4 MiB memtable's worth).
constexpr std::size_t memtable_entries = 30000;
/// A WAL record: one insert of a 16-byte key and 100-byte value with the batch header.
constexpr std::size_t wal_record_bytes = 128;
constexpr int wal_group_records = 16;

std::string key_of(std::uint64_t n) {
  char buf[key_bytes + 1];
  std::snprintf(buf, sizeof buf, "%016llu", static_cast<unsigned long long>(n));
  return std::string(buf, key_bytes);
}

void BM_put_varint64(benchmark::State& state) {
  std::mt19937_64 rng(1);
  std::vector<std::uint64_t> values(1024);
  for (auto& v : values) v = rng() >> (rng() % 64);
  std::string out;
  for (auto _ : state) {
    out.clear();
    for (auto v : values) put_varint64(&out, v);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * values.size());
}
BENCHMARK(BM_put_varint64);

void BM_get_varint64(benchmark::State& state) {
  std::mt19937_64 rng(1);
  std::string encoded;
  for (int i = 0; i < 1024; ++i) put_varint64(&encoded, rng() >> (rng() % 64));
  for (auto _ : state) {
    std::string_view in(encoded);
    std::uint64_t v = 0, sum = 0;
    while (get_varint64(&in, &v)) sum += v;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * 1024);
}
BENCHMARK(BM_get_varint64);

void BM_fixed64_round_trip(benchmark::State& state) {
  char buf[8 * 1024];
  std::uint64_t sum = 0;
  for (auto _ : state) {
    for (int i = 0; i < 1024; ++i) encode_fixed64(buf + 8 * i, i * 0x9e3779b97f4a7c15ULL);
    for (int i = 0; i < 1024; ++i) sum += decode_fixed64(buf + 8 * i);
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * 1024);
}
BENCHMARK(BM_fixed64_round_trip);

void BM_crc32c(benchmark::State& state) {
  std::string data(static_cast<std::size_t>(state.range(0)), 'x');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131);
  for (auto _ : state) benchmark::DoNotOptimize(crc32c::value(data.data(), data.size()));
  state.SetBytesProcessed(state.iterations() * data.size());
}
BENCHMARK(BM_crc32c)->Arg(wal_record_bytes)->Arg(4096)->Arg(64 << 10);

// Inserts into the memtable (one writer, random keys) while range(0) threads search it, as
// readers do beside the memtable_owner.
void BM_memtable_insert_with_readers(benchmark::State& state) {
  memtable table;
  std::string value(value_bytes, 'v');
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int r = 0; r < state.range(0); ++r)
    readers.emplace_back([&, r] {
      std::mt19937_64 rng(r + 100);
      std::string out;
      while (!stop.load(std::memory_order_relaxed)) {
        table.get(key_of(rng()), max_sequence_number, &out);
      }
    });
  std::mt19937_64 rng(7);
  sequence_number seq = 0;
  for (auto _ : state) table.add(++seq, value_type::value, key_of(rng()), value);
  stop = true;
  for (auto& t : readers) t.join();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_memtable_insert_with_readers)->Arg(0)->Arg(1);

// Gets of present keys in a memtable of memtable_entries, while range(0) writers insert more.
void BM_memtable_get_with_writer(benchmark::State& state) {
  memtable table;
  std::string value(value_bytes, 'v');
  sequence_number seq = 0;
  for (std::uint64_t i = 0; i < memtable_entries; ++i)
    table.add(++seq, value_type::value, key_of(2 * i), value);
  std::atomic<bool> stop{false};
  std::thread writer;
  if (state.range(0) > 0)
    writer = std::thread([&] {
      // Odd keys, so the lookups' keys stay present and unchanged.
      for (std::uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i)
        table.add(seq + 1 + i, value_type::value, key_of(2 * i + 1), value);
    });
  std::mt19937_64 rng(9);
  std::string out;
  for (auto _ : state)
    benchmark::DoNotOptimize(
        table.get(key_of(2 * (rng() % memtable_entries)), max_sequence_number, &out));
  stop = true;
  if (writer.joinable()) writer.join();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_memtable_get_with_writer)->Arg(0)->Arg(1);

// WAL appends through log::writer to a real file: range(0) records per write(2), no sync.
void BM_wal_append(benchmark::State& state) {
  auto dir =
      std::filesystem::temp_directory_path() / ("kepler-micro-wal-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::unique_ptr<writable_file> file;
  if (!file_system::posix()->new_writable_file((dir / "000001.log").string(), &file).is_ok()) {
    state.SkipWithError("cannot create the log file");
    return;
  }
  log::writer writer(file.get());
  std::string payload(wal_record_bytes, 'r');
  const int group = static_cast<int>(state.range(0));
  for (auto _ : state) {
    for (int i = 0; i < group; ++i) writer.add_record(payload);
    if (!writer.write_pending().is_ok()) state.SkipWithError("append failed");
  }
  state.SetItemsProcessed(state.iterations() * group);
  state.SetBytesProcessed(state.iterations() * group * wal_record_bytes);
  file->close();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_wal_append)->Arg(1)->Arg(wal_group_records);

}  // namespace
