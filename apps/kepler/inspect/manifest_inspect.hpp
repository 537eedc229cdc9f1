#pragma once
// `kepler manifest DIR`: every record of the MANIFEST that CURRENT names, then the version
// they build (per level, each table file with its size and key range). Reads only.
#include <string>

#include "text/escape.hpp"

namespace kepler::cli {

/// Prints the MANIFEST of the store in `dir`; returns 0, or 1 after "kepler: <file>: ... at
/// offset N: ..." on stderr when CURRENT or the MANIFEST is damaged (the records before the
/// damage are printed first). A torn last record is printed as such and is not a failure:
/// recovery treats it as the end of a crash.
int run_manifest(const std::string& dir, byte_format f);

}  // namespace kepler::cli
