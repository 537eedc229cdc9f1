#pragma once
// The table's bloom filter over user keys (sst_format.md "Filter block"): a cache-line-blocked
// bloom filter. One 64-bit MurmurHash64A of the key picks a 64-byte line of the bit array and k
// bits within it, so a probe reads one cache line. A table has one filter; a get for a key the
// filter rules out reads no data block.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage_format/util/status.hpp"

namespace kepler::storage {

/// MurmurHash64A (Austin Appleby) with the filter's seed, reading 8-byte words little-endian.
std::uint64_t bloom_hash(std::string_view key);

class bloom_filter_builder {
 public:
  /// REQUIRES: bits_per_key >= 1.
  explicit bloom_filter_builder(int bits_per_key);

  /// Adds a user key; the same key added twice in a row (two versions) counts once.
  void add_key(std::string_view user_key);
  std::size_t key_count() const { return hashes_.size(); }

  /// The filter block's contents: the bit array (whole 64-byte lines), then one byte with the
  /// probe count.
  std::string finish() const;

 private:
  int bits_per_key_;
  int probes_;
  std::vector<std::uint64_t> hashes_;
  std::string last_key_;
};

class bloom_filter {
 public:
  /// Takes a filter block's contents. Fails with corruption when there is no bit array or it is
  /// not whole 64-byte lines.
  static status parse(std::string contents, bloom_filter* out);

  /// False only when `user_key` was certainly not added.
  bool may_contain(std::string_view user_key) const {
    return may_contain_hash(bloom_hash(user_key));
  }
  bool may_contain_hash(std::uint64_t hash) const;
  /// Bytes of the filter block it was parsed from.
  std::size_t size() const { return std::size_t{lines_} * 64 + 1; }

 private:
  std::string storage_;  // the bit array, starting at offset_, aligned to a cache line
  std::size_t offset_ = 0;
  std::uint32_t lines_ = 0;
  int probes_ = 0;  // 0: an encoding this build does not know, so everything may match
};

}  // namespace kepler::storage
