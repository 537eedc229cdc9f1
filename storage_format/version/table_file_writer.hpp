#pragma once
// Writes one table file and the file_meta that a MANIFEST edit records for it, with the
// protocol every table the store publishes follows (doc/design.md, "Flush"): write every entry,
// sync the file, close it, sync its directory; only then may an edit name the file. The flush
// (build_table) and compaction (run_compaction) both write their tables through it, so the
// protocol and its kill points live in one place.
//
// Nothing happens behind the caller's back: a writer that is neither finished nor abandoned
// leaves its file where it is (recovery removes table files no version names).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "storage_format/table/table_builder.hpp"
#include "storage_format/table/table_options.hpp"
#include "storage_format/util/file_system.hpp"
#include "storage_format/util/status.hpp"
#include "storage_format/version/file_meta.hpp"

namespace kepler::storage {

class table_file_writer {
 public:
  /// The two kill points (kill_point.hpp) the protocol passes: every entry handed to the
  /// builder (the last data block, the filter, index and footer still to be written, nothing
  /// synced), and the file synced and closed before its directory sync.
  struct kill_points_at {
    const char* after_write;
    const char* after_sync;
  };

  /// Creates table `number` in `dir` (table_file_name). Fails with the file system's status,
  /// its message naming the file, when the file cannot be created; no writer is made then.
  static status create(file_system& fs, const std::string& dir, const table_options& options,
                       std::uint64_t number, std::unique_ptr<table_file_writer>* out);
  table_file_writer(const table_file_writer&) = delete;
  table_file_writer& operator=(const table_file_writer&) = delete;

  /// Adds an entry and widens the meta's key and sequence range. invalid_argument when the key
  /// does not parse or does not sort after the previous one; the file's error when a write
  /// fails. Every error names the file; after one, only abandon() is useful.
  status add(std::string_view internal_key, std::string_view value);

  /// Finishes the table: the rest of the table, its sync, close, the directory's sync (kill
  /// points on the way as `kill` names them); then meta().size is the file's size. The file
  /// system's error naming the file (or the directory) when any step fails; the file is then
  /// still there, for abandon(). REQUIRES: at least one entry added; called once.
  status finish(kill_points_at kill);

  /// Removes the file (best effort: a file left behind is named by no version, and recovery
  /// removes it). Usable after a failure or instead of finish(), and after finish() to undo a
  /// table nothing names yet.
  void abandon();

  std::uint64_t entries() const { return builder_->entries(); }
  /// Bytes written to the file so far (the data blocks closed; after finish() the file's size).
  std::uint64_t file_size() const { return builder_->file_size(); }
  /// The number, the first and last internal keys and the sequence range of the entries added
  /// so far; the size once finish() succeeded.
  const file_meta& meta() const { return meta_; }
  const std::string& path() const { return path_; }

 private:
  table_file_writer(file_system& fs, std::string dir, std::string path, std::uint64_t number);

  file_system& fs_;
  std::string dir_;
  std::string path_;
  std::unique_ptr<writable_file> file_;
  std::unique_ptr<table_builder> builder_;
  file_meta meta_;
  bool closed_ = false;
};

}  // namespace kepler::storage
