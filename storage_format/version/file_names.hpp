#pragma once
// The names of a store's files: NNNNNN.log (write-ahead logs), MANIFEST-NNNNNN, NNNNNN.sst,
// CURRENT (names the live MANIFEST), CURRENT.tmp (CURRENT being replaced), LOCK. Numbers come
// from one counter kept in the MANIFEST. Parsing is the exact inverse of these functions
// (manifest_format.md, "Files"): any other name is file_kind::other, not the store's (an open store
// leaves it alone).

#include <cstdint>
#include <string>
#include <string_view>

#include "storage_format/util/status.hpp"

namespace kepler::storage {

enum class file_kind { log, manifest, current, lock, temp, table, other };

std::string log_file_name(std::uint64_t number);       // "000007.log"
std::string manifest_file_name(std::uint64_t number);  // "MANIFEST-000007"
std::string table_file_name(std::uint64_t number);     // "000007.sst"
constexpr const char* current_file_name = "CURRENT";
constexpr const char* lock_file_name = "LOCK";
/// write_file_atomically's temporary for CURRENT: the only temporary file the store writes.
constexpr const char* current_temp_file_name = "CURRENT.tmp";

/// Classifies a directory entry; `*number` is set for logs, manifests and tables. Only the exact
/// names the functions above return are recognised: "5.log" or "MANIFEST-1" is `other`.
file_kind parse_file_name(std::string_view name, std::uint64_t* number);

/// Parses CURRENT's contents (read from `path`, named in messages): exactly a MANIFEST's name
/// and a newline. Sets `*manifest_number`; corruption otherwise (`*manifest_number` is then
/// unspecified).
status parse_current(std::string_view contents, const std::string& path,
                     std::uint64_t* manifest_number);

inline std::string join_path(const std::string& dir, const std::string& name) {
  return dir + "/" + name;
}

}  // namespace kepler::storage
