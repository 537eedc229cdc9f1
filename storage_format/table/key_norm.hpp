#pragma once
// Normalized keys: a sorted run of internal keys searched through 8-byte numbers instead of the
// keys themselves. The run picks a user-key prefix most of its keys share; a key's norm is the
// 8 bytes of its user key after that prefix, zero-padded, read big-endian (0 for a key before
// every key with the prefix, all ones for one after them). Norms never descend along the run,
// so a binary search over a dense array of them finds the target's place up to the keys with
// the target's own norm, which are then compared in full. Used by cached data blocks' search
// index and by the table's index.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

#include "storage_format/memtable/internal_key.hpp"

namespace kepler::storage {

constexpr std::size_t key_norm_bytes = sizeof(std::uint64_t);

/// The norm of `user_key` relative to `prefix`.
inline std::uint64_t key_norm(std::string_view user_key, std::string_view prefix) {
  const std::size_t p = prefix.size();
  if (p > 0) {
    const int c = std::memcmp(user_key.data(), prefix.data(), std::min(user_key.size(), p));
    if (c < 0 || (c == 0 && user_key.size() < p)) return 0;
    if (c > 0) return UINT64_MAX;
  }
  const std::size_t bytes = std::min(user_key.size() - p, key_norm_bytes);
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < bytes; ++i) {
    n = (n << 8) | static_cast<std::uint8_t>(user_key[p + i]);
  }
  return bytes == key_norm_bytes ? n : bytes == 0 ? 0 : n << (8 * (key_norm_bytes - bytes));
}

/// Bytes the user keys of two internal keys share at their start.
/// REQUIRES: both hold a tag.
inline std::size_t shared_user_key_prefix(std::string_view a, std::string_view b) {
  constexpr std::size_t tag_bytes = 8;
  const std::size_t n = std::min(a.size(), b.size()) - tag_bytes;
  std::size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

/// The keys of a run of `count` ascending internal keys whose norm (relative to `prefix`) is
/// the target's, as [first, second): all keys before `first` are smaller than the target, all
/// from `second` on larger. `norm_at(i)` is the i-th key's norm. REQUIRES: target holds a tag.
template <typename NormAt>
std::pair<std::size_t, std::size_t> equal_norm_range(std::size_t count, const NormAt& norm_at,
                                                     std::string_view prefix,
                                                     std::string_view target) {
  constexpr std::size_t tag_bytes = 8;
  const std::uint64_t t = key_norm(target.substr(0, target.size() - tag_bytes), prefix);
  std::size_t left = 0;
  std::size_t right = count;
  while (left < right) {
    const std::size_t mid = left + (right - left) / 2;
    if (norm_at(mid) < t) {
      left = mid + 1;
    } else {
      right = mid;
    }
  }
  std::size_t end = left;
  right = count;
  while (end < right) {
    const std::size_t mid = end + (right - end) / 2;
    if (norm_at(mid) <= t) {
      end = mid + 1;
    } else {
      right = mid;
    }
  }
  return {left, end};
}

/// The first key in `range` (from equal_norm_range) at or after `target`; `key_at(i)` is the
/// i-th key in full.
template <typename KeyAt>
std::size_t lower_bound_in_range(std::pair<std::size_t, std::size_t> range, std::string_view target,
                                 const KeyAt& key_at) {
  auto [left, right] = range;
  while (left < right) {
    const std::size_t mid = left + (right - left) / 2;
    if (compare_internal_keys(key_at(mid), target) < 0) {
      left = mid + 1;
    } else {
      right = mid;
    }
  }
  return left;
}

/// The index of the first of `count` ascending internal keys at or after `target`.
template <typename NormAt, typename KeyAt>
std::size_t lower_bound_by_norm(std::size_t count, const NormAt& norm_at, std::string_view prefix,
                                std::string_view target, const KeyAt& key_at) {
  return lower_bound_in_range(equal_norm_range(count, norm_at, prefix, target), target, key_at);
}

}  // namespace kepler::storage
