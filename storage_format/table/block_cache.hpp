#pragma once
// Keeps recently read blocks in memory, shared by every table reader of a store. Bounded by
// bytes, split into shards, each with its own lock, so concurrent readers rarely queue on one
// lock. Eviction is CLOCK (second-chance FIFO), an approximation of LRU: a hit only marks its
// block referenced, so it touches no other block's bookkeeping; the oldest block goes unless it
// was referenced since it was last considered, in which case it is requeued as the newest.
// A reader pins a block by holding its shared_ptr: eviction only drops the cache's reference, so
// a block in use stays alive until its last reader lets go (and then no longer counts against
// the capacity, which bounds what the cache holds, not what readers hold).

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "storage_format/table/block.hpp"

namespace kepler::storage {

/// The engine's default (options::block_cache_bytes): the index and the filter of a table live
/// in its reader, so the cache holds only data blocks.
constexpr std::size_t default_block_cache_bytes = std::size_t{8} << 20;
/// 16 shards: many more than the cores this runs on, few enough that each holds whole blocks.
constexpr int default_block_cache_shard_bits = 4;

class block_cache {
 public:
  /// A block larger than a shard's part of the capacity (capacity >> shard_bits) is not kept.
  explicit block_cache(std::size_t capacity_bytes = default_block_cache_bytes,
                       int shard_bits = default_block_cache_shard_bits);
  ~block_cache();
  block_cache(const block_cache&) = delete;
  block_cache& operator=(const block_cache&) = delete;

  /// A number no other table reader of this cache uses: the first half of its blocks' keys, so
  /// a table reopened (or a different file reusing a number) never sees stale blocks.
  std::uint64_t new_table_id();

  /// Blocks are named by (table_id, block_number): `block_number` is any number that names one
  /// block within its table (table_reader uses the block's position in the index, which it knows
  /// before it reads the block's handle).
  ///
  /// Block `block_number` of table `table_id`, pinned and marked referenced, or null (a miss).
  /// Thread-safe.
  std::shared_ptr<const block> lookup(std::uint64_t table_id, std::uint64_t block_number);
  /// Keeps `b` as the newest block `block_number` of `table_id` (replacing what was there) and
  /// evicts blocks of its shard, oldest first, sparing those referenced since they were last
  /// considered, until the shard fits. Thread-safe.
  void insert(std::uint64_t table_id, std::uint64_t block_number, std::shared_ptr<const block> b);

  struct counters {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t inserts = 0;
    std::uint64_t evictions = 0;
    std::size_t usage_bytes = 0;  // bytes of the blocks the cache holds now
    std::size_t entries = 0;
  };
  /// Sums over the shards; each shard is read under its lock, the whole is not one snapshot.
  counters stats() const;
  std::size_t capacity() const { return capacity_; }

 private:
  struct shard;
  shard& shard_for(std::uint64_t table_id, std::uint64_t block_number, std::uint64_t* hash);

  std::size_t capacity_;
  int shard_bits_;
  std::vector<std::unique_ptr<shard>> shards_;
  std::mutex id_mutex_;
  std::uint64_t next_table_id_ = 1;
};

}  // namespace kepler::storage
