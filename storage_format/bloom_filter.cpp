#include "storage_format/bloom_filter.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "storage_format/coding.hpp"

namespace kepler::storage {

namespace {

constexpr std::uint64_t murmur_multiplier = 0xc6a4a7935bd1e995ull;
constexpr int murmur_shift = 47;
constexpr std::uint64_t bloom_seed = 0x4b45504c45524246ull;  // "FBRELPEK": any fixed value works
// A filter this small still keeps the false-positive rate of a table with few keys sensible.
constexpr std::size_t min_filter_bits = 64;
// Probe positions are 32-bit, so the bit array stays below 2^32 bits (512 MiB).
constexpr std::uint64_t max_filter_bits = std::uint64_t{UINT32_MAX} & ~std::uint64_t{7};
constexpr int max_probes = 30;

// Maps a 32-bit value uniformly onto [0, n) without a division (Lemire's fast range).
std::uint32_t fast_range(std::uint32_t x, std::uint32_t n) {
  return static_cast<std::uint32_t>((std::uint64_t{x} * n) >> 32);
}

}  // namespace

std::uint64_t bloom_hash(std::string_view key) {
  const std::size_t n = key.size();
  const char* p = key.data();
  std::uint64_t h = bloom_seed ^ (n * murmur_multiplier);
  const char* end = p + (n & ~std::size_t{7});
  for (; p != end; p += 8) {
    std::uint64_t k = decode_fixed64(p);
    k *= murmur_multiplier;
    k ^= k >> murmur_shift;
    k *= murmur_multiplier;
    h ^= k;
    h *= murmur_multiplier;
  }
  const std::size_t tail = n & 7;
  if (tail != 0) {
    for (std::size_t i = tail; i-- > 0;) {
      h ^= std::uint64_t{static_cast<std::uint8_t>(p[i])} << (8 * i);
    }
    h *= murmur_multiplier;
  }
  h ^= h >> murmur_shift;
  h *= murmur_multiplier;
  h ^= h >> murmur_shift;
  return h;
}

bloom_filter_builder::bloom_filter_builder(int bits_per_key) : bits_per_key_(bits_per_key) {
  assert(bits_per_key >= 1);
  // k = bits_per_key * ln 2 minimises the false-positive rate.
  probes_ = std::clamp(static_cast<int>(std::lround(bits_per_key * 0.69314718056)), 1, max_probes);
}

void bloom_filter_builder::add_key(std::string_view user_key) {
  if (!hashes_.empty() && user_key == last_key_) return;
  last_key_.assign(user_key.data(), user_key.size());
  hashes_.push_back(bloom_hash(user_key));
}

std::string bloom_filter_builder::finish() const {
  std::uint64_t bits = std::max<std::uint64_t>(
      std::uint64_t{hashes_.size()} * static_cast<std::uint64_t>(bits_per_key_), min_filter_bits);
  bits = std::min((bits + 7) & ~std::uint64_t{7}, max_filter_bits);
  std::string out(bits / 8, '\0');
  const auto n = static_cast<std::uint32_t>(bits);
  for (std::uint64_t h : hashes_) {
    auto h1 = static_cast<std::uint32_t>(h);
    const auto h2 = static_cast<std::uint32_t>(h >> 32);
    for (int i = 0; i < probes_; ++i) {
      const std::uint32_t bit = fast_range(h1, n);
      out[bit / 8] = static_cast<char>(out[bit / 8] | (1 << (bit % 8)));
      h1 += h2;
    }
  }
  out.push_back(static_cast<char>(probes_));
  return out;
}

status bloom_filter::parse(std::string contents, bloom_filter* out) {
  if (contents.size() < 2) {
    return status::corruption("filter of " + std::to_string(contents.size()) +
                              " bytes has no bit array");
  }
  const std::uint64_t bits = std::uint64_t{contents.size() - 1} * 8;
  if (bits > max_filter_bits) return status::corruption("filter larger than 512 MiB");
  const int probes = static_cast<std::uint8_t>(contents.back());
  out->contents_ = std::move(contents);
  out->bits_ = static_cast<std::uint32_t>(bits);
  out->probes_ = probes >= 1 && probes <= max_probes ? probes : 0;
  return status::ok();
}

bool bloom_filter::may_contain_hash(std::uint64_t hash) const {
  if (probes_ == 0) return true;
  auto h1 = static_cast<std::uint32_t>(hash);
  const auto h2 = static_cast<std::uint32_t>(hash >> 32);
  const char* array = contents_.data();
  for (int i = 0; i < probes_; ++i) {
    const std::uint32_t bit = fast_range(h1, bits_);
    if ((array[bit / 8] & (1 << (bit % 8))) == 0) return false;
    h1 += h2;
  }
  return true;
}

}  // namespace kepler::storage
