#pragma once
// The one seam between the engine and the operating system. Every file the engine touches is
// opened, written, synced, renamed and removed through a file_system, so tests can substitute
// one that injects faults or forgets unsynced data (LevelDB's Env plays this role).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage_format/util/status.hpp"

namespace kepler::storage {

/// A file opened for appending. Not thread-safe for concurrent appends; `sync` may run on another
/// thread while one thread appends (it covers at least everything appended before it started).
class writable_file {
 public:
  virtual ~writable_file() = default;
  /// Hands the bytes to the operating system (a write(2)); survives the death of the process.
  virtual status append(std::string_view data) = 0;
  /// Makes everything appended so far durable (fdatasync).
  virtual status sync() = 0;
  /// Cuts the file to `size` bytes.
  virtual status truncate(std::uint64_t size) = 0;
  virtual status close() = 0;
  /// Bytes appended so far, including what the file held when it was opened.
  virtual std::uint64_t size() const = 0;
  virtual const std::string& path() const = 0;
};

/// A file opened for positional reads; `read` is safe to call from many threads at once.
class readable_file {
 public:
  virtual ~readable_file() = default;
  /// Reads up to `n` bytes at `offset` into `scratch`; `*out` views the bytes read (fewer than
  /// `n` only at the end of the file).
  virtual status read(std::uint64_t offset, std::size_t n, char* scratch,
                      std::string_view* out) const = 0;
  virtual std::uint64_t size() const = 0;
  virtual const std::string& path() const = 0;
};

/// A held lock on a LOCK file; releasing it (destruction) lets another opener in.
class file_lock {
 public:
  virtual ~file_lock() = default;
};

class file_system {
 public:
  virtual ~file_system() = default;

  /// Creates `path` (or truncates it to empty) and opens it for appending.
  virtual status new_writable_file(const std::string& path,
                                   std::unique_ptr<writable_file>* out) = 0;
  /// Opens `path` for appending at its end, creating it when missing.
  virtual status new_appendable_file(const std::string& path,
                                     std::unique_ptr<writable_file>* out) = 0;
  virtual status new_readable_file(const std::string& path,
                                   std::unique_ptr<readable_file>* out) = 0;
  /// As new_readable_file, for a file that nobody changes while it is open (a table file): the
  /// POSIX file system maps it into memory, so a read is a copy out of the page cache with no
  /// system call, and its size is fixed at open. By default (file systems that wrap another,
  /// for tests) it is new_readable_file, so their faults and records see every read.
  virtual status new_immutable_file(const std::string& path, std::unique_ptr<readable_file>* out) {
    return new_readable_file(path, out);
  }

  virtual bool exists(const std::string& path) = 0;
  virtual status file_size(const std::string& path, std::uint64_t* size) = 0;
  /// Names (not paths) of the entries in `dir`, without "." and "..".
  virtual status list_dir(const std::string& dir, std::vector<std::string>* names) = 0;
  /// Creates `dir` and missing parents; fine when it exists. Syncs nothing: a new directory's
  /// entry lives in its parent and survives a power loss only once that parent is synced, which
  /// is the caller's to do (create_dir_durably below), so the syncs show at this seam.
  virtual status create_dir(const std::string& dir) = 0;
  virtual status remove_file(const std::string& path) = 0;
  /// Atomically replaces `to` with `from` (rename(2)).
  virtual status rename_file(const std::string& from, const std::string& to) = 0;
  virtual status truncate_file(const std::string& path, std::uint64_t size) = 0;
  /// Makes the directory's entries (creations, renames, removals) durable.
  virtual status sync_dir(const std::string& dir) = 0;

  /// Takes an exclusive lock on `path` (creating it) and writes this process's id into it.
  /// When another holder has it, in this process or another, returns `locked` naming the
  /// process id found in the file.
  virtual status lock_file(const std::string& path, std::unique_ptr<file_lock>* out) = 0;
  /// The same lock for an opener that writes nothing (a read-only open): takes it on the
  /// existing `path` without creating it or writing to it, so it works on a full disk or a
  /// read-only mount. not_found when `path` does not exist; `locked` as above.
  virtual status lock_file_read_only(const std::string& path, std::unique_ptr<file_lock>* out) = 0;

  /// The operating system's file system (POSIX calls); lives as long as the program.
  static file_system* posix();
};

/// Reads the whole file at `path` into `*out`.
status read_file_to_string(file_system& fs, const std::string& path, std::string* out);

/// Creates `dir` and each missing parent one level at a time, top down, calling
/// `fs.sync_dir` on each created level's parent right after `fs.create_dir`, so the whole path
/// survives a power loss. Fine when `dir` exists (then it creates and syncs nothing).
status create_dir_durably(file_system& fs, const std::string& dir);

/// Writes `data` to `path` durably and atomically: `path`.tmp, sync, rename, directory sync.
status write_file_atomically(file_system& fs, const std::string& dir, const std::string& name,
                             std::string_view data);

}  // namespace kepler::storage
