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

}  // namespace

struct block_cache::shard {
  // An open-addressing table (linear probing, a slot holds the key's hash and its entry) finds a
  // block with one miss on the slot array and one on the entry; the LRU list runs through the
  // entries.
  struct entry {
    cache_key key;
    std::shared_ptr<const block> value;
    entry* newer = nullptr;
    entry* older = nullptr;
  };
  struct slot {
    std::uint64_t hash = 0;
    entry* e = nullptr;  // null: empty
  };
  static constexpr std::size_t min_slots = 16;

  mutable std::mutex mutex;
  std::size_t capacity = 0;
  std::size_t usage = 0;
  std::vector<slot> slots = std::vector<slot>(min_slots);
  std::size_t count = 0;
  entry lru;  // sentinel: lru.older is the most recently used, lru.newer the least
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t inserts = 0;
  std::uint64_t evictions = 0;

  shard() { lru.newer = lru.older = &lru; }
  ~shard() {
    for (const slot& s : slots) delete s.e;
  }

  std::size_t mask() const { return slots.size() - 1; }

  // The slot holding `key`, or the empty slot where it would go.
  std::size_t find(std::uint64_t hash, const cache_key& key) const {
    std::size_t i = hash & mask();
    while (slots[i].e != nullptr && !(slots[i].hash == hash && slots[i].e->key == key)) {
      i = (i + 1) & mask();
    }
    return i;
  }

  void grow() {
    std::vector<slot> old(slots.size() * 2);
    old.swap(slots);
    for (const slot& s : old) {
      if (s.e == nullptr) continue;
      std::size_t i = s.hash & mask();
      while (slots[i].e != nullptr) i = (i + 1) & mask();
      slots[i] = s;
    }
  }

  // Empties slot i and shifts later members of its probe run back, so no search stops early.
  void erase_slot(std::size_t i) {
    std::size_t j = i;
    for (;;) {
      j = (j + 1) & mask();
      if (slots[j].e == nullptr) break;
      const std::size_t home = slots[j].hash & mask();
      // Slot j may move to i when its home is not in the cyclic range (i, j].
      const bool home_in_range = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!home_in_range) {
        slots[i] = slots[j];
        i = j;
      }
    }
    slots[i] = slot{};
    --count;
  }

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
      erase_slot(find(mix(victim->key.table_id, victim->key.offset), victim->key));
      delete victim;
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
  shard::entry* e = s.slots[s.find(hash, cache_key{table_id, offset})].e;
  if (e == nullptr) {
    ++s.misses;
    return nullptr;
  }
  ++s.hits;
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
  std::size_t i = s.find(hash, key);
  shard::entry* e = s.slots[i].e;
  if (e != nullptr) {
    s.usage -= e->value->size();
    replaced = std::move(e->value);
    shard::unlink(e);
  } else {
    // At most half full, so probe runs stay short.
    if (2 * (s.count + 1) > s.slots.size()) {
      s.grow();
      i = s.find(hash, key);
    }
    e = new shard::entry;
    e->key = key;
    s.slots[i] = shard::slot{hash, e};
    ++s.count;
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
    c.entries += s->count;
  }
  return c;
}

}  // namespace kepler::storage
