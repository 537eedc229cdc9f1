#include "histogram.hpp"

#include <algorithm>
#include <cmath>

namespace kepler::bench {

double histogram::limit(std::size_t bucket) {
  return first_limit_micros * std::pow(growth, static_cast<double>(bucket));
}

void histogram::add(double micros) {
  std::size_t b = 0;
  if (micros > first_limit_micros)
    b = std::min(bucket_count - 1, static_cast<std::size_t>(std::ceil(
                                       std::log(micros / first_limit_micros) / std::log(growth))));
  ++buckets_[b];
  min_ = count_ == 0 ? micros : std::min(min_, micros);
  max_ = std::max(max_, micros);
  sum_ += micros;
  ++count_;
}

void histogram::merge(const histogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t b = 0; b < bucket_count; ++b) buckets_[b] += other.buckets_[b];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  count_ += other.count_;
}

double histogram::percentile(double p) const {
  if (count_ == 0) return 0;
  double threshold = count_ * (p / 100.0);
  double cumulative = 0;
  for (std::size_t b = 0; b < bucket_count; ++b) {
    if (buckets_[b] == 0) continue;
    if (cumulative + buckets_[b] >= threshold) {
      double left = b == 0 ? 0 : limit(b - 1);
      double right = limit(b);
      double r = left + (right - left) * (threshold - cumulative) / buckets_[b];
      return std::clamp(r, min_, max_);
    }
    cumulative += buckets_[b];
  }
  return max_;
}

void histogram::print(std::FILE* to) const {
  std::fprintf(to, "  count %llu  min %.2f  mean %.2f  max %.2f us\n",
               static_cast<unsigned long long>(count_), min(), mean(), max_);
  double cumulative = 0;
  for (std::size_t b = 0; b < bucket_count; ++b) {
    if (buckets_[b] == 0) continue;
    cumulative += buckets_[b];
    std::fprintf(to, "  [ %10.2f, %10.2f ) %10llu %7.3f%% %7.3f%%\n", b == 0 ? 0 : limit(b - 1),
                 limit(b), static_cast<unsigned long long>(buckets_[b]),
                 100.0 * buckets_[b] / count_, 100.0 * cumulative / count_);
  }
}

}  // namespace kepler::bench
