#pragma once
// The store's description as the MANIFEST builds it up (manifest_format.md): the current
// version of the table files, the log number below which logs are obsolete, the file number
// counter, the last sequence and the final lengths of closed logs. Applying an edit makes a new
// current version; versions handed out earlier stay valid while anyone holds them, and the set
// tells which files no held version names any more. Plain code: the manifest writer actor and
// recovery drive it.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "storage_format/util/status.hpp"
#include "storage_format/version/version.hpp"
#include "storage_format/version/version_edit.hpp"

namespace kepler::storage {

class version_set {
 public:
  version_set();

  /// Applies `edit`: its files make a new current version, its scalar fields replace the old
  /// ones, its closed logs are recorded. Corruption naming `where` when the files do not apply
  /// (a deleted file the level does not hold, a number already live, overlapping ranges on a
  /// deeper level); the set is then unchanged.
  status apply(const version_edit& edit, const std::string& where);

  /// The current version; a reader that keeps it keeps its files from deletion.
  std::shared_ptr<const version> current() const { return current_; }

  std::uint32_t format_version() const { return format_version_; }
  /// Logs numbered below this hold nothing that is not in table files.
  std::uint64_t log_number() const { return log_number_; }
  std::uint64_t next_file_number() const { return next_file_number_; }
  sequence_number last_sequence() const { return last_sequence_; }
  /// The final length of each closed log at or above log_number(): damage in one, or another
  /// length on disk, is corruption rather than a crash's torn tail.
  const std::map<std::uint64_t, std::uint64_t>& closed_logs() const { return closed_logs_; }
  /// Whether any edit set the format version, the log number and the next file number: a
  /// MANIFEST without them is corrupt.
  bool complete() const { return has_format_version_ && has_log_number_ && has_next_file_; }

  /// One edit that describes the whole state: a fresh MANIFEST's first record.
  version_edit snapshot() const;

  /// Numbers of the table files that the current version or any version still held names.
  std::set<std::uint64_t> live_tables() const;

  /// Tables that edits removed from the current version and that no held version names any
  /// more: safe to delete now. Each number is returned once.
  std::vector<std::uint64_t> take_deletable_tables();

 private:
  std::shared_ptr<const version> current_;
  // Earlier versions, in case a reader still holds one.
  std::vector<std::weak_ptr<const version>> older_;
  // Removed from the current version by an edit, not yet handed to take_deletable_tables.
  std::set<std::uint64_t> removed_;
  std::uint32_t format_version_ = 0;
  std::uint64_t log_number_ = 0;
  std::uint64_t next_file_number_ = 0;
  sequence_number last_sequence_ = 0;
  std::map<std::uint64_t, std::uint64_t> closed_logs_;
  bool has_format_version_ = false;
  bool has_log_number_ = false;
  bool has_next_file_ = false;
};

}  // namespace kepler::storage
