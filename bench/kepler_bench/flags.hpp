#pragma once
// kepler-bench's command line: every flag, its default, and parsing with clear errors.

#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

namespace kepler::bench {

struct flags {
  std::string engine = "all";
  std::string benchmarks =
      "fillseq,fillrandom,overwrite,readrandom,readmissing,readseq,readreverse,seekrandom,"
      "fillbatch,fillsync,fillsync8,deleterandom";
  std::size_t num = 100000;
  /// Operations of the read workloads; 0 means num.
  std::size_t reads = 0;
  std::size_t sync_num = 2000;
  std::size_t threads = 1;
  std::size_t key_size = 16;
  std::size_t value_size = 100;
  std::size_t batch_size = 1000;
  /// next() calls after each seek of seekrandom.
  std::size_t seek_nexts = 10;
  bool sync = false;
  bool histogram = false;
  bool use_existing_db = false;
  std::string json;
  std::size_t ycsb_records = 100000;
  std::size_t ycsb_ops = 100000;
  std::size_t memtable_bytes = 4 << 20;
  std::size_t seed = 301;
  std::size_t kepler_workers = 0;
  std::size_t kepler_poll = 0;
  std::size_t kepler_user_system = 0;
  /// Requests in flight of fillasync and fillsyncasync. Given on the command line, it also
  /// appends both to --benchmarks unless one is named there.
  std::size_t async = 64;
  std::string db;
  /// none, lz4 or zstd: KeplerDB's and RocksDB's codec; LevelDB gets Snappy unless none.
  std::string compression = "lz4";
  /// What values compress to, as db_bench's generator (each 100-byte piece of the value pool is
  /// a random prefix of R x 100 bytes repeated).
  double compression_ratio = 0.5;

  std::size_t read_ops() const { return reads != 0 ? reads : num; }
};

/// Shortest and longest key kepler-bench makes (a space letter and at least 7 digits; LMDB's
/// default key limit is 511 bytes).
constexpr std::size_t min_key_size = 8;
constexpr std::size_t max_key_size = 511;
constexpr std::size_t max_threads = 1024;
/// The codecs --compression names.
inline const char* const compression_names[] = {"none", "lz4", "zstd"};

/// A --benchmarks item: a workload's name, and with "@T" (fillrandom@4) the client threads it
/// runs on instead of --threads.
struct workload_item {
  std::string name;
  std::size_t threads = 0;  // 0: --threads
};

/// Splits "name" or "name@T"; false when T is not a whole number from 1 to max_threads.
bool parse_workload_item(const std::string& text, workload_item* out);

enum class parse_outcome { run, help, bad };

/// Parses `args` (without the program name) into *f. On `bad`, *error says which flag and why.
parse_outcome parse_flags(const std::vector<std::string>& args, flags* f, std::string* error);

/// The --help text: every flag and every workload.
void print_usage(std::FILE* to);

/// The names in a comma-separated list, empty items dropped.
std::vector<std::string> split_list(const std::string& text);

}  // namespace kepler::bench
