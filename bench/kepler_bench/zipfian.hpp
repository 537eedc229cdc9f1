#pragma once
// YCSB's request distributions: zipfian (Gray et al., "Quickly generating billion-record
// synthetic databases", as in YCSB's ZipfianGenerator), scrambled so the popular items spread
// over the key space, and "latest" (popular items are the newest).

#include <cstdint>
#include <random>

namespace kepler::bench {

/// YCSB's default skew.
constexpr double ycsb_zipfian_theta = 0.99;

class zipfian_generator {
 public:
  /// Items 0..items-1, item 0 the most popular. Costs O(items) once (zeta).
  explicit zipfian_generator(std::uint64_t items, double theta = ycsb_zipfian_theta);
  /// An item in [0, items); `items` may grow between calls (YCSB D and E insert), which extends
  /// zeta incrementally.
  std::uint64_t next(std::mt19937_64& rng, std::uint64_t items);
  /// As next, but the popular items are spread over [0, items) by an FNV hash (YCSB's
  /// ScrambledZipfianGenerator).
  std::uint64_t next_scrambled(std::mt19937_64& rng, std::uint64_t items);
  /// The newest items most popular: items - 1 - next() (YCSB's SkewedLatestGenerator).
  std::uint64_t next_latest(std::mt19937_64& rng, std::uint64_t items);

 private:
  void grow_to(std::uint64_t items);
  double theta_, alpha_, zeta2_;
  std::uint64_t items_ = 0;
  double zetan_ = 0, eta_ = 0;
};

}  // namespace kepler::bench
