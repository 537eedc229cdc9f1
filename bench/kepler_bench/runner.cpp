#include "runner.hpp"

#include <unistd.h>

#include <cstdio>

namespace kepler::bench {

progress::progress(std::string label, std::uint64_t total)
    : label_(std::move(label)),
      total_(total),
      enabled_(::isatty(STDERR_FILENO) == 1),
      last_(std::chrono::steady_clock::now()) {}

progress::~progress() {
  if (printed_) std::fprintf(stderr, "\r%*s\r", static_cast<int>(label_.size()) + 40, "");
}

void progress::report(std::uint64_t done) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::seconds(1)) return;
  last_ = now;
  printed_ = true;
  std::fprintf(stderr, "\r%s: %llu of %llu", label_.c_str(), static_cast<unsigned long long>(done),
               static_cast<unsigned long long>(total_));
  std::fflush(stderr);
}

}  // namespace kepler::bench
