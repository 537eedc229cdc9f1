#pragma once
// The blocking proxy's private shortcut (doc/design.md, "Waiting for a reply"): the actor that
// finishes a request signals a completion that the calling thread waits on, spinning briefly before
// it sleeps on a futex. Shared by the caller and the message (shared_ptr), signalled exactly once.

#include <atomic>
#include <cstdint>
#include <functional>

#include <caf/error.hpp>

#include "actors/messages/write_trace.hpp"

namespace kepler::actors {

class completion {
 public:
  completion() = default;
  completion(const completion&) = delete;
  completion& operator=(const completion&) = delete;

  /// Makes the completion unsignalled again, for reuse. With `on_signal`, nobody waits on it:
  /// signalling calls `on_signal` with the outcome instead (how a request from an actor gets
  /// its answer back to the actor that owes the reply).
  /// REQUIRES: nobody else uses the completion.
  void reset(std::function<void(const caf::error&)> on_signal = {});

  /// The outcome. REQUIRES: done().
  const caf::error& outcome() const { return outcome_; }

  /// Records the outcome (no error = success) and wakes the waiter. Only the first call counts.
  void signal(caf::error err = {});

  /// Blocks until signalled; returns the outcome. With `spin` false the caller sleeps at once:
  /// for a sync write, which waits at least one fdatasync (~150 us and more), spinning would
  /// only take a core from the actors doing the work.
  caf::error wait(bool spin = true);

  bool done() const { return state_.load(std::memory_order_acquire) == signalled; }

  /// The write path's stamps for the request this completion answers (write_trace.hpp):
  /// written by the actors before the signal, read by the waiter after it. Cleared by reset()
  /// while tracing is on.
  write_trace& trace() { return trace_; }

 private:
  static constexpr std::uint32_t pending = 0;
  static constexpr std::uint32_t signalled = 1;
  /// Pending, and the waiter sleeps on the futex (the signaller must wake it).
  static constexpr std::uint32_t sleeping = 2;

  std::atomic<bool> claimed_{false};
  // A futex word: pending (or sleeping) until the outcome is stored.
  std::atomic<std::uint32_t> state_{pending};
  caf::error outcome_;
  std::function<void(const caf::error&)> on_signal_;
  write_trace trace_;
};

}  // namespace kepler::actors
