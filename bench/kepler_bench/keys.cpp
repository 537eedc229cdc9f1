#include "keys.hpp"

#include <algorithm>
#include <random>

namespace kepler::bench {

namespace {
/// Values are slices of at least this many random bytes (and of twice the value size).
constexpr std::size_t min_pool_bytes = 1 << 20;
/// A prime stride, so consecutive indexes start far apart in the pool.
constexpr std::uint64_t pool_stride = 7919;
constexpr std::uint64_t pool_seed = 301;
}  // namespace

std::string make_key(key_space space, std::uint64_t index, std::size_t size) {
  std::string key(size, '0');
  key[0] = static_cast<char>(space);
  for (std::size_t pos = size; pos > 1 && index != 0; index /= 10) key[--pos] = '0' + index % 10;
  return key;
}

value_pool::value_pool(std::size_t size)
    : size_(size), bytes_(std::max(min_pool_bytes, 2 * size), 'x') {
  std::mt19937_64 rng(pool_seed);
  for (auto& c : bytes_) c = static_cast<char>('a' + rng() % 26);
}

std::string_view value_pool::value(std::uint64_t index) const {
  return std::string_view(bytes_).substr((index * pool_stride) % (bytes_.size() - size_), size_);
}

}  // namespace kepler::bench
