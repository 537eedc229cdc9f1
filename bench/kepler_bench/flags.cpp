// Parsing kepler-bench's flags. Every value is checked; a bad one is reported with the flag's
// name and the driver exits with status 2.

#include "flags.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <map>
#include <sstream>

#include "workload.hpp"

namespace kepler::bench {

namespace {

bool parse_size(const std::string& text, std::size_t* out) {
  if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  *out = std::stoull(text);
  return true;
}

bool parse_bool(const std::string& text, bool* out) {
  if (text == "1" || text == "true") return *out = true, true;
  if (text == "0" || text == "false") return *out = false, true;
  return false;
}

struct size_flag {
  std::size_t* target;
  std::size_t min, max;
};

}  // namespace

bool parse_workload_item(const std::string& text, workload_item* out) {
  auto at = text.find('@');
  out->name = text.substr(0, at);
  out->threads = 0;
  if (at == std::string::npos) return true;
  return parse_size(text.substr(at + 1), &out->threads) && out->threads >= 1 &&
         out->threads <= max_threads;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) items.push_back(item);
  return items;
}

void print_usage(std::FILE* to) {
  std::fprintf(
      to,
      "usage: kepler-bench [--flag=value ...]\n"
      "db_bench-style workloads against KeplerDB and its peers, one store per engine, the\n"
      "workloads run in order on it. Results: one line per workload and engine; with\n"
      "--engine=all a table of time per op and the ratio kepler/peer from the same run.\n"
      "\n"
      "  --engine=NAME          kepler, leveldb, rocksdb, lmdb (those built in), a list of\n"
      "                         them (kepler,leveldb: the ratio table needs kepler first) or\n"
      "                         all (all)\n"
      "  --benchmarks=a,b,...   workloads, run in order (default:\n"
      "                         %s)\n"
      "  --num=N                entries of the fill workloads (100000)\n"
      "  --reads=N              operations of the read workloads; 0 means --num (0)\n"
      "  --sync_num=N           writes of fillsync, and of each fillsync8 thread (2000)\n"
      "  --threads=N            client threads sharing each workload's operations (1, max %zu);\n"
      "                         a workload named as name@T (fillrandom@4) runs on T threads\n"
      "  --async=N              requests in flight of fillasync and fillsyncasync (64); given,\n"
      "                         it appends both to --benchmarks unless one is named\n"
      "  --key_size=N           key bytes, %zu..%zu (16)\n"
      "  --value_size=N         value bytes (100)\n"
      "  --batch_size=N         entries per batch of fillbatch (1000)\n"
      "  --seek_nexts=N         next() calls after each seek of seekrandom, as RocksDB's\n"
      "                         db_bench (10)\n"
      "  --sync=0|1             every write of every workload is a sync write (0)\n"
      "  --histogram=0|1        latency percentiles and a histogram per workload (0)\n"
      "  --json=FILE            also write every result as JSON to FILE\n"
      "  --db=DIR               where stores are made, one subdirectory per engine\n"
      "                         (default: <tmp>/kepler-bench); removed first unless\n"
      "  --use_existing_db=0|1  keep and reopen the stores from an earlier run (0)\n"
      "  --ycsb_records=N       records the YCSB workloads load (100000)\n"
      "  --ycsb_ops=N           operations of each YCSB workload (100000)\n"
      "  --memtable_bytes=N     memtable / write buffer size of every LSM (4194304)\n"
      "  --seed=N               seed of the key sequences (301); same for every engine\n"
      "  --kepler_workers=N     KeplerDB's scheduler threads (0: its default)\n"
      "  --kepler_poll=N        KeplerDB's idle poll attempts (0: its default)\n"
      "  --compression=none|lz4|zstd  table block codec (lz4): KeplerDB and RocksDB use it;\n"
      "                         LevelDB uses Snappy unless none; LMDB does not compress\n"
      "  --compression_ratio=R  values compress to about R, as db_bench's (0.5; 0 < R <= 1)\n"
      "  --kepler_user_system=0|1|2  KeplerDB's actor system: 0 its own, 1 a user's with\n"
      "                         CAF's defaults, 2 a user's tuned by db::tune_scheduler\n"
      "  --help                 this text\n"
      "\nworkloads:\n",
      flags{}.benchmarks.c_str(), max_threads, min_key_size, max_key_size);
  for (auto& w : workloads()) std::fprintf(to, "  %-12s %s\n", w.name, w.description);
  std::fprintf(
      to,
      "\nUnder each result: after a workload that writes, the store's bytes on disk and the\n"
      "bytes the process wrote meanwhile (/proc/self/io wchar) over the key and value bytes\n"
      "written (write-amp); after compact, the live data (key and value bytes of a full scan)\n"
      "and disk/live; then the engine's own stats on one line (KeplerDB db_stats, LevelDB\n"
      "leveldb.sstables and leveldb.stats, RocksDB rocksdb.cfstats, LMDB mdb_env_stat). After\n"
      "each engine, its write-amp over the run: from before its first workload that writes\n"
      "until it closed (so background compaction counts), wchar and, where the file system\n"
      "counts it, what went to storage (write_bytes less cancelled_write_bytes). LMDB has no\n"
      "compaction: its compact prints \"not supported\" and the space figures. The YCSB\n"
      "workloads load --ycsb_records records first (ycsb-load) unless --use_existing_db. Exit\n"
      "status: 0 done, 1 an engine failed, 2 a bad flag.\n");
}

