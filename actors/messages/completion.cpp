#include "actors/messages/completion.hpp"

#include <chrono>
#include <thread>

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace kepler::actors {

namespace {

// A put through the actors takes a few microseconds when the workers are hot; spinning that
// long saves the ~50 µs of a futex sleep and wake-up. Past this the caller sleeps.
constexpr auto max_spin = std::chrono::microseconds(50);
// On a 2-core machine, more spinners than this would starve the actors they wait for.
const unsigned max_spinners = std::max(1u, std::thread::hardware_concurrency() / 2);
std::atomic<unsigned> spinners{0};

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

long futex(std::atomic<std::uint32_t>* word, int op, std::uint32_t value) {
  return ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), op, value, nullptr, nullptr,
                   0);
}

}  // namespace

void completion::reset(std::function<void(const caf::error&)> on_signal) {
  claimed_.store(false, std::memory_order_relaxed);
  state_.store(pending, std::memory_order_relaxed);
  outcome_ = caf::error{};
  on_signal_ = std::move(on_signal);
  if (tracing_writes.load(std::memory_order_relaxed)) trace_.clear();
}

void completion::signal(caf::error err) {
  if (claimed_.exchange(true, std::memory_order_acq_rel)) return;
  outcome_ = std::move(err);
  if (on_signal_) {
    on_signal_(outcome_);
    state_.store(signalled, std::memory_order_release);
    return;
  }
  // After this exchange the waiter may return at once, and the completion (a thread's own) may
  // be reset or gone with its thread: nothing of it is touched again. A private FUTEX_WAKE only
  // uses the address.
  if (state_.exchange(signalled, std::memory_order_acq_rel) == sleeping)
    futex(&state_, FUTEX_WAKE_PRIVATE, 1);
}

caf::error completion::wait(bool spin) {
  if (spin && !done()) {
    if (spinners.fetch_add(1, std::memory_order_relaxed) < max_spinners) {
      auto deadline = std::chrono::steady_clock::now() + max_spin;
      constexpr int checks_per_clock_read = 64;
      while (!done()) {
        for (int i = 0; i < checks_per_clock_read && !done(); ++i) cpu_relax();
        if (std::chrono::steady_clock::now() > deadline) break;
      }
    }
    spinners.fetch_sub(1, std::memory_order_relaxed);
  }
  // Announce the sleep in the futex word itself, so the signaller knows whether to wake us
  // without reading anything else. The CAS fails only when the signal already came.
  std::uint32_t expected = pending;
  if (state_.compare_exchange_strong(expected, sleeping, std::memory_order_acq_rel)) {
    trace_.slept = true;
    // FUTEX_WAIT returns at once when the word is no longer `sleeping`: no wake is missed.
    while (state_.load(std::memory_order_acquire) == sleeping)
      futex(&state_, FUTEX_WAIT_PRIVATE, sleeping);
  }
  return outcome_;
}

}  // namespace kepler::actors
