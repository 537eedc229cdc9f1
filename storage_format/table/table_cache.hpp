#pragma once
// Open table readers by file number, shared by every read, bounded by a number of open files
// (options::max_open_files). At the limit it closes the least recently used reader that nobody
// is using; a reader in use stays open while its holder keeps the shared_ptr. It fails, with a
// clear error, only when every open reader is in use. All readers share one block cache.
// Thread-safe. LevelDB's TableCache plays this role.

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
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
  /// Opens tables of the store in `dir` through `fs`; `blocks` (may be null) is shared by every
  /// reader. `fs` and `blocks` must outlive the cache. REQUIRES: max_open_files >= 1.
  table_cache(file_system& fs, std::string dir, std::size_t max_open_files, block_cache* blocks);
  ~table_cache();
  table_cache(const table_cache&) = delete;
  table_cache& operator=(const table_cache&) = delete;

  /// The reader of `file`, opened when it is not open. Errors: corruption naming the file when
  /// it is missing (a version names it, so it must exist), has another size than `file.size`,
  /// or its footer, index, filter or properties are damaged; io_error when a read fails, and
  /// when max_open_files readers are open and every one is in use (the message says to raise
  /// options::max_open_files).
  status find(const file_meta& file, std::shared_ptr<const table_reader>* out);

  /// Point lookup in `file` as of the sequence in `internal_key` (table_reader::get), with the
  /// bloom filter first. Errors as for find, and corruption for a damaged block.
  status get(const read_options& options, const file_meta& file, std::string_view internal_key,
             table_lookup* result, std::string* value);

  /// Closes the reader of table `number` if it is open and unused (its file is being deleted).
  void evict(std::uint64_t number);

  /// Readers open now.
  std::size_t open_readers() const;

 private:
  struct entry {
    std::shared_ptr<const table_reader> reader;
    std::list<std::uint64_t>::iterator lru;  // position in lru_, front = most recent
  };

  file_system& fs_;
  std::string dir_;
  std::size_t max_open_;
  block_cache* blocks_;
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, entry> open_;
  std::list<std::uint64_t> lru_;
};

}  // namespace kepler::storage