parse_outcome parse_flags(const std::vector<std::string>& args, flags* f, std::string* error) {
  if (f->db.empty()) f->db = (std::filesystem::temp_directory_path() / "kepler-bench").string();
  const std::map<std::string, size_flag> sizes{
      {"num", {&f->num, 1, SIZE_MAX}},
      {"reads", {&f->reads, 0, SIZE_MAX}},
      {"sync_num", {&f->sync_num, 1, SIZE_MAX}},
      {"threads", {&f->threads, 1, max_threads}},
      {"key_size", {&f->key_size, min_key_size, max_key_size}},
      {"value_size", {&f->value_size, 0, std::size_t{64} << 20}},
      {"batch_size", {&f->batch_size, 1, SIZE_MAX}},
      {"seek_nexts", {&f->seek_nexts, 0, SIZE_MAX}},
      {"ycsb_records", {&f->ycsb_records, 1, SIZE_MAX}},
      {"ycsb_ops", {&f->ycsb_ops, 1, SIZE_MAX}},
      {"memtable_bytes", {&f->memtable_bytes, 64 << 10, SIZE_MAX}},
      {"seed", {&f->seed, 0, SIZE_MAX}},
      {"kepler_workers", {&f->kepler_workers, 0, max_threads}},
      {"kepler_poll", {&f->kepler_poll, 0, SIZE_MAX}},
      {"kepler_user_system", {&f->kepler_user_system, 0, 2}},
      {"async", {&f->async, 1, std::size_t{1} << 20}}};
  bool async_given = false;
  const std::map<std::string, bool*> bools{
      {"sync", &f->sync}, {"histogram", &f->histogram}, {"use_existing_db", &f->use_existing_db}};
  const std::map<std::string, std::string*> texts{{"engine", &f->engine},
                                                  {"benchmarks", &f->benchmarks},
                                                  {"json", &f->json},
                                                  {"db", &f->db},
                                                  {"compression", &f->compression}};
  for (auto& arg : args) {
    if (arg == "--help" || arg == "-h") return parse_outcome::help;
    auto eq = arg.find('=');
    if (arg.rfind("--", 0) != 0) {
      *error = "bad argument '" + arg + "' (want --flag=value)";
      return parse_outcome::bad;
    }
    auto name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    bool has_value = eq != std::string::npos;
    auto value = has_value ? arg.substr(eq + 1) : std::string{};
    if (auto b = bools.find(name); b != bools.end()) {
      if (!has_value) value = "1";  // --sync means --sync=1
      if (!parse_bool(value, b->second)) {
        *error = "--" + name + ": bad value '" + value + "' (want 0 or 1)";
        return parse_outcome::bad;
      }
    } else if (name == "compression_ratio") {
      char* end = nullptr;
      const double r = has_value && !value.empty() ? std::strtod(value.c_str(), &end) : -1;
      if (end == nullptr || *end != '\0' || !(r > 0 && r <= 1)) {
        *error = "--compression_ratio: bad value '" + value + "' (want a number in (0, 1])";
        return parse_outcome::bad;
      }
      f->compression_ratio = r;
    } else if (!has_value && (sizes.count(name) || texts.count(name))) {
      *error = "--" + name + " needs a value (--" + name + "=...)";
      return parse_outcome::bad;
    } else if (auto s = sizes.find(name); s != sizes.end()) {
      async_given |= name == "async";
      auto& [target, min, max] = s->second;
      if (!parse_size(value, target) || *target < min || *target > max) {
        *error = "--" + name + ": bad value '" + value + "' (want a whole number " +
                 (max == SIZE_MAX ? "of at least " + std::to_string(min)
                                  : "from " + std::to_string(min) + " to " + std::to_string(max)) +
                 ")";
        return parse_outcome::bad;
      }
    } else if (auto t = texts.find(name); t != texts.end()) {
      if (value.empty()) {
        *error = "--" + name + ": empty value";
        return parse_outcome::bad;
      }
      *t->second = value;
    } else {
      *error = "unknown flag --" + name;
      return parse_outcome::bad;
    }
  }
  if (async_given && f->benchmarks.find("async") == std::string::npos)
    f->benchmarks += ",fillasync,fillsyncasync";
  for (auto& w : split_list(f->benchmarks)) {
    workload_item item;
    if (!parse_workload_item(w, &item)) {
      *error = "--benchmarks: bad thread count in '" + w + "' (want name@T, T from 1 to " +
               std::to_string(max_threads) + ")";
      return parse_outcome::bad;
    }
    if (!find_workload(item.name)) {
      *error = "--benchmarks: unknown workload '" + item.name + "'";
      return parse_outcome::bad;
    }
  }
  // Keys hold an index in key_size - 1 decimal digits.
  double largest_index = std::max(
      {double(f->num), double(f->sync_num) * 8, double(f->ycsb_records) + double(f->ycsb_ops)});
  if (largest_index >= std::pow(10.0, double(f->key_size - 1))) {
    *error = "--key_size=" + std::to_string(f->key_size) +
             " is too short for --num, --sync_num or --ycsb_records (" +
             std::to_string(f->key_size - 1) + " digits after the key's letter)";
    return parse_outcome::bad;
  }
  if (std::find(std::begin(compression_names), std::end(compression_names), f->compression) ==
      std::end(compression_names)) {
    *error = "--compression: bad value '" + f->compression + "' (want none, lz4 or zstd)";
    return parse_outcome::bad;
  }
  if (split_list(f->benchmarks).empty()) {
    *error = "--benchmarks: no workload named";
    return parse_outcome::bad;
  }
  return parse_outcome::run;
}

}  // namespace kepler::bench
