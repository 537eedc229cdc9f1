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

}  // namespace kepler::storage
