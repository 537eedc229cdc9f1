#pragma once
// The keys and values every engine receives: the same bytes in the same order for all.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kepler::bench {

/// Each family of keys starts with its own letter, so workloads that must not meet never do
/// (YCSB's records are apart from the fills'; readmissing asks for fill keys with "." appended,
/// which sort among the written ones but are never written).
enum class key_space : char {
  fill = 'k',      // fillseq, fillrandom, overwrite, fillbatch, reads, readmissing, deleterandom
  sync = 's',      // fillsync
  threaded = 't',  // fillsync8
  ycsb = 'y',      // YCSB records and inserts
  idle = 'i',      // idle
};

/// The space letter, then `index` in decimal, zero-padded to `size` bytes (so keys sort by
/// index). REQUIRES: size >= 8 and index < 10^(size-1).
std::string make_key(key_space space, std::uint64_t index, std::size_t size);

/// Values of one size, different for different indexes. They are slices of one buffer built as
/// db_bench's RandomGenerator builds it, so a value costs no random generator inside the timed
/// loop and compresses to about `compression_ratio`: every 100-byte piece of the buffer is a
/// random printable prefix of compression_ratio x 100 bytes, repeated. Thread-safe once
/// constructed. REQUIRES: 0 < compression_ratio <= 1.
class value_pool {
 public:
  explicit value_pool(std::size_t size, double compression_ratio = 1.0);
  std::string_view value(std::uint64_t index) const;
  std::size_t size() const { return size_; }

 private:
  std::size_t size_;
  std::string bytes_;
};

}  // namespace kepler::bench
