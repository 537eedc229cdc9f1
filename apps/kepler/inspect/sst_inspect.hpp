#pragma once
// `kepler sst FILE`: a table file's properties, index, filter and key range, read from the
// file alone (no store needed); --scan adds every entry, --verify reads and checks every block.
#include <string>

#include "text/escape.hpp"

namespace kepler::cli {

struct sst_request {
  std::string path;
  bool scan = false;
  bool verify = false;
  byte_format format = byte_format::escaped;
};

/// Prints the table at `r.path` to stdout; returns the exit code: 0, or 1 after printing
/// "kepler: <file>: corruption at offset N: ..." to stderr when the file cannot be opened or
/// (--scan, --verify) a block is damaged.
int run_sst(const sst_request& r);

}  // namespace kepler::cli
