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
  struct entry {
    cache_key key;
    std::shared_ptr<const block> value;
  };

  mutable std::mutex mutex;
  std::size_t capacity = 0;
  std::size_t usage = 0;
  std::list<entry> lru;  // most recently used first
  std::unordered_map<cache_key, std::list<entry>::iterator, cache_key_hash> index;
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t inserts = 0;
  std::uint64_t evictions = 0;

  void evict_to(std::size_t limit) {
    while (usage > limit && !lru.empty()) {
      entry& victim = lru.back();
      usage -= victim.value->size();
      index.erase(victim.key);
      lru.pop_back();
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
  s.lru.splice(s.lru.begin(), s.lru, it->second);
  return it->second->value;
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
  auto it = s.index.find(key);
  if (it != s.index.end()) {
    s.usage -= it->second->value->size();
    replaced = std::move(it->second->value);
    it->second->value = std::move(b);
    s.lru.splice(s.lru.begin(), s.lru, it->second);
  } else {
    s.lru.push_front(shard::entry{key, std::move(b)});
    s.index.emplace(key, s.lru.begin());
  }
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
    c.entries += s->lru.size();
  }
  return c;
}

}  // namespace kepler::storage
