#pragma once
// Where one write's time goes, stamped at each step of the write path (doc/design.md, "Write
// path"): off unless a measuring tool (kepler-write-breakdown) turns it on, and then a clock
// read per step. Off, a step costs one relaxed load. The stamps live in the caller's
// completion, which outlives the request, so the caller reads them after its wait.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace kepler::actors {

struct write_trace {
  /// The steps, in the order a write passes them. A non-sync write skips at_syncer and synced.
  enum point : std::uint8_t {
    sent,         // the caller has encoded the batch and sends it to the wal_writer
    at_writer,    // the wal_writer's handler starts on it
    write_start,  // its group's write(2) starts
    write_end,    // and has returned
    at_syncer,    // the wal_syncer's handler starts on its group
    synced,       // that group's fdatasync has returned (or was covered by an earlier one)
    at_memtable,  // the memtable_owner's handler starts on its group
    applied,      // every batch of the group is in the memtable, before the reply
    woke,         // the caller's wait has returned
    points
  };
  std::array<std::uint64_t, points> ns{};
  /// The caller slept on the futex (rather than seeing the signal while it spun).
  bool slept = false;

  void clear() {
    ns.fill(0);
    slept = false;
  }
};

/// Whether the write path stamps traces. Set by a measuring tool before it writes.
inline std::atomic<bool> tracing_writes{false};

/// The calling thread's last blocking write (kepler::db's proxy copies it there after the wait
/// while tracing is on), for the measuring tool to read after the call.
inline thread_local write_trace last_blocking_write;

inline std::uint64_t trace_clock_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

/// Stamps `p` into `t` when tracing is on (t may be null: an unanswerable request).
inline void stamp(write_trace* t, write_trace::point p) {
  if (t != nullptr && tracing_writes.load(std::memory_order_relaxed)) t->ns[p] = trace_clock_ns();
}

}  // namespace kepler::actors
