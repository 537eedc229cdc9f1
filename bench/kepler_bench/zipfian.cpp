#include "zipfian.hpp"

#include <cmath>

namespace kepler::bench {

namespace {

double zeta_terms(std::uint64_t from, std::uint64_t to, double theta) {
  double sum = 0;
  for (std::uint64_t i = from; i < to; ++i)
    sum += 1.0 / std::pow(static_cast<double>(i + 1), theta);
  return sum;
}

std::uint64_t fnv1a64(std::uint64_t value) {
  constexpr std::uint64_t offset_basis = 0xcbf29ce484222325ULL;
  constexpr std::uint64_t prime = 0x100000001b3ULL;
  std::uint64_t hash = offset_basis;
  for (int i = 0; i < 8; ++i) {
    hash ^= value & 0xff;
    hash *= prime;
    value >>= 8;
  }
  return hash;
}

}  // namespace

zipfian_generator::zipfian_generator(std::uint64_t items, double theta)
    : theta_(theta), alpha_(1.0 / (1.0 - theta)), zeta2_(zeta_terms(0, 2, theta)) {
  grow_to(items);
}

void zipfian_generator::grow_to(std::uint64_t items) {
  if (items <= items_) return;
  zetan_ += zeta_terms(items_, items, theta_);
  items_ = items;
  eta_ = (1 - std::pow(2.0 / items_, 1 - theta_)) / (1 - zeta2_ / zetan_);
}

std::uint64_t zipfian_generator::next(std::mt19937_64& rng, std::uint64_t items) {
  grow_to(items);
  double u = std::uniform_real_distribution<double>(0, 1)(rng);
  double uz = u * zetan_;
  std::uint64_t item = 0;
  if (uz >= 1.0 + std::pow(0.5, theta_))
    item = static_cast<std::uint64_t>(items_ * std::pow(eta_ * u - eta_ + 1, alpha_));
  else if (uz >= 1.0)
    item = 1;
  return item < items ? item : items - 1;
}

std::uint64_t zipfian_generator::next_scrambled(std::mt19937_64& rng, std::uint64_t items) {
  return fnv1a64(next(rng, items)) % items;
}

std::uint64_t zipfian_generator::next_latest(std::mt19937_64& rng, std::uint64_t items) {
  return items - 1 - next(rng, items);
}

}  // namespace kepler::bench
