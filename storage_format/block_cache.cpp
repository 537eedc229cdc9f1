#include "storage_format/block_cache.hpp"

namespace kepler::storage {

namespace {

struct cache_key {
  std::uint64_t table_id;
  std::uint64_t offset;
  bool operator==(const cache_key& o) const { return table_id == o.table_id && offset == o.offset; }
};

// A 64-bit finaliser (murmur3's fmix64) over both halves: offsets are multiples of nothing in
// particular, but table ids are small and sequential, so both need mixing before bits are taken.
std::uint64_t mix(std::uint64_t table_id, std::uint64_t offset) {
  std::uint64_t h = table_id * 0x9e3779b97f4a7c15ull ^ offset;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

struct cache_key_hash {
  std::size_t operator()(const cache_key& k) const {
    return static_cast<std::size_t>(mix(k.table_id, k.offset));
  }
};

}  // namespace

struct block_cache::shard {
  // The LRU list runs through the hash map's own nodes (their addresses are stable), so a hit
  // touches the node it finds and its two neighbours, and no separate list node.
  struct entry {
    cache_key key;
    std::shared_ptr<const block> value;
    entry* newer = nullptr;
    entry* older = nullptr;
  };

  mutable std::mutex mutex;
  std::size_t capacity = 0;
  std::size_t usage = 0;
  std::unordered_map<cache_key, entry, cache_key_hash> index;
  entry lru;  // sentinel: lru.older is the most recently used, lru.newer the least
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t inserts = 0;
  std::uint64_t evictions = 0;

  shard() { lru.newer = lru.older = &lru; }

  static void unlink(entry* e) {
    e->newer->older = e->older;
    e->older->newer = e->newer;
  }
  void make_most_recent(entry* e) {
    e->newer = &lru;
    e->older = lru.older;
    lru.older->newer = e;
    lru.older = e;
  }

  void evict_to(std::size_t limit) {
    while (usage > limit && lru.newer != &lru) {
      entry* victim = lru.newer;
      usage -= victim->value->size();
      unlink(victim);
      index.erase(victim->key);
      ++evictions;
    }
  }
};

block_cache::block_cache(std::size_t capacity_bytes, int shard_bits)
    : capacity_(capacity_bytes), shard_bits_(shard_bits) {
  const std::size_t n = std::size_t{1} << shard_bits;
  const std::size_t per_shard = (capacity_bytes + n - 1) / n;
  for (std::size_t i = 0; i < n; ++i) {
    shards_.push_back(std::make_unique<shard>());
    shards_.back()->capacity = per_shard;
  }
}

block_cache::~block_cache() = default;

std::uint64_t block_cache::new_table_id() {
  std::lock_guard<std::mutex> lock(id_mutex_);
  return next_table_id_++;
}

block_cache::shard& block_cache::shard_for(std::uint64_t table_id, std::uint64_t offset,
                                           std::uint64_t* hash) {
  *hash = mix(table_id, offset);
  // The top bits pick the shard; the hash map uses the low ones.
  return *shards_[shard_bits_ == 0 ? 0 : *hash >> (64 - shard_bits_)];
}

std::shared_ptr<const block> block_cache::lookup(std::uint64_t table_id, std::uint64_t offset) {
  std::uint64_t hash;
  shard& s = shard_for(table_id, offset, &hash);
  std::lock_guard<std::mutex> lock(s.mutex);
  auto it = s.index.find(cache_key{table_id, offset});
  if (it == s.index.end()) {
    ++s.misses;
    return nullptr;
  }
  ++s.hits;
  shard::entry* e = &it->second;
  shard::unlink(e);
  s.make_most_recent(e);
  return e->value;
}

void block_cache::insert(std::uint64_t table_id, std::uint64_t offset,
                         std::shared_ptr<const block> b) {
  std::uint64_t hash;
  shard& s = shard_for(table_id, offset, &hash);
  const std::size_t charge = b->size();
  // Dropped outside the lock: freeing a block is not the shard's business.
  std::shared_ptr<const block> replaced;
  std::lock_guard<std::mutex> lock(s.mutex);
  if (charge > s.capacity) return;
  const cache_key key{table_id, offset};
  auto [it, added] = s.index.try_emplace(key);
  shard::entry* e = &it->second;
  if (added) {
    e->key = key;
  } else {
    s.usage -= e->value->size();
    replaced = std::move(e->value);
    shard::unlink(e);
  }
  e->value = std::move(b);
  s.make_most_recent(e);
  s.usage += charge;
  ++s.inserts;
  s.evict_to(s.capacity);
}

block_cache::counters block_cache::stats() const {
  counters c;
  for (const auto& s : shards_) {
    std::lock_guard<std::mutex> lock(s->mutex);
    c.hits += s->hits;
    c.misses += s->misses;
    c.inserts += s->inserts;
    c.evictions += s->evictions;
    c.usage_bytes += s->usage;
    c.entries += s->index.size();
  }
  return c;
}

}  // namespace kepler::storage
