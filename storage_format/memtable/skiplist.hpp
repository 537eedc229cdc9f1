#pragma once
// A sorted set for the memtable: one writer inserts while any number of readers search and
// iterate without locks.
//
// Why that is safe: a node is fully built (key and its own next pointers) before a release store
// links it in, and readers follow links with acquire loads, so a reader that reaches a node sees
// it whole. Nodes are never removed or changed after linking (only their next pointers grow), and
// their memory lives in the arena until the skiplist dies, so a reader never follows a dangling
// pointer. The writer must be serialised externally; readers need nothing.
//
// `Comparator` is a copyable callable `int(const Key&, const Key&)` returning <0, 0, >0.

#include <atomic>
#include <cassert>
#include <cstdint>
#include <new>

#include "storage_format/util/arena.hpp"

namespace kepler::storage {

template <typename Key, class Comparator>
class skiplist {
 private:
  struct node;

 public:
  /// Enough levels for ~4^12 = 16M entries before searches degrade; a memtable holds far fewer.
  static constexpr int max_height = 12;
  /// Each level holds about one in `branching` of the nodes of the level below.
  static constexpr unsigned branching = 4;

  /// Nodes are allocated in `*arena`, which must outlive the skiplist.
  skiplist(Comparator cmp, arena* arena);
  skiplist(const skiplist&) = delete;
  skiplist& operator=(const skiplist&) = delete;

  /// REQUIRES: no key comparing equal to `key` is present; no concurrent insert.
  void insert(const Key& key);
  bool contains(const Key& key) const;

  class iterator {
   public:
    /// Not valid until positioned.
    explicit iterator(const skiplist* list) : list_(list) {}

    bool valid() const { return node_ != nullptr; }
    /// REQUIRES: valid().
    const Key& key() const {
      assert(valid());
      return node_->key;
    }
    /// REQUIRES: valid().
    void next() {
      assert(valid());
      node_ = node_->next(0);
    }
    /// REQUIRES: valid(). Without back links this is a search for the last smaller key.
    void prev() {
      assert(valid());
      node_ = list_->find_less_than(node_->key);
      if (node_ == list_->head_) node_ = nullptr;
    }
    /// First entry at or after `target`.
    void seek(const Key& target) { node_ = list_->find_greater_or_equal(target, nullptr); }
    void seek_to_first() { node_ = list_->head_->next(0); }
    void seek_to_last() {
      node_ = list_->find_last();
      if (node_ == list_->head_) node_ = nullptr;
    }

   private:
    const skiplist* list_;
    const node* node_ = nullptr;
  };

 private:
  // Aligned like its links so that they can start right at sizeof(node), whatever Key is.
  struct alignas(std::atomic<void*>) node {
    explicit node(const Key& k) : key(k) {}

    Key const key;

    // The next pointers sit right after the node in the same arena allocation, one per level of
    // the node's height; the node itself does not know its height.
    std::atomic<node*>* links() { return reinterpret_cast<std::atomic<node*>*>(this + 1); }
    const std::atomic<node*>* links() const {
      return reinterpret_cast<const std::atomic<node*>*>(this + 1);
    }

    // Acquire, so a reader that gets the pointer also sees the node it points to fully built.
    node* next(int level) const { return links()[level].load(std::memory_order_acquire); }
    // Release, so the node being linked in is fully built before anyone can reach it.
    void set_next(int level, node* n) { links()[level].store(n, std::memory_order_release); }
    // For a node nobody can reach yet: no ordering needed, the later set_next publishes it.
    node* next_relaxed(int level) const { return links()[level].load(std::memory_order_relaxed); }
    void set_next_relaxed(int level, node* n) {
      links()[level].store(n, std::memory_order_relaxed);
    }
  };

  node* new_node(const Key& key, int height);
  int random_height();
  int current_height() const { return max_height_.load(std::memory_order_relaxed); }
  bool equal(const Key& a, const Key& b) const { return compare_(a, b) == 0; }
  bool key_is_after_node(const Key& key, const node* n) const {
    return n != nullptr && compare_(n->key, key) < 0;
  }
  // First node at or after `key`; fills prev[level] with the node before it on each level when
  // `prev` is not null (the insert splice points).
  node* find_greater_or_equal(const Key& key, node** prev) const;
  // Last node before `key`, or head_.
  node* find_less_than(const Key& key) const;
  // Last node, or head_ when empty.
  node* find_last() const;

