#pragma once
// At open, what the directory holds that the store no longer needs: table files that no
// version names (a flush or compaction a crash interrupted), logs below the log number (their
// data is in table files), MANIFESTs other than the live one, and files being written
// atomically (*.tmp). Removing them is what keeps a crashed store from growing; removing
// anything else would lose data, so only names the store writes are considered.

#include <cstdint>
#include <string>
#include <vector>

#include "storage_format/util/file_system.hpp"
#include "storage_format/version/version_set.hpp"

namespace kepler::storage {

/// The entries of `names` (a listing of the store's directory) that are obsolete once
/// MANIFEST-`live_manifest` is the live MANIFEST holding `versions`, and logs below
/// `versions.log_number()` hold nothing it needs.
std::vector<std::string> obsolete_files(const std::vector<std::string>& names,
                                        const version_set& versions, std::uint64_t live_manifest);

/// Removes every obsolete file of the store in `dir`; returns how many it removed. A file that
/// cannot be removed stays for the next open (the failure is not an error of the open).
std::size_t remove_obsolete_files(file_system& fs, const std::string& dir,
                                  const version_set& versions, std::uint64_t live_manifest);

/// For a salvage open: moves every obsolete file into `dir`/lost/ (created when missing) instead
/// of removing it, so the damaged MANIFEST, the tables its skipped edits named and the
/// originals of rewritten tables stay for a later repair. Returns how many it moved; a file
/// that cannot be moved stays where it is (the next salvage moves it, a normal open removes it).
std::size_t move_obsolete_files(file_system& fs, const std::string& dir,
                                const version_set& versions, std::uint64_t live_manifest);

/// The directory move_obsolete_files moves into: "lost".
constexpr const char* lost_dir_name = "lost";

}  // namespace kepler::storage
