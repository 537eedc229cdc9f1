#pragma once
// The MANIFEST as the running store appends to it (manifest_format.md): each version edit is
// appended and synced before the version set applies it, so nothing is installed that a crash
// could forget; past a size it rolls to a fresh MANIFEST holding one snapshot edit, switched to
// by CURRENT. Plain code: the manifest writer actor sequences it, recovery creates the first.

#include <cstdint>
#include <memory>
#include <string>

#include "storage_format/log/log_writer.hpp"
#include "storage_format/util/file_system.hpp"
#include "storage_format/util/status.hpp"
#include "storage_format/version/version_edit.hpp"
#include "storage_format/version/version_set.hpp"

namespace kepler::storage {

class manifest {
 public:
  /// Writes MANIFEST-`number` in `dir` holding `snapshot` as its one record, syncs it, and
  /// makes CURRENT name it (write CURRENT.tmp, sync, rename, sync the directory). The file is
  /// left open for appending in `*out`. Errors: the file system's.
  static status create(file_system& fs, const std::string& dir, std::uint64_t number,
                       const version_edit& snapshot, std::unique_ptr<manifest>* out);

  /// Appends `edit`, syncs the MANIFEST, then applies the edit to `*versions`. An edit that
  /// does not apply (corruption) is a bug: the MANIFEST then holds it, so the store reports it
  /// at the next open. Errors: the file system's; the MANIFEST must not be appended to after
  /// one (its tail is unknown).
  status log_and_apply(const version_edit& edit, version_set* versions);

  /// Whether to roll: this MANIFEST has passed `roll_bytes` and doubled since it was written
  /// (so a state whose snapshot alone is that large does not roll at every edit).
  bool wants_roll(std::uint64_t roll_bytes) const;

  /// Writes MANIFEST-`new_number` with the whole state of `versions` (next file number
  /// `next_file`), switches CURRENT to it and removes this one. Errors: the file system's; after
  /// one, CURRENT may name either MANIFEST (its rename may have gone through before the
  /// directory sync failed), so the caller must append to neither.
  status roll(const version_set& versions, std::uint64_t new_number, std::uint64_t next_file);

  std::uint64_t number() const { return number_; }
  std::uint64_t size() const { return file_->size(); }

 private:
  manifest(file_system& fs, std::string dir, std::uint64_t number,
           std::unique_ptr<writable_file> file);

  file_system& fs_;
  std::string dir_;
  std::uint64_t number_;
  std::unique_ptr<writable_file> file_;
  log::writer log_;
  // Its size right after it was written: the snapshot alone.
  std::uint64_t base_size_;
};

}  // namespace kepler::storage
