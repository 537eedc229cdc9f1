#include <doctest/doctest.h>

#include <atomic>
#include <list>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "storage_format/table/block_builder.hpp"
#include "storage_format/table/block_cache.hpp"
#include "table_test_util.hpp"

using namespace kepler::storage;
using namespace kepler::test;

namespace {

// A block of exactly `bytes` bytes: padding, then one restart point at 0 and the count 1. The
// cache only charges bytes, so what the padding decodes to does not matter here.
std::shared_ptr<const block> block_of(std::size_t bytes) {
  REQUIRE(bytes >= 8);
  std::string contents(bytes - 8, 'x');
  contents += std::string(4, '\0');  // restart 0
  contents += std::string("\x01\0\0\0", 4);
  auto b = std::make_shared<block>();
  REQUIRE(block::parse(contents, b.get()).is_ok());
  REQUIRE(b->size() == bytes);
  return b;
}

}  // namespace

TEST_CASE("the block cache counts hits and misses and keeps tables apart") {
  block_cache cache(1 << 20, 2);
  const std::uint64_t a = cache.new_table_id();
  const std::uint64_t b = cache.new_table_id();
  CHECK(a != b);
  CHECK(cache.lookup(a, 0).get() == nullptr);
  auto blk = block_of(100);
  cache.insert(a, 0, blk);
  CHECK(cache.lookup(a, 0).get() == blk.get());
  CHECK(cache.lookup(b, 0).get() == nullptr);  // same offset, another table
  CHECK(cache.lookup(a, 4096).get() == nullptr);
  const auto s = cache.stats();
  CHECK(s.hits == 1);
  CHECK(s.misses == 3);
  CHECK(s.inserts == 1);
  CHECK(s.entries == 1);
  CHECK(s.usage_bytes == 100);
}

TEST_CASE("the block cache evicts the oldest unreferenced blocks to stay within its bytes") {
  block_cache cache(1000, 0);  // one shard: the order is exact
  const std::uint64_t id = cache.new_table_id();
  for (std::uint64_t i = 0; i < 4; ++i) cache.insert(id, i, block_of(200));
  CHECK(cache.stats().usage_bytes == 800);
  CHECK(cache.lookup(id, 0).get() != nullptr);  // 0 is referenced: it gets a second chance
  cache.insert(id, 4, block_of(600));           // 1400 bytes: 0 requeued, evict 1, then 2
  CHECK(cache.lookup(id, 1).get() == nullptr);
  CHECK(cache.lookup(id, 2).get() == nullptr);
  CHECK(cache.lookup(id, 0).get() != nullptr);
  CHECK(cache.lookup(id, 3).get() != nullptr);
  CHECK(cache.lookup(id, 4).get() != nullptr);
  const auto s = cache.stats();
  CHECK(s.usage_bytes == 1000);
  CHECK(s.evictions == 2);
  CHECK(s.usage_bytes <= cache.capacity());
  // A block larger than the shard is handed back to its reader but not kept.
  cache.insert(id, 9, block_of(2000));
  CHECK(cache.lookup(id, 9).get() == nullptr);
  CHECK(cache.stats().usage_bytes == 1000);
  // Replacing a block charges the new size only.
  cache.insert(id, 0, block_of(100));
  CHECK(cache.stats().usage_bytes == 900);
}

TEST_CASE("a pinned block outlives its eviction") {
  block_cache cache(300, 0);
  const std::uint64_t id = cache.new_table_id();
  // Pinned by its reader since it was read, and not looked up again: the next insert evicts it.
  const std::shared_ptr<const block> pinned = block_of(200);
  cache.insert(id, 0, pinned);
  cache.insert(id, 1, block_of(200));
  CHECK(cache.lookup(id, 0).get() == nullptr);
  REQUIRE(pinned.get() != nullptr);
  CHECK(pinned->size() == 200);
  block::iterator it(pinned.get());
  it.seek_to_first();                                   // still readable: its bytes are alive
  CHECK(it.state().code() == status_code::corruption);  // the padding is no entry, as built
  CHECK(cache.stats().usage_bytes == 200);
}

