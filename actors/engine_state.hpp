#pragma once
// What the actors publish for readers and the proxy (DESIGN.md §4): the last visible sequence
// number, the read view, and the store's sticky write error. Readers never wait on a mailbox.

#include <atomic>
#include <memory>
#include <mutex>

#include <caf/error.hpp>

#include "storage_format/internal_key.hpp"
#include "storage_format/memtable.hpp"

namespace kepler::actors {

/// The data a read consults; swapped only when its parts change (a memtable is sealed, files
/// are installed), never per write.
struct read_view {
  std::shared_ptr<const storage::memtable> mem;
};

class engine_state {
 public:
  /// Every entry at or below this sequence is applied; readers read as of it.
  storage::sequence_number last_visible() const {
    return last_visible_.load(std::memory_order_acquire);
  }
  void publish(storage::sequence_number seq) {
    last_visible_.store(seq, std::memory_order_release);
  }

  std::shared_ptr<const read_view> view() const {
    std::lock_guard<std::mutex> guard(view_mutex_);
    return view_;
  }
  void install_view(std::shared_ptr<const read_view> view) {
    std::lock_guard<std::mutex> guard(view_mutex_);
    view_ = std::move(view);
  }

  /// The first write failure, after which every write is refused (reads keep working).
  bool writes_failed() const { return writes_failed_.load(std::memory_order_acquire); }
  caf::error write_error() const {
    std::lock_guard<std::mutex> guard(error_mutex_);
    return write_error_;
  }
  /// Records `err` unless an earlier failure is already recorded.
  void fail_writes(const caf::error& err) {
    std::lock_guard<std::mutex> guard(error_mutex_);
    if (writes_failed_.load(std::memory_order_relaxed)) return;
    write_error_ = err;
    writes_failed_.store(true, std::memory_order_release);
  }

 private:
  std::atomic<storage::sequence_number> last_visible_{0};
  mutable std::mutex view_mutex_;
  std::shared_ptr<const read_view> view_;
  mutable std::mutex error_mutex_;
  caf::error write_error_;
  std::atomic<bool> writes_failed_{false};
};

}  // namespace kepler::actors
