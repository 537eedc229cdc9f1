#pragma once
// Normalized keys: a sorted run of internal keys searched through 8-byte numbers instead of the
// keys themselves. All the run's user keys share a prefix (the one the first and the last have
// in common); a key's norm is the next 8 bytes of its user key, zero-padded, read big-endian.
// For keys sharing the prefix, a <= b implies norm(a) <= norm(b), so a binary search over a
// dense array of norms finds the target's place up to keys with the target's own norm, which
// are then compared in full. Used by cached data blocks' search index and the table's index.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "storage_format/internal_key.hpp"

namespace kepler::storage {

constexpr std::size_t key_norm_bytes = sizeof(std::uint64_t);

/// The norm of `user_key`, whose first `prefix` bytes are the run's shared prefix.
inline std::uint64_t key_norm(std::string_view user_key, std::size_t prefix) {
  if (user_key.size() <= prefix) return 0;
  const std::size_t bytes = std::min(user_key.size() - prefix, key_norm_bytes);
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < bytes; ++i) {
    n = (n << 8) | static_cast<std::uint8_t>(user_key[prefix + i]);
  }
  return bytes == key_norm_bytes ? n : n << (8 * (key_norm_bytes - bytes));
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

/// The index of the first of `count` ascending internal keys at or after `target`: `norms` are
/// theirs, `prefix` (of `prefix_bytes`) their shared user-key prefix, and `key_at(i)` the i-th
/// key in full. REQUIRES: target holds a tag.
template <typename KeyAt>
std::size_t lower_bound_by_norm(const std::uint64_t* norms, std::size_t count, const char* prefix,
                                std::size_t prefix_bytes, std::string_view target,
                                const KeyAt& key_at) {
  constexpr std::size_t tag_bytes = 8;
  if (count == 0) return 0;
  const std::string_view user = target.substr(0, target.size() - tag_bytes);
  if (prefix_bytes > 0) {
    // Every key starts with the prefix: a target that does not is before or after all of them.
    const int c = std::memcmp(user.data(), prefix, std::min(user.size(), prefix_bytes));
    if (c < 0 || (c == 0 && user.size() < prefix_bytes)) return 0;
    if (c > 0) return count;
  }
  const std::uint64_t t = key_norm(user, prefix_bytes);
  const std::uint64_t* lo = std::lower_bound(norms, norms + count, t);
  const std::uint64_t* hi = std::upper_bound(lo, norms + count, t);
  // Among the keys with the target's norm, the first at or after the target.
  std::size_t left = static_cast<std::size_t>(lo - norms);
  std::size_t right = static_cast<std::size_t>(hi - norms);
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

}  // namespace kepler::storage
