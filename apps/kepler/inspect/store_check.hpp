#pragma once
// `kepler check DIR`: every checksum of every live file of a store, and whether the MANIFEST,
// the table files and the logs agree (manifest_format.md, "Opening a store" and "Damage"), read
// without a lock and without writing anything, not even LOCK. Meant for a store that is not
// being written at the moment: a running writer can make it see a torn log tail or a MANIFEST
// that changed under it.
#include <string>

namespace kepler::cli {

/// Checks the store in `dir`, printing what it checked to stdout, each problem as one
/// "kepler: <file>: <what> at offset N" line on stderr, warnings (obsolete files) and notes
/// (a torn log tail) to stdout. Returns 0 for a sound store, 1 when there is any problem.
int run_check(const std::string& dir);

}  // namespace kepler::cli
