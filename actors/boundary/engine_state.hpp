#pragma once
// What the actors publish for readers and the proxy (doc/design.md, "Read path"): the last visible
// sequence number, the read view, and the store's sticky write error. Readers never wait on a
// mailbox.

#include <atomic>
#include <memory>
#include <mutex>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/version/read_view.hpp"

namespace kepler::actors {

class engine_state {
 public:
  /// Every entry at or below this sequence is applied; readers read as of it.
  storage::sequence_number last_visible() const {
    return last_visible_.load(std::memory_order_acquire);
  }
  void publish(storage::sequence_number seq) {
    last_visible_.store(seq, std::memory_order_release);
  }

  /// The newest value of `key` as of the last visible sequence: the one read that db::get and
  /// the db actor's get share. Errors: none yet (reads from table files will add corruption
  /// and I/O errors).
  caf::expected<std::optional<std::string>> read(std::string_view key) const {
    auto current = view();
    return current->get(key, last_visible());
  }

  std::shared_ptr<const storage::read_view> view() const {
    std::lock_guard<std::mutex> guard(view_mutex_);
    return view_;
  }
  void install_view(std::shared_ptr<const storage::read_view> view) {
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
  std::shared_ptr<const storage::read_view> view_;
  mutable std::mutex error_mutex_;
  caf::error write_error_;
  std::atomic<bool> writes_failed_{false};
};

}  // namespace kepler::actors
