#pragma once
// Open table readers by file number, shared by every read, bounded by a number of open files
// (options::max_open_files). At the limit it closes the least recently used reader that nobody
// is using; a reader in use stays open while its holder keeps the shared_ptr. It fails, with a
// clear error, only when every open reader is in use. All readers share one block cache.
// Thread-safe. LevelDB's TableCache plays this role.
//
// A reader is in use while anyone besides the cache holds its shared_ptr (find()'s caller, or a
// get() in progress). Hand-outs happen only under the cache's lock, so a reader the cache sees
// unused cannot gain a holder while the cache closes it.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage_format/table/block_cache.hpp"
#include "storage_format/table/table_options.hpp"
#include "storage_format/table/table_reader.hpp"
#include "storage_format/util/file_system.hpp"
#include "storage_format/util/status.hpp"
#include "storage_format/version/file_meta.hpp"

namespace kepler::storage {

class table_cache {
 public:
  /// Opens tables of the store in `dir` through `fs`; `blocks` (may be null: every data block is
  /// read from its file) is shared by every reader. `fs` and `blocks` must outlive the cache and
  /// every reader it handed out. REQUIRES: max_open_files >= 1 (0 is taken as 1).
  table_cache(file_system& fs, std::string dir, std::size_t max_open_files, block_cache* blocks);
  ~table_cache();
  table_cache(const table_cache&) = delete;
  table_cache& operator=(const table_cache&) = delete;

  /// The reader of `file`, opened when it is not open, and now the most recently used. At the
  /// limit, opening closes the least recently used reader that is not in use. Errors:
  /// - corruption naming the file when it is missing (a version names it, so it must exist),
  ///   when its size differs from `file.size`, or when its footer, index, filter or properties
  ///   are damaged (table_reader::open);
  /// - io_error when opening or reading it fails otherwise (the file system's message);
  /// - io_error when max_open_files readers are open (or being opened) and every one is in use:
  ///   the message names the file and the limit and says to raise options::max_open_files;
  /// - not_supported for a table of a newer format version.
  /// A failed open is not remembered: the next find tries again.
  status find(const file_meta& file, std::shared_ptr<const table_reader>* out);

  /// Point lookup in `file` as of the sequence in `internal_key` (build it with
  /// append_internal_key(user_key, S, value_type_for_seek)): the bloom filter first
  /// (table_reader::may_contain on the user key; `absent` without reading a data block when it
  /// rules the key out), then table_reader::get. Errors: those of find; corruption naming the
  /// file and offset for a damaged data block; io_error when reading it fails; invalid_argument
  /// when `internal_key` is shorter than a tag (8 bytes). `*result` is unspecified on error.
  status get(const read_options& options, const file_meta& file, std::string_view internal_key,
             table_lookup* result, std::string* value);

  /// Drops the reader of table `number` from the cache, closing it when it is not in use (its
  /// file is being deleted, and numbers are never reused). A holder's copy stays usable and the
  /// file closes with its last holder; the versions' reference counts make that case not arise
  /// (a file is deleted only once no view names it). Nothing happens when it is not open.
  void evict(std::uint64_t number);

  /// Readers the cache holds open now (at most max_open_files, evicted readers still held
  /// elsewhere not counted).
  std::size_t open_readers() const;
  /// Lookups (find, get) that found the reader open, and those that had to open it.
  std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  struct entry {
    std::shared_ptr<const table_reader> reader;
    std::list<std::uint64_t>::iterator lru;  // position in lru_, front = most recent
  };

  /// Closes least recently used readers not in use until a reader more fits; false when every
  /// reader is in use. REQUIRES: mutex_ held.
  bool make_room();
  status open_table(const file_meta& file, std::shared_ptr<const table_reader>* out);
  /// REQUIRES: mutex_ held and `number` in open_.
  void touch(entry& e, std::uint64_t number);

  file_system& fs_;
  std::string dir_;
  std::size_t max_open_;
  block_cache* blocks_;
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, entry> open_;
  std::list<std::uint64_t> lru_;
  // Readers being opened outside the lock: each holds a slot, so the limit counts them too.
  std::size_t opening_ = 0;
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
};

}  // namespace kepler::storage
