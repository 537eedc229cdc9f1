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
/// db_bench's CompressibleString: pieces of this many bytes, each its random prefix repeated.
constexpr std::size_t piece_bytes = 100;
/// Printable ASCII from ' ', as db_bench's RandomString.
constexpr int printable_chars = 95;
}  // namespace

std::string make_key(key_space space, std::uint64_t index, std::size_t size) {
  std::string key(size, '0');
  key[0] = static_cast<char>(space);
  for (std::size_t pos = size; pos > 1 && index != 0; index /= 10) key[--pos] = '0' + index % 10;
  return key;
}

value_pool::value_pool(std::size_t size, double compression_ratio)
    : size_(size), bytes_(std::max(min_pool_bytes, 2 * size), 'x') {
  std::mt19937_64 rng(pool_seed);
  const auto random_bytes = std::max<std::size_t>(
      1, static_cast<std::size_t>(compression_ratio * static_cast<double>(piece_bytes)));
  std::string prefix(random_bytes, ' ');
  for (std::size_t at = 0; at < bytes_.size(); at += piece_bytes) {
    for (auto& c : prefix) c = static_cast<char>(' ' + rng() % printable_chars);
    for (std::size_t i = 0; i < piece_bytes && at + i < bytes_.size(); ++i) {
      bytes_[at + i] = prefix[i % random_bytes];
    }
  }
}

std::string_view value_pool::value(std::uint64_t index) const {
  return std::string_view(bytes_).substr((index * pool_stride) % (bytes_.size() - size_), size_);
}

}  // namespace kepler::bench
