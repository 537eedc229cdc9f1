#pragma once
// A bump allocator for the memtable: memory comes in blocks and is freed all at once when the
// arena dies, so the many small entries and skiplist nodes cost no per-allocation bookkeeping.
// One thread allocates; any thread may read memory_usage().

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

namespace kepler::storage {

class arena {
 public:
  /// Small enough that an almost idle memtable stays small, large enough to amortise new[].
  static constexpr std::size_t block_size = 4096;

  arena() = default;
  arena(const arena&) = delete;
  arena& operator=(const arena&) = delete;

  /// `bytes` of memory with no alignment promise. REQUIRES: bytes > 0.
  char* allocate(std::size_t bytes);
  /// `bytes` of memory aligned to `alignment`. REQUIRES: bytes > 0; alignment a power of two.
  char* allocate_aligned(std::size_t bytes, std::size_t alignment = alignof(std::max_align_t));

  /// Bytes of all blocks handed out so far; safe to read from any thread.
  std::size_t memory_usage() const { return memory_usage_.load(std::memory_order_relaxed); }

 private:
  char* allocate_fallback(std::size_t bytes, std::size_t alignment);
  char* allocate_new_block(std::size_t bytes);

  char* alloc_ptr_ = nullptr;
  std::size_t alloc_bytes_remaining_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::atomic<std::size_t> memory_usage_{0};
};

}  // namespace kepler::storage
