#pragma once
// An in-memory file system behind the seam that knows what a power loss keeps, and fails
// operations on demand.
//
// The disk (mem_disk) holds files as inodes named by directory entries. Per file it knows how
// much has been synced (the data up to the length at its last sync); per directory it knows
// which creations, removals and renames a sync_dir of that directory made durable (its durable
// entries). power_loss() builds the disk a power loss leaves: only durable entries (of durable
// directories), each file's synced data, and of the unsynced tail nothing, a random prefix, a
// random subset of its 4 KiB pages (out-of-order writeback: the pages not written read as
// zeros), garbage, or zeros, by mode.
//
// Every operation that changes the disk is one trace_op, applied by mem_disk::apply, both by the
// running file system (which records each one with a tick of its clock, under one lock, so the
// trace is a linear order of what the engine did) and by a replay: a test records one run's
// trace and builds each cut state (the ops before n, then a power loss) from it, as ALICE and
// CrashMonkey do, rather than re-running a workload whose file operations the actors order
// differently each time.
//
// Faults: fail_nth(kind, n, once | from_then_on) fails the nth operation of a kind (counted from
// the file system's creation) with an injected I/O error ("EIO" once, "ENOSPC" from then on),
// without touching the disk. The lock is in memory.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "storage_format/util/file_system.hpp"

namespace kepler::test {

/// The kinds of operation that are counted and can be failed.
enum class fs_op : int {
  new_file,    ///< new_writable_file, new_appendable_file (and the LOCK file's creation)
  append,      ///< writable_file::append
  sync,        ///< writable_file::sync
  truncate,    ///< writable_file::truncate, truncate_file
  create_dir,  ///< create_dir
  sync_dir,    ///< sync_dir
  rename,      ///< rename_file
  remove,      ///< remove_file
  open,        ///< new_readable_file, new_immutable_file
  read,        ///< readable_file::read
};
constexpr int fs_op_count = 10;
const char* to_string(fs_op op);

/// One change to the disk, as the trace records it. Files are named by inode number (`inode`),
/// so an append to a file that was renamed or removed while open lands where it did.
struct trace_op {
  std::uint64_t tick = 0;
  fs_op kind = fs_op::append;
  std::string path;         ///< new_file, create_dir, sync_dir, rename (from), remove
  std::string to;           ///< rename's target
  std::uint64_t inode = 0;  ///< new_file (the file it names), append, sync, truncate
  std::string data;         ///< append
  std::uint64_t size = 0;   ///< truncate
};
std::string describe(const trace_op& op);

/// How a power loss treats each file's unsynced tail.
enum class power_loss_mode : int {
  drop_unsynced,  ///< nothing unsynced survives
  keep_prefix,    ///< a random prefix of the unsynced tail survives
  keep_pages,     ///< a random subset of its 4 KiB pages; the rest read as zeros
  garbage_tail,   ///< the unsynced tail turns into random bytes
  zero_tail,      ///< the unsynced tail turns into zeros
};
constexpr int power_loss_mode_count = 5;
const char* to_string(power_loss_mode mode);

constexpr std::uint64_t page_bytes = 4096;

/// The parent directory of `path` ("/" for "/db").
std::string parent_of(const std::string& path);

/// The disk: files, directories, and what of them a power loss keeps. Not thread-safe.
class mem_disk {
 public:
  struct inode {
    std::string data;
    std::uint64_t synced = 0;  ///< data[0, synced) is on disk
  };

  mem_disk();

  /// Applies `op`; not_found (and no change) when its file or directory is missing.
  storage::status apply(const trace_op& op);
  /// The disk a power loss leaves now (all of it synced: it is what the platters hold).
  mem_disk power_loss(power_loss_mode mode, std::mt19937_64& rng) const;

  bool exists(const std::string& path) const;
  bool is_dir(const std::string& path) const { return dirs_.count(path) != 0; }
  /// The live file at `path`, or null.
  std::shared_ptr<inode> file(const std::string& path) const;
  std::uint64_t inode_of(const std::string& path) const;
  std::shared_ptr<inode> file_by_inode(std::uint64_t number) const;
  std::vector<std::string> list(const std::string& dir) const;
  /// A fresh inode number.
  std::uint64_t next_inode() { return next_inode_++; }
  /// Every live file path, sorted.
  std::vector<std::string> files() const;
  /// A copy that shares no file with this one.
  mem_disk deep_copy() const;

