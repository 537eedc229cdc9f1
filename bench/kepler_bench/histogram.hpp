#pragma once
// Latency histogram in the manner of LevelDB's util/histogram: geometric buckets, exact count,
// min, max and sum, percentiles interpolated within a bucket. One per client thread, merged.

#include <array>
#include <cstdint>
#include <cstdio>

namespace kepler::bench {

class histogram {
 public:
  /// Bucket limits grow by this factor from the first limit, up to over an hour in micros.
  static constexpr double growth = 1.08;
  static constexpr double first_limit_micros = 0.1;
  static constexpr std::size_t bucket_count = 320;

  void add(double micros);
  void merge(const histogram& other);
  std::uint64_t count() const { return count_; }
  double min() const { return count_ ? min_ : 0; }
  double max() const { return max_; }
  double mean() const { return count_ ? sum_ / count_ : 0; }
  /// The latency below which `p` percent of the samples lie.
  double percentile(double p) const;
  /// db_bench's table: each non-empty bucket's range, count, percent and cumulative percent.
  void print(std::FILE* to) const;

 private:
  static double limit(std::size_t bucket);
  std::array<std::uint64_t, bucket_count> buckets_{};
  std::uint64_t count_ = 0;
  double min_ = 0, max_ = 0, sum_ = 0;
};

}  // namespace kepler::bench
