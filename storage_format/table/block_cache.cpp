#include "storage_format/table/block_cache.hpp"

namespace kepler::storage {

namespace {

struct cache_key {
  std::uint64_t table_id;
  std::uint64_t block_number;
  bool operator==(const cache_key& o) const {
    return table_id == o.table_id && block_number == o.block_number;
  }
};

// A 64-bit finaliser (murmur3's fmix64) over both halves: block numbers and table ids are small
// and sequential, so both need mixing before bits are taken.
std::uint64_t mix(std::uint64_t table_id, std::uint64_t block_number) {
  std::uint64_t h = table_id * 0x9e3779b97f4a7c15ull ^ block_number;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

}  // namespace

struct block_cache::shard {
  // An open-addressing table (linear probing). A slot holds the key and the block, so a hit
  // reads one slot and nothing else of the cache: it marks the slot referenced instead of moving
  // the block in a list, which would touch two neighbours' memory on every hit.
  //
  // Eviction is CLOCK in its second-chance FIFO form: blocks queue in insertion order (a list
  // through `entry` nodes, touched only by inserts and evictions); the oldest goes unless it was
  // referenced since it was last looked at, in which case it loses the mark and rejoins the
  // queue as the newest. Blocks looked up again survive, as under LRU, without the cost per hit.
  struct entry {
    cache_key key;
    entry* newer = nullptr;
    entry* older = nullptr;
  };
  // One cache line each (and the array aligned to lines), so a lookup misses once per slot.
  struct alignas(64) slot {
    cache_key key{};
    entry* e = nullptr;  // null: empty
    std::shared_ptr<const block> value;
    std::string_view hot;  // value->hot_bytes(), kept here to prefetch it before value is read
    bool referenced = false;
  };
  static constexpr std::size_t min_slots = 16;

  mutable std::mutex mutex;
  std::size_t capacity = 0;
  std::size_t usage = 0;
  std::vector<slot> slots = std::vector<slot>(min_slots);
  std::size_t count = 0;
  entry queue;  // sentinel: queue.older is the newest, queue.newer the oldest
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t inserts = 0;
  std::uint64_t evictions = 0;

  shard() { queue.newer = queue.older = &queue; }
  ~shard() {
    for (const slot& s : slots) delete s.e;
  }

  std::size_t mask() const { return slots.size() - 1; }
  std::size_t home(const cache_key& key) const {
    return mix(key.table_id, key.block_number) & mask();
  }

  // The slot holding `key`, or the empty slot where it would go.
  std::size_t find(std::uint64_t hash, const cache_key& key) const {
    std::size_t i = hash & mask();
    while (slots[i].e != nullptr && !(slots[i].key == key)) i = (i + 1) & mask();
    return i;
  }

  void grow() {
    std::vector<slot> old(slots.size() * 2);
    old.swap(slots);
    for (slot& s : old) {
      if (s.e == nullptr) continue;
      std::size_t i = home(s.key);
      while (slots[i].e != nullptr) i = (i + 1) & mask();
      slots[i] = std::move(s);
    }
  }

  // Empties slot i and shifts later members of its probe run back, so no search stops early.
  void erase_slot(std::size_t i) {
    std::size_t j = i;
    for (;;) {
      j = (j + 1) & mask();
      if (slots[j].e == nullptr) break;
      const std::size_t h = home(slots[j].key);
      // Slot j may move to i when its home is not in the cyclic range (i, j].
      const bool home_in_range = i <= j ? (h > i && h <= j) : (h > i || h <= j);
      if (!home_in_range) {
        slots[i] = std::move(slots[j]);
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
  void make_newest(entry* e) {
    e->newer = &queue;
    e->older = queue.older;
    queue.older->newer = e;
    queue.older = e;
  }

  void evict_to(std::size_t limit) {
    while (usage > limit && queue.newer != &queue) {
      entry* oldest = queue.newer;
      const std::size_t i = find(mix(oldest->key.table_id, oldest->key.block_number), oldest->key);
      unlink(oldest);
      if (slots[i].referenced) {
        slots[i].referenced = false;
        make_newest(oldest);
        continue;
      }
      usage -= slots[i].value->size();
      erase_slot(i);
      delete oldest;
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

block_cache::shard& block_cache::shard_for(std::uint64_t table_id, std::uint64_t block_number,
                                           std::uint64_t* hash) {
  *hash = mix(table_id, block_number);
  // The top bits pick the shard; the hash map uses the low ones.
  return *shards_[shard_bits_ == 0 ? 0 : *hash >> (64 - shard_bits_)];
}

std::shared_ptr<const block> block_cache::lookup(std::uint64_t table_id,
                                                 std::uint64_t block_number) {
  std::uint64_t hash;
  shard& s = shard_for(table_id, block_number, &hash);
  std::lock_guard<std::mutex> lock(s.mutex);
  shard::slot& found = s.slots[s.find(hash, cache_key{table_id, block_number})];
  if (found.e == nullptr) {
    ++s.misses;
    return nullptr;
  }
  ++s.hits;
  found.referenced = true;
  // Loads of the block's search index start while the pin below waits for the block itself.
  block::prefetch(found.hot);
  return found.value;
}

void block_cache::insert(std::uint64_t table_id, std::uint64_t block_number,
                         std::shared_ptr<const block> b) {
  std::uint64_t hash;
  shard& s = shard_for(table_id, block_number, &hash);
  const std::size_t charge = b->size();
  // Dropped outside the lock: freeing a block is not the shard's business.
  std::shared_ptr<const block> replaced;
  std::lock_guard<std::mutex> lock(s.mutex);
  if (charge > s.capacity) return;
  const cache_key key{table_id, block_number};
  std::size_t i = s.find(hash, key);
  shard::entry* e = s.slots[i].e;
  if (e != nullptr) {
    s.usage -= s.slots[i].value->size();
    replaced = std::move(s.slots[i].value);
    shard::unlink(e);
  } else {
    // At most half full, so probe runs stay short.
    if (2 * (s.count + 1) > s.slots.size()) {
      s.grow();
      i = s.find(hash, key);
    }
    e = new shard::entry;
    e->key = key;
    s.slots[i].key = key;
    s.slots[i].e = e;
    ++s.count;
  }
  s.slots[i].hot = b->hot_bytes();
  s.slots[i].value = std::move(b);
  s.slots[i].referenced = false;
  s.make_newest(e);
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
