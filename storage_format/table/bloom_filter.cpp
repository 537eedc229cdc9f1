#include "storage_format/table/bloom_filter.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

#include "storage_format/util/coding.hpp"

namespace kepler::storage {

namespace {

constexpr std::uint64_t murmur_multiplier = 0xc6a4a7935bd1e995ull;
constexpr int murmur_shift = 47;
constexpr std::uint64_t bloom_seed = 0x4b45504c45524246ull;  // "FBRELPEK": any fixed value works
// Every key's probes fall in one 64-byte line of the bit array (a cache line), so a lookup
// costs one memory miss, not one per probe.
constexpr std::size_t line_bytes = 64;
constexpr std::uint32_t line_bits = line_bytes * 8;
constexpr int line_bit_shift = 32 - 9;  // the top 9 bits of a probe pick one of 512 bits
constexpr std::uint32_t probe_multiplier = 0x9e3779b9;  // 2^32 / golden ratio, odd
// Lines are picked by a 32-bit fast range, and the array stays below 512 MiB.
constexpr std::uint64_t max_filter_lines = std::uint64_t{1} << 23;
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
  const std::uint64_t bits =
      std::uint64_t{hashes_.size()} * static_cast<std::uint64_t>(bits_per_key_);
  const std::uint64_t lines =
      std::clamp<std::uint64_t>((bits + line_bits - 1) / line_bits, 1, max_filter_lines);
  std::string out(lines * line_bytes, '\0');
  for (std::uint64_t h : hashes_) {
    char* line = out.data() + std::size_t{fast_range(static_cast<std::uint32_t>(h >> 32),
                                                     static_cast<std::uint32_t>(lines))} *
                                  line_bytes;
    auto probe = static_cast<std::uint32_t>(h);
    for (int i = 0; i < probes_; ++i) {
      const std::uint32_t bit = probe >> line_bit_shift;
      line[bit / 8] = static_cast<char>(line[bit / 8] | (1 << (bit % 8)));
      probe *= probe_multiplier;
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
  const std::size_t array_bytes = contents.size() - 1;
  if (array_bytes % line_bytes != 0 || array_bytes / line_bytes > max_filter_lines) {
    return status::corruption("filter bit array of " + std::to_string(array_bytes) +
                              " bytes is not whole 64-byte lines below 512 MiB");
  }
  const int probes = static_cast<std::uint8_t>(contents.back());
  // Copied so that every line starts a cache line: a probe then reads exactly one.
  out->storage_.assign(array_bytes + line_bytes - 1, '\0');
  out->offset_ =
      (line_bytes - reinterpret_cast<std::uintptr_t>(out->storage_.data()) % line_bytes) %
      line_bytes;
  std::memcpy(out->storage_.data() + out->offset_, contents.data(), array_bytes);
  out->lines_ = static_cast<std::uint32_t>(array_bytes / line_bytes);
  out->probes_ = probes >= 1 && probes <= max_probes ? probes : 0;
  return status::ok();
}

bool bloom_filter::may_contain_hash(std::uint64_t hash) const {
  if (probes_ == 0) return true;
  const char* line =
      storage_.data() + offset_ +
      std::size_t{fast_range(static_cast<std::uint32_t>(hash >> 32), lines_)} * line_bytes;
  auto probe = static_cast<std::uint32_t>(hash);
  for (int i = 0; i < probes_; ++i) {
    const std::uint32_t bit = probe >> line_bit_shift;
    if ((line[bit / 8] & (1 << (bit % 8))) == 0) return false;
    probe *= probe_multiplier;
  }
  return true;
}

}  // namespace kepler::storage