 private:
  std::map<std::string, std::uint64_t> entries_;          // live: path -> inode
  std::map<std::string, std::uint64_t> durable_entries_;  // what a power loss finds
  std::set<std::string> dirs_;                            // live directories
  std::set<std::string> durable_dirs_;
  std::map<std::uint64_t, std::shared_ptr<inode>> inodes_;
  std::uint64_t next_inode_ = 1;
};

/// The file system over a mem_disk, recording a trace and failing operations on demand.
/// Thread-safe.
class memory_file_system final : public storage::file_system {
 public:
  enum class repeat { once, from_then_on };

  memory_file_system() = default;
  explicit memory_file_system(mem_disk disk) : disk_(std::move(disk)) {}

  /// A tick of the clock that stamps the trace: every op recorded before this call returned
  /// has a smaller tick, every op recorded after it a larger one.
  std::uint64_t now();
  /// Records every change to the disk from now on (off by default).
  void record_trace(bool on);
  std::vector<trace_op> trace() const;

  /// The `n`th operation of `kind` counted since creation (1: the first) fails; with
  /// from_then_on every later one of that kind too. Replaces an earlier arming of `kind`.
  void fail_nth(fs_op kind, std::uint64_t n, repeat r);
  /// Lifts every armed fault.
  void disarm();
  std::uint64_t counted(fs_op kind) const;
  /// The injected failures so far: their ticks (on the trace's clock), kinds and paths.
  struct injection {
    std::uint64_t tick;
    fs_op kind;
    std::string path;
  };
  std::vector<injection> injections() const;

  /// A copy of the disk as it is now (its own files: later changes do not reach it).
  mem_disk disk() const;
  /// The live contents of `path`, bypassing counting and faults; false when missing.
  bool peek(const std::string& path, std::string* out) const;

  // storage::file_system
  storage::status new_writable_file(const std::string& path,
                                    std::unique_ptr<storage::writable_file>* out) override;
  storage::status new_appendable_file(const std::string& path,
                                      std::unique_ptr<storage::writable_file>* out) override;
  storage::status new_readable_file(const std::string& path,
                                    std::unique_ptr<storage::readable_file>* out) override;
  storage::status new_immutable_file(const std::string& path,
                                     std::unique_ptr<storage::readable_file>* out) override;
  bool exists(const std::string& path) override;
  storage::status file_size(const std::string& path, std::uint64_t* size) override;
  storage::status list_dir(const std::string& dir, std::vector<std::string>* names) override;
  storage::status create_dir(const std::string& dir) override;
  storage::status remove_file(const std::string& path) override;
  storage::status rename_file(const std::string& from, const std::string& to) override;
  storage::status truncate_file(const std::string& path, std::uint64_t size) override;
  storage::status sync_dir(const std::string& dir) override;
  storage::status lock_file(const std::string& path,
                            std::unique_ptr<storage::file_lock>* out) override;
  storage::status lock_file_read_only(const std::string& path,
                                      std::unique_ptr<storage::file_lock>* out) override;

 private:
  class writable;
  class readable;
  class lock;

  // Under mutex_: counts an op of `kind` on `path`; the injected failure, or ok.
  storage::status check_fault(fs_op kind, const std::string& path);
  // Under mutex_: check_fault, then apply and record `op`.
  storage::status run(trace_op op);
  storage::status open_writable(const std::string& path, bool appendable,
                                std::unique_ptr<storage::writable_file>* out);
  storage::status open_readable(const std::string& path, bool immutable,
                                std::unique_ptr<storage::readable_file>* out);

  mutable std::mutex mutex_;
  mem_disk disk_;
  std::uint64_t clock_ = 0;
  bool recording_ = false;
  std::vector<trace_op> trace_;
  struct armed {
    std::uint64_t at = 0;  // 0: not armed
    repeat r = repeat::once;
  };
  armed armed_[fs_op_count];
  std::uint64_t counted_[fs_op_count] = {};
  std::vector<injection> injections_;
  std::set<std::string> locked_;
};

/// Builds the disk after each prefix of a trace: apply ops one by one, take power losses.
class trace_replay {
 public:
  explicit trace_replay(const std::vector<trace_op>& trace) : trace_(trace) {}
  /// Applies the ops before `n` (n only grows); false when one of them failed to apply.
  bool advance_to(std::size_t n);
  const mem_disk& disk() const { return disk_; }

 private:
  const std::vector<trace_op>& trace_;
  std::size_t applied_ = 0;
  mem_disk disk_;
};

}  // namespace kepler::test
