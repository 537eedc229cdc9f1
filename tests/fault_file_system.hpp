#pragma once
// A file_system that forwards to another and fails or slows appends, syncs and reads on demand:
// the seam through which the fault tests break the engine's I/O without touching the engine.
//
//   fault_file_system fs(storage::file_system::posix());
//   fs.syncs.only_files_ending(".log");
//   fs.syncs.fail_nth(4, op_faults::repeat::once);  // the 4th log sync from now fails
//   fs.syncs.delay(std::chrono::microseconds(300));  // every log sync first waits 0.3 ms

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "forwarding_file_system.hpp"
#include "storage_format/util/file_system.hpp"

namespace kepler::test {

/// When one kind of operation (appends, or syncs, of files opened for writing) fails or waits.
/// Counted per file system, over all its files that match. Thread-safe: arm it before or while
/// a store runs.
class op_faults {
 public:
  enum class repeat {
    once,          ///< only the nth operation fails; later ones succeed again
    from_then_on,  ///< the nth operation and every later one fail
  };

  /// Only operations on files whose path ends with `suffix` are counted, failed and delayed
  /// ("", the default: every file).
  void only_files_ending(std::string suffix) {
    std::lock_guard<std::mutex> guard(mutex_);
    suffix_ = std::move(suffix);
  }
  /// The `n`th counted operation from now on (1: the next one) fails with an I/O error without
  /// touching the file; with repeat::from_then_on every later one fails too.
  void fail_nth(std::uint64_t n, repeat r) {
    std::lock_guard<std::mutex> guard(mutex_);
    fail_at_ = counted_ + n;
    repeat_ = r;
  }
  /// Cancels fail_nth: later operations succeed.
  void disarm() {
    std::lock_guard<std::mutex> guard(mutex_);
    fail_at_ = 0;
  }
  /// Every counted operation first waits `d` (zero: no wait), the injected failures too.
  void delay(std::chrono::microseconds d) {
    std::lock_guard<std::mutex> guard(mutex_);
    delay_ = d;
    failure_delay_ = d;
  }
  /// An injected failure first waits `d` instead (set after delay()).
  void delay_failures(std::chrono::microseconds d) {
    std::lock_guard<std::mutex> guard(mutex_);
    failure_delay_ = d;
  }
  /// Operations counted so far, and how many of them were failed.
  std::uint64_t counted() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return counted_;
  }
  std::uint64_t injected() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return injected_;
  }

  /// Called by the file at the start of an operation on `path`: counts it, waits the delay,
  /// and returns whether the operation is to fail.
  bool should_fail(const std::string& path) {
    std::chrono::microseconds wait{0};
    bool fail = false;
    {
      std::lock_guard<std::mutex> guard(mutex_);
      if (!ends_with(path, suffix_)) return false;
      ++counted_;
      fail = fail_at_ != 0 &&
             (counted_ == fail_at_ || (repeat_ == repeat::from_then_on && counted_ > fail_at_));
      if (fail) ++injected_;
      wait = fail ? failure_delay_ : delay_;
    }
    if (wait.count() > 0) std::this_thread::sleep_for(wait);
    return fail;
  }

 private:
  mutable std::mutex mutex_;
  std::string suffix_;
  std::uint64_t counted_ = 0;
  std::uint64_t fail_at_ = 0;  // 0: not armed
  repeat repeat_ = repeat::once;
  std::uint64_t injected_ = 0;
  std::chrono::microseconds delay_{0};
  std::chrono::microseconds failure_delay_{0};
};

class fault_file_system : public forwarding_file_system {
 public:
  explicit fault_file_system(storage::file_system* base) : forwarding_file_system(base) {}

  /// Appends and syncs of files opened for writing, by count (see op_faults).
  op_faults appends;
  op_faults syncs;

  /// While set, every append (or sync) of a file opened for writing fails with an I/O error.
  std::atomic<bool> fail_appends{false};
  std::atomic<bool> fail_syncs{false};
  /// While set, reads of files whose name ends with `fail_reads_suffix` fail.
  std::atomic<bool> fail_reads{false};
  std::string fail_reads_suffix = ".log";
  /// Every failure injected so far, by any of the above.
  std::atomic<int> failures{0};

  storage::status new_readable_file(const std::string& path,
                                    std::unique_ptr<storage::readable_file>* out) override {
    std::unique_ptr<storage::readable_file> inner;
    auto s = base().new_readable_file(path, &inner);
    if (s.is_ok()) *out = std::make_unique<read_file>(this, std::move(inner));
    return s;
  }

 protected:
  std::unique_ptr<storage::writable_file> wrap(std::unique_ptr<storage::writable_file> inner,
                                               bool) override {
    return std::make_unique<file>(this, std::move(inner));
  }

 private:
  class file : public forwarding_writable_file {
   public:
    file(fault_file_system* owner, std::unique_ptr<storage::writable_file> inner)
        : forwarding_writable_file(std::move(inner)), owner_(owner) {}
    storage::status append(std::string_view data) override {
      if (owner_->appends.should_fail(path()) || owner_->fail_appends) {
        ++owner_->failures;
        return storage::status::io_error(path() + ": injected write failure");
      }
      return inner().append(data);
    }
    storage::status sync() override {
      if (owner_->syncs.should_fail(path()) || owner_->fail_syncs) {
        ++owner_->failures;
        return storage::status::io_error(path() + ": injected sync failure");
      }
      return inner().sync();
    }

   private:
    fault_file_system* owner_;
  };

  class read_file : public storage::readable_file {
   public:
    read_file(fault_file_system* owner, std::unique_ptr<storage::readable_file> inner)
        : owner_(owner), inner_(std::move(inner)) {}
    storage::status read(std::uint64_t offset, std::size_t n, char* scratch,
                         std::string_view* out) const override {
      const auto& p = inner_->path();
      if (owner_->fail_reads && ends_with(p, owner_->fail_reads_suffix)) {
        ++owner_->failures;
        return storage::status::io_error(p + ": injected read failure");
      }
      return inner_->read(offset, n, scratch, out);
    }
    std::uint64_t size() const override { return inner_->size(); }
    const std::string& path() const override { return inner_->path(); }

   private:
    fault_file_system* owner_;
    std::unique_ptr<storage::readable_file> inner_;
  };
};

}  // namespace kepler::test