  Comparator const compare_;
  arena* const arena_;
  node* const head_;
  // Readers may see a stale height: levels above it are then skipped, which is only slower. A
  // reader that sees the new height before the new links finds null at head_ and drops a level.
  std::atomic<int> max_height_{1};
  // Written only by the single writer.
  std::uint64_t rng_state_;
};

template <typename Key, class Comparator>
skiplist<Key, Comparator>::skiplist(Comparator cmp, arena* arena)
    : compare_(cmp), arena_(arena), head_(new_node(Key(), max_height)), rng_state_(0xdeadbeef) {}

template <typename Key, class Comparator>
typename skiplist<Key, Comparator>::node* skiplist<Key, Comparator>::new_node(const Key& key,
                                                                              int height) {
  static_assert(alignof(node) >= alignof(std::atomic<node*>),
                "the links right after a node must be aligned for it");
  const std::size_t bytes = sizeof(node) + sizeof(std::atomic<node*>) * height;
  char* memory = arena_->allocate_aligned(bytes, alignof(node));
  node* n = new (memory) node(key);
  auto* links = reinterpret_cast<std::atomic<node*>*>(memory + sizeof(node));
  for (int i = 0; i < height; ++i) new (links + i) std::atomic<node*>(nullptr);
  return n;
}

template <typename Key, class Comparator>
int skiplist<Key, Comparator>::random_height() {
  int height = 1;
  for (;;) {
    // xorshift64: cheap, and quality is not critical; a fixed seed keeps runs reproducible.
    rng_state_ ^= rng_state_ << 13;
    rng_state_ ^= rng_state_ >> 7;
    rng_state_ ^= rng_state_ << 17;
    if (height >= max_height || rng_state_ % branching != 0) break;
    ++height;
  }
  return height;
}

template <typename Key, class Comparator>
typename skiplist<Key, Comparator>::node* skiplist<Key, Comparator>::find_greater_or_equal(
    const Key& key, node** prev) const {
  node* x = head_;
  int level = current_height() - 1;
  for (;;) {
    node* next = x->next(level);
    if (key_is_after_node(key, next)) {
      x = next;
    } else {
      if (prev != nullptr) prev[level] = x;
      if (level == 0) return next;
      --level;
    }
  }
}

template <typename Key, class Comparator>
typename skiplist<Key, Comparator>::node* skiplist<Key, Comparator>::find_less_than(
    const Key& key) const {
  node* x = head_;
  int level = current_height() - 1;
  for (;;) {
    node* next = x->next(level);
    if (next != nullptr && compare_(next->key, key) < 0) {
      x = next;
    } else {
      if (level == 0) return x;
      --level;
    }
  }
}

template <typename Key, class Comparator>
typename skiplist<Key, Comparator>::node* skiplist<Key, Comparator>::find_last() const {
  node* x = head_;
  int level = current_height() - 1;
  for (;;) {
    node* next = x->next(level);
    if (next != nullptr) {
      x = next;
    } else {
      if (level == 0) return x;
      --level;
    }
  }
}

template <typename Key, class Comparator>
void skiplist<Key, Comparator>::insert(const Key& key) {
  node* prev[max_height];
  node* x = find_greater_or_equal(key, prev);
  assert(x == nullptr || !equal(key, x->key));
  (void)x;

  const int height = random_height();
  if (height > current_height()) {
    for (int level = current_height(); level < height; ++level) prev[level] = head_;
    // Relaxed is enough: see max_height_.
    max_height_.store(height, std::memory_order_relaxed);
  }

  node* n = new_node(key, height);
  for (int level = 0; level < height; ++level) {
    // Bottom-up, so a reader that finds the node on a higher level also finds it below.
    n->set_next_relaxed(level, prev[level]->next_relaxed(level));
    prev[level]->set_next(level, n);
  }
}

template <typename Key, class Comparator>
bool skiplist<Key, Comparator>::contains(const Key& key) const {
  const node* x = find_greater_or_equal(key, nullptr);
  return x != nullptr && equal(key, x->key);
}

}  // namespace kepler::storage
