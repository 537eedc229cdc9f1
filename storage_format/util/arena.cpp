#include "storage_format/util/arena.hpp"

#include <cassert>
#include <cstdint>

namespace kepler::storage {

namespace {

// Requests above this get a block of their own: otherwise starting a fresh shared block for
// them could waste up to the unused rest of the current one. At a quarter of a block the waste
// stays under 25%.
constexpr std::size_t own_block_threshold = arena::block_size / 4;

[[maybe_unused]] bool is_power_of_two(std::size_t n) {
  return n != 0 && (n & (n - 1)) == 0;
}

std::size_t padding_for(const char* p, std::size_t alignment) {
  const auto misalignment = reinterpret_cast<std::uintptr_t>(p) & (alignment - 1);
  return misalignment == 0 ? 0 : alignment - misalignment;
}

}  // namespace

char* arena::allocate(std::size_t bytes) {
  assert(bytes > 0);
  if (bytes <= alloc_bytes_remaining_) {
    char* result = alloc_ptr_;
    alloc_ptr_ += bytes;
    alloc_bytes_remaining_ -= bytes;
    return result;
  }
  return allocate_fallback(bytes, 1);
}

char* arena::allocate_aligned(std::size_t bytes, std::size_t alignment) {
  assert(bytes > 0);
  assert(is_power_of_two(alignment));
  const std::size_t padding = alloc_ptr_ == nullptr ? 0 : padding_for(alloc_ptr_, alignment);
  if (alloc_ptr_ != nullptr && padding <= alloc_bytes_remaining_ &&
      bytes <= alloc_bytes_remaining_ - padding) {
    char* result = alloc_ptr_ + padding;
    alloc_ptr_ += padding + bytes;
    alloc_bytes_remaining_ -= padding + bytes;
    return result;
  }
  return allocate_fallback(bytes, alignment);
}

char* arena::allocate_fallback(std::size_t bytes, std::size_t alignment) {
  // new[] only promises the default new alignment; reserve room to align by hand beyond it.
  const std::size_t slack =
      alignment > __STDCPP_DEFAULT_NEW_ALIGNMENT__ ? alignment - 1 : std::size_t{0};
  if (bytes + slack > own_block_threshold) {
    // The current block keeps its remainder for the small allocations that follow.
    char* block = allocate_new_block(bytes + slack);
    return block + padding_for(block, alignment);
  }
  alloc_ptr_ = allocate_new_block(block_size);
  alloc_bytes_remaining_ = block_size;
  const std::size_t padding = padding_for(alloc_ptr_, alignment);
  char* result = alloc_ptr_ + padding;
  alloc_ptr_ += padding + bytes;
  alloc_bytes_remaining_ -= padding + bytes;
  return result;
}

char* arena::allocate_new_block(std::size_t bytes) {
  // Not make_unique: it would zero the block, and a large value is about to overwrite it anyway.
  blocks_.emplace_back(new char[bytes]);
  memory_usage_.fetch_add(bytes + sizeof(blocks_.back()), std::memory_order_relaxed);
  return blocks_.back().get();
}

}  // namespace kepler::storage
