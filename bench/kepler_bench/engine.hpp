#pragma once
// The small interface every benchmarked engine implements, so one workload drives KeplerDB and
// its peers with the same keys, values and settings. Every call may come from several client
// threads at once.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kepler::bench {

/// Table block codecs (--compression).
enum class codec { none, lz4, zstd };

/// What every engine is opened with. The fairness rules of the comparison live here: one codec
/// (KeplerDB and RocksDB the same; LevelDB, which has only Snappy, Snappy unless none), bloom
/// filters of bloom_bits_per_key, the same memtable size.
struct engine_settings {
  std::string dir;
  std::size_t memtable_bytes = 4 << 20;
  int bloom_bits_per_key = 10;
  codec compression = codec::none;
  /// LMDB only: the size of its memory map, the largest the store can grow to.
  std::size_t lmdb_map_bytes = std::size_t{64} << 30;
  /// KeplerDB only: scheduler workers (0: its default) and idle polling (0: its default).
  std::size_t kepler_workers = 0;
  std::size_t kepler_poll = 0;
  /// KeplerDB only: 0 its own actor system; 1 a user's system with CAF's default settings;
  /// 2 a user's system tuned with db::tune_scheduler.
  int kepler_user_system = 0;
  /// KeplerDB only: the run writes through the db actor (fillasync, fillsyncasync), so the
  /// store runs in an actor system the driver can spawn its client actor in. With
  /// kepler_user_system 0 that system is tuned by db::tune_scheduler, the settings of the
  /// store's own system.
  bool actor_client = false;
};

/// Writes through an engine's actor interface (fillasync, fillsyncasync): `count` writes, key
/// and value of write i from `key` and `value`, with `in_flight` requests outstanding.
struct async_plan {
  std::uint64_t count = 0;
  std::size_t in_flight = 1;
  bool sync = false;
  std::function<std::string(std::uint64_t)> key;
  std::function<std::string_view(std::uint64_t)> value;
};

/// An ordered cursor over a store's keys (readseq, readreverse, seekrandom, YCSB E, the full
/// scan after compact).
class iterator {
 public:
  virtual ~iterator() = default;
  virtual void seek_to_first() = 0;
  virtual void seek_to_last() = 0;
  /// Positions at the first key >= target.
  virtual void seek(std::string_view target) = 0;
  virtual bool valid() const = 0;
  /// REQUIRES: valid() (next, prev, key, value).
  virtual void next() = 0;
  virtual void prev() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  /// Error text, empty when fine.
  virtual std::string status() const = 0;
};

/// What new_iterator returns when the engine cannot make one: never valid, status() says why.
class failed_iterator : public iterator {
 public:
  explicit failed_iterator(std::string error) : error_(std::move(error)) {}
  void seek_to_first() override {}
  void seek_to_last() override {}
  void seek(std::string_view) override {}
  bool valid() const override { return false; }
  void next() override {}
  void prev() override {}
  std::string_view key() const override { return {}; }
  std::string_view value() const override { return {}; }
  std::string status() const override { return error_; }

 private:
  std::string error_;
};

using key_values = std::vector<std::pair<std::string, std::string>>;

class engine {
 public:
  virtual ~engine() = default;
  virtual std::string name() const = 0;
  /// Each returns an error text, empty on success.
  virtual std::string put(std::string_view key, std::string_view value, bool sync) = 0;
  virtual std::string remove(std::string_view key, bool sync) = 0;
  virtual std::string write_batch(const key_values& kvs, bool sync) = 0;
  /// Sets *found; error text on failure.
  virtual std::string get(std::string_view key, std::string* value, bool* found) = 0;
  /// A cursor over the store as of now; a failed_iterator when the engine cannot make one.
  virtual std::unique_ptr<iterator> new_iterator() = 0;
  /// Compacts the whole key range and returns once it is done; error text, empty on success.
  /// An engine without compaction does nothing.
  virtual std::string compact_all() = 0;
  /// False for an engine that has no compaction (LMDB: its B+tree reuses freed pages).
  virtual bool has_compaction() const { return true; }
  /// The engine's own figures (files and bytes per level, compaction totals, pages), on one
  /// line for the report; an error text in their place when the engine cannot give them.
  virtual std::string stats() = 0;
  /// Whether the engine can be driven by an actor with requests in flight (put_async).
  virtual bool has_actor_interface() const { return false; }
  /// Runs `plan` from a client actor and returns once every reply came; error text, empty on
  /// success. REQUIRES: has_actor_interface().
  virtual std::string put_async(const async_plan& plan) {
    (void)plan;
    return "no actor interface";
  }
};

/// Opens a fresh or existing store of the named engine in settings.dir; nullptr and *error
/// when it cannot.
std::unique_ptr<engine> open_engine(const std::string& name, const engine_settings& settings,
                                    std::string* error);
/// The engines this build can drive, KeplerDB first.
std::vector<std::string> available_engines();

/// One opener per engine, each in its engine_<name>.cpp; the peers' exist only when their
/// library was found at configure time.
std::unique_ptr<engine> open_kepler(const engine_settings& settings, std::string* error);
std::unique_ptr<engine> open_leveldb(const engine_settings& settings, std::string* error);
std::unique_ptr<engine> open_rocksdb(const engine_settings& settings, std::string* error);
std::unique_ptr<engine> open_lmdb(const engine_settings& settings, std::string* error);

}  // namespace kepler::bench
