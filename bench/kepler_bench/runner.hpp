#pragma once
// The timed loop every workload runs: N client threads share a workload's calls, each thread
// timing its calls into its own histogram when asked; a progress line on stderr when stderr is
// a terminal.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "histogram.hpp"

namespace kepler::bench {

struct run_stats {
  std::uint64_t calls = 0;
  double wall_micros = 0;
  histogram latency;
  /// The first error a call returned; the run stops at it.
  std::string error;
};

/// Prints "<label>: <done> of <total>" to stderr at most once a second, only on a terminal.
class progress {
 public:
  progress(std::string label, std::uint64_t total);
  ~progress();
  void report(std::uint64_t done);

 private:
  std::string label_;
  std::uint64_t total_;
  bool enabled_;
  bool printed_ = false;
  std::chrono::steady_clock::time_point last_;
};

/// Runs `call(thread, i)` for every i in [0, calls) on `threads` threads (thread t takes the
/// t-th contiguous share); `call` returns an error text, empty on success.
template <class Call>
run_stats run_calls(const std::string& label, std::size_t threads, std::uint64_t calls, bool timed,
                    Call call) {
  using clock = std::chrono::steady_clock;
  std::vector<histogram> latencies(threads);
  std::vector<std::string> errors(threads);
  std::atomic<bool> failed{false};
  progress shown(label, calls);
  auto start = clock::now();
  auto body = [&](std::size_t t) {
    std::uint64_t begin = calls * t / threads, end = calls * (t + 1) / threads;
    for (std::uint64_t i = begin; i < end && !failed.load(std::memory_order_relaxed); ++i) {
      auto before = timed ? clock::now() : clock::time_point{};
      auto err = call(t, i);
      if (timed)
        latencies[t].add(std::chrono::duration<double, std::micro>(clock::now() - before).count());
      if (!err.empty()) {
        errors[t] = std::move(err);
        failed = true;
      }
      if (t == 0 && (i - begin) % 1024 == 0) shown.report((i - begin) * threads);
    }
  };
  std::vector<std::thread> workers;
  for (std::size_t t = 1; t < threads; ++t) workers.emplace_back(body, t);
  body(0);
  for (auto& w : workers) w.join();
  run_stats stats;
  stats.wall_micros = std::chrono::duration<double, std::micro>(clock::now() - start).count();
  stats.calls = calls;
  for (std::size_t t = 0; t < threads; ++t) {
    stats.latency.merge(latencies[t]);
    if (stats.error.empty()) stats.error = errors[t];
  }
  return stats;
}

}  // namespace kepler::bench
