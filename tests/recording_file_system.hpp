#pragma once
// A file_system that forwards to another and records, in order, what the engine asked of it:
// new files, appends, the start and end of each sync, truncations, directory creations and
// syncs, renames and removals. Each event carries a tick of the recorder's clock (an atomic
// counter), and a test can take a tick of its own (now()) to place its observations, such as
// "this write was acknowledged", among the file system's events. Thread-safe.
//
//   recording_file_system fs(storage::file_system::posix());   // or over a fault_file_system
//   ... run the store over fs ...
//   auto ack = fs.now();                    // right after a call returned
//   for (const fs_event& e : fs.events()) ...  // ordered by tick

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "forwarding_file_system.hpp"
#include "storage_format/util/file_system.hpp"

namespace kepler::test {

struct fs_event {
  enum class kind {
    new_file,    ///< a file opened for writing; `size_after`: its size then (0 unless appendable)
    append,      ///< `size_before` -> `size_after`: the file's appended size around it
    sync_start,  ///< `size_before`: the file's appended size when the sync started
    sync_end,    ///< same `size_before` as its sync_start (same `sync_id`); `ok`: its outcome
    truncate,    ///< `size_after`: the new size
    create_dir,
    sync_dir,
    rename,  ///< `path` -> `to`
    remove,
  };
  std::uint64_t tick = 0;  ///< position in the recorder's clock; unique, increasing
  kind what = kind::append;
  std::string path;  ///< the file or directory
  std::string to;    ///< rename's target
  std::uint64_t size_before = 0;
  std::uint64_t size_after = 0;
  std::uint64_t sync_id = 0;  ///< pairs a sync_start with its sync_end
  bool ok = true;             ///< the operation's outcome
};

inline const char* to_string(fs_event::kind k) {
  switch (k) {
    case fs_event::kind::new_file:
      return "new_file";
    case fs_event::kind::append:
      return "append";
    case fs_event::kind::sync_start:
      return "sync_start";
    case fs_event::kind::sync_end:
      return "sync_end";
    case fs_event::kind::truncate:
      return "truncate";
    case fs_event::kind::create_dir:
      return "create_dir";
    case fs_event::kind::sync_dir:
      return "sync_dir";
    case fs_event::kind::rename:
      return "rename";
    case fs_event::kind::remove:
      return "remove";
  }
  return "?";
}

class recording_file_system : public forwarding_file_system {
 public:
  explicit recording_file_system(storage::file_system* base) : forwarding_file_system(base) {}

  /// A tick of the recorder's clock: every event recorded before this call returned has a
  /// smaller tick, every event recorded after it a larger one.
  std::uint64_t now() { return clock_.fetch_add(1, std::memory_order_seq_cst) + 1; }

  /// The events so far, in tick order.
  std::vector<fs_event> events() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return events_;
  }
  /// Forgets the events so far (the clock keeps running).
  void clear() {
    std::lock_guard<std::mutex> guard(mutex_);
    events_.clear();
  }

  storage::status create_dir(const std::string& dir) override {
    auto s = forwarding_file_system::create_dir(dir);
    record(fs_event::kind::create_dir, dir, s);
    return s;
  }
  storage::status sync_dir(const std::string& dir) override {
    auto s = forwarding_file_system::sync_dir(dir);
    record(fs_event::kind::sync_dir, dir, s);
    return s;
  }
  storage::status rename_file(const std::string& from, const std::string& to) override {
    auto s = forwarding_file_system::rename_file(from, to);
    fs_event e;
    e.what = fs_event::kind::rename;
    e.path = from;
    e.to = to;
    e.ok = s.is_ok();
    push(std::move(e));
    return s;
  }
  storage::status remove_file(const std::string& path) override {
    auto s = forwarding_file_system::remove_file(path);
    record(fs_event::kind::remove, path, s);
    return s;
  }
  storage::status truncate_file(const std::string& path, std::uint64_t size) override {
    auto s = forwarding_file_system::truncate_file(path, size);
    fs_event e;
    e.what = fs_event::kind::truncate;
    e.path = path;
    e.size_after = size;
    e.ok = s.is_ok();
    push(std::move(e));
    return s;
  }

 protected:
  std::unique_ptr<storage::writable_file> wrap(std::unique_ptr<storage::writable_file> inner,
                                               bool) override {
    fs_event e;
    e.what = fs_event::kind::new_file;
    e.path = inner->path();
    e.size_after = inner->size();
    push(std::move(e));
    return std::make_unique<file>(this, std::move(inner));
  }

 private:
  class file : public forwarding_writable_file {
   public:
    file(recording_file_system* owner, std::unique_ptr<storage::writable_file> inner)
        : forwarding_writable_file(std::move(inner)), owner_(owner), appended_(size()) {}
    storage::status append(std::string_view data) override {
      // Appends come from one thread at a time (writable_file's contract); syncs may run
      // concurrently and read appended_.
      const auto before = appended_.load();
      auto s = inner().append(data);
      const auto after = inner().size();
      appended_.store(after);
      fs_event e;
      e.what = fs_event::kind::append;
      e.path = path();
      e.size_before = before;
      e.size_after = after;
      e.ok = s.is_ok();
      owner_->push(std::move(e));
      return s;
    }
    storage::status sync() override {
      fs_event start;
      start.what = fs_event::kind::sync_start;
      start.path = path();
      start.size_before = appended_.load();
      start.sync_id = owner_->next_sync_id_.fetch_add(1) + 1;
      fs_event end = start;
      owner_->push(std::move(start));
      auto s = inner().sync();
      end.what = fs_event::kind::sync_end;
      end.ok = s.is_ok();
      owner_->push(std::move(end));
      return s;
    }
    storage::status truncate(std::uint64_t size) override {
      auto s = inner().truncate(size);
      appended_.store(inner().size());
      fs_event e;
      e.what = fs_event::kind::truncate;
      e.path = path();
      e.size_after = size;
      e.ok = s.is_ok();
      owner_->push(std::move(e));
      return s;
    }

   private:
    recording_file_system* owner_;
    std::atomic<std::uint64_t> appended_;
  };

  void record(fs_event::kind what, const std::string& path, const storage::status& s) {
    fs_event e;
    e.what = what;
    e.path = path;
    e.ok = s.is_ok();
    push(std::move(e));
  }
  // The tick is taken under the lock, so the log's order is tick order.
  void push(fs_event e) {
    std::lock_guard<std::mutex> guard(mutex_);
    e.tick = now();
    events_.push_back(std::move(e));
  }

  std::atomic<std::uint64_t> clock_{0};
  std::atomic<std::uint64_t> next_sync_id_{0};
  mutable std::mutex mutex_;
  std::vector<fs_event> events_;
};

}  // namespace kepler::test
