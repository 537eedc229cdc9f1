#pragma once
// `kepler log FILE`: the records of a write-ahead log (NNNNNN.log), each batch's entries, the
// totals, and every dropped byte range with its reason. Reads only; works on any path.
#include <string>

#include "text/escape.hpp"

namespace kepler::cli {

/// Prints the log at `path`; returns 0 when it reads whole or ends in a torn tail (a crash's
/// normal end), 1 after "kepler: <file>: ... at offset N: ..." on stderr for damage with a
/// sound record after it, a record that is not a write batch, or a failed read.
int run_log(const std::string& path, byte_format f);

}  // namespace kepler::cli