TEST_CASE("four threads read one table through a small shared block cache") {
  entry_list entries;
  for (int i = 0; i < 4000; ++i) {
    char user[16];
    std::snprintf(user, sizeof user, "user%06d", i);
    entries.emplace_back(ikey(user, 7), std::string(40 + i % 60, static_cast<char>('a' + i % 26)));
  }
  table_options o;
  o.block_bytes = 1024;
  const std::string data = build_table(entries, o);
  block_cache cache(32 << 10, 2);  // a few blocks: constant eviction while the threads read
  std::unique_ptr<table_reader> t;
  REQUIRE(open_table(data, &cache, &t).is_ok());

  constexpr int threads = 4;
  constexpr int reads_per_thread = 5000;
  std::atomic<int> wrong{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> pool;
  for (int n = 0; n < threads; ++n) {
    pool.emplace_back([&, n] {
      std::mt19937 rng(static_cast<unsigned>(n));
      std::string value;
      for (int r = 0; r < reads_per_thread; ++r) {
        const auto& [k, v] = entries[rng() % entries.size()];
        table_lookup result;
        if (!t->get(read_options{}, k, &result, &value)) {
          ++errors;
        } else if (result != table_lookup::found || value != v) {
          ++wrong;
        }
        if (r % 500 == 0) {  // a short scan, pinning blocks while others evict them
          auto it = t->new_iterator();
          std::size_t i = rng() % entries.size();
          it->seek(entries[i].first);
          for (int step = 0; step < 50 && it->valid(); ++step, ++i, it->next()) {
            if (it->key() != entries[i].first || it->value() != entries[i].second) ++wrong;
          }
          if (!it->state()) ++errors;
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  const auto s = cache.stats();
  MESSAGE("concurrent readers: " << threads << " threads x " << reads_per_thread << " gets, "
                                 << s.hits << " hits, " << s.misses << " misses, " << s.evictions
                                 << " evictions, " << wrong.load() << " wrong, " << errors.load()
                                 << " errors");
  CHECK(wrong == 0);
  CHECK(errors == 0);
  CHECK(s.evictions > 0);
  CHECK(s.usage_bytes <= cache.capacity() + 4 * 1024);  // shards round their part up
}

TEST_CASE("the block cache agrees with a reference CLOCK over random inserts and lookups") {
  // One shard, so the eviction order is exact; enough blocks that the slot table grows and
  // evictions shift probe runs many times. The reference is second-chance FIFO written plainly.
  constexpr std::size_t capacity = 64 * 1024;
  block_cache cache(capacity, 0);
  struct held_block {
    std::size_t bytes;
    bool referenced;
    std::list<std::uint64_t>::iterator place;
  };
  std::list<std::uint64_t> queue;  // oldest first
  std::map<std::uint64_t, held_block> held;
  std::size_t usage = 0;
  std::mt19937_64 rng(11);
  std::size_t differences = 0, hits = 0, second_chances = 0;
  const std::uint64_t table = cache.new_table_id();
  for (int op = 0; op < 20000; ++op) {
    const std::uint64_t offset = (rng() % 300) * 4096;
    if (rng() % 2 == 0) {
      const bool cached = cache.lookup(table, offset) != nullptr;
      auto it = held.find(offset);
      differences += cached != (it != held.end()) ? 1 : 0;
      if (it != held.end()) {
        ++hits;
        it->second.referenced = true;
      }
    } else {
      const std::size_t bytes = 8 + 4 * (rng() % 512);
      cache.insert(table, offset, block_of(bytes));
      auto it = held.find(offset);
      if (it != held.end()) {
        usage -= it->second.bytes;
        queue.erase(it->second.place);
        held.erase(it);
      }
      queue.push_back(offset);
      held[offset] = {bytes, false, std::prev(queue.end())};
      usage += bytes;
      while (usage > capacity) {
        held_block& oldest = held[queue.front()];
        if (oldest.referenced) {
          oldest.referenced = false;
          queue.splice(queue.end(), queue, queue.begin());
          ++second_chances;
          continue;
        }
        usage -= oldest.bytes;
        held.erase(queue.front());
        queue.pop_front();
      }
    }
  }
  const auto s = cache.stats();
  MESSAGE("block cache vs reference CLOCK: 20000 operations, "
          << hits << " hits, " << second_chances << " second chances, " << s.evictions
          << " evictions, " << differences << " differences");
  CHECK(differences == 0);
  CHECK(s.usage_bytes == usage);
  CHECK(s.entries == held.size());
  CHECK(s.evictions > 1000);
  CHECK(second_chances > 100);
}
